using CertMgr.Core.Inventory;
using CertMgr.Data.Model;

namespace CertMgr.Core.Tests.Inventory;

public sealed class DefinitionValidationTests
{
    private static readonly string[] ExpectedInvalid =
        ["CheckPort", "Country", "ExpiryThresholdDays", "Port", "RenewalLeadDays", "RequestorEmail", "ServerAdminEmail", "TargetServerName"];

    private static DefinitionFields Valid() => new()
    {
        CommonName = "www.example.com",
        SubjectAlternativeNames = ["www.example.com", "example.com"],
        Country = "de",
        KeyAlgorithm = KeyAlgorithm.Rsa,
        KeySize = 3072,
        RequestorEmail = "ops@example.com",
        Port = 443,
    };

    [Fact]
    public void Check_ValidInput_NoErrorsAndNormalized()
    {
        var input = Valid();
        input.CommonName = "  WWW.Example.com ";
        input.SubjectAlternativeNames = ["www.example.com, EXAMPLE.com", "example.com", "10.0.0.1"];
        input.Tags = ["prod", " prod ", "web"];

        var (fields, errors) = DefinitionValidation.Check(input);

        Assert.Empty(errors);
        Assert.Equal("www.example.com", fields.CommonName);
        Assert.Equal("www.example.com", fields.Name);
        Assert.Equal("DE", fields.Country);
        Assert.Equal(["www.example.com", "example.com", "10.0.0.1"], fields.SubjectAlternativeNames);
        Assert.Equal(["prod", "web"], fields.Tags);
    }

    [Fact]
    public void Check_NoCommonName_CommonNameError()
    {
        var input = Valid();
        input.CommonName = " ";

        var (_, errors) = DefinitionValidation.Check(input);

        Assert.Contains("common name (CN)", errors[nameof(DefinitionFields.CommonName)], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bad_name.example.com")]
    [InlineData("-leading.example.com")]
    [InlineData("exa mple.com")]
    [InlineData("1.2.3")]
    [InlineData("*.*.example.com")]
    public void Check_InvalidSan_SanErrorNamesIt(string san)
    {
        var input = Valid();
        input.SubjectAlternativeNames = ["ok.example.com", san];

        var (_, errors) = DefinitionValidation.Check(input);

        Assert.Contains(san.Trim(), errors[nameof(DefinitionFields.SubjectAlternativeNames)], StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(KeyAlgorithm.Rsa, 1024)]
    [InlineData(KeyAlgorithm.Rsa, 256)]
    [InlineData(KeyAlgorithm.Ecdsa, 2048)]
    [InlineData(KeyAlgorithm.Ecdsa, 521)]
    public void Check_BadKeyCombination_KeySizeError(KeyAlgorithm algorithm, int size)
    {
        var input = Valid();
        input.KeyAlgorithm = algorithm;
        input.KeySize = size;

        var (_, errors) = DefinitionValidation.Check(input);

        Assert.True(errors.ContainsKey(nameof(DefinitionFields.KeySize)));
    }

    [Fact]
    public void Check_ManyBadFields_EachReportedOnItsField()
    {
        var input = Valid();
        input.Country = "Germany";
        input.Port = 70000;
        input.CheckPort = 0;
        input.RequestorEmail = "not-an-email";
        input.ServerAdminEmail = "admin@localhost";
        input.RenewalLeadDays = 0;
        input.ExpiryThresholdDays = 0;
        input.TargetServerName = "*.example.com";

        var (_, errors) = DefinitionValidation.Check(input);

        Assert.Equal(ExpectedInvalid, errors.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("65535", errors["Port"], StringComparison.Ordinal);
        Assert.Contains("two-letter", errors["Country"], StringComparison.Ordinal);
        var error = DefinitionValidation.ToError(errors);
        Assert.Equal(DefinitionValidation.InvalidCode, error.Code);
        Assert.StartsWith("8 fields are invalid", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_WildcardCommonNameAndIp_Accepted()
    {
        var input = Valid();
        input.CommonName = "*.example.com";
        input.SubjectAlternativeNames = ["*.example.com", "2001:db8::1"];

        var (_, errors) = DefinitionValidation.Check(input);

        Assert.Empty(errors);
    }
}
