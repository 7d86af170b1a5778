using CertMgr.Core.Acme.Server;
using Microsoft.Extensions.Configuration;

namespace CertMgr.Core.Tests.Acme;

/// <summary>The ACME server's certificate profiles as certmgr.json sets them, and the validity an order gets.</summary>
public sealed class AcmeServerProfileTests
{
    private static AcmeServerOptions Options(params (string Key, string Value)[] values) =>
        AcmeServerOptions.From(new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => KeyValuePair.Create("AcmeServer:" + v.Key, (string?)v.Value)))
            .Build());

    [Fact]
    public void From_NoProfilesSection_OffersTheDefaults()
    {
        var options = Options(("CertificateDays", "60"));
        Assert.Equal(["tlsserver", "shortlived"], options.Profiles.Select(p => p.Name));
        Assert.Equal(60, options.DaysOf("tlsserver"));
        Assert.Equal(7, options.DaysOf("shortlived"));
        Assert.Equal(60, options.DaysOf(null));
        Assert.Equal(60, options.DaysOf("gone"));
    }

    [Fact]
    public void From_ListedProfiles_ReplaceTheDefaults()
    {
        var options = Options(("CertificateDays", "90"), ("Profiles:monthly:Days", "30"), ("Profiles:monthly:Description", "Monthly"), ("Profiles:classic:Description", "Classic"));
        Assert.Equal([("classic", "Classic", (int?)null), ("monthly", "Monthly", 30)], options.Profiles.Select(p => (p.Name, p.Description, p.Days)).OrderBy(p => p.Name));
        Assert.Null(options.Profile("shortlived"));
        Assert.Equal(30, options.DaysOf("monthly"));
        Assert.Equal(90, options.DaysOf("classic"));
    }

    [Fact]
    public void From_DescriptionLeftOut_SaysTheValidity()
    {
        var options = Options(("Profiles:weekly:Days", "7"));
        Assert.Equal("TLS server certificate, valid 7 days", options.Profile("weekly")!.Description);
    }

    [Fact]
    public void From_EnabledFalse_OffersNone()
    {
        Assert.Empty(Options(("Profiles:Enabled", "false")).Profiles);
        var wrong = Assert.Throws<InvalidOperationException>(() => Options(("Profiles:Enabled", "true")));
        Assert.Contains("may only be false", wrong.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Profiles:Short Lived:Days", "7", "not a valid profile name")]
    [InlineData("Profiles:weekly:Days", "0", "whole number of days, 1 or more")]
    [InlineData("Profiles:weekly:Days", "seven", "whole number of days, 1 or more")]
    [InlineData("Profiles:weekly:Days", "-3", "whole number of days, 1 or more")]
    public void From_MalformedEntry_StopsWithTheReason(string key, string value, string reason)
    {
        var error = Assert.Throws<InvalidOperationException>(() => Options((key, value)));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void With_ConsoleOverrides_KeepsTheProfiles()
    {
        var options = Options(("Profiles:monthly:Days", "30")).With(new AcmeServerOverrides(CertificateDays: 45));
        Assert.Equal(["monthly"], options.Profiles.Select(p => p.Name));
        Assert.Equal(45, options.DaysOf(null));
        Assert.Equal(30, options.DaysOf("monthly"));
    }
}
