using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.PrivateCa;
using CertMgr.Core.Pki;
using CertMgr.Core.Setup;
using Microsoft.Extensions.DependencyInjection;

namespace CertMgr.Core.Tests.Setup;

public sealed class ConsoleCertificateServiceTests
{
    private static readonly IReadOnlyList<string> Names = ["localhost", "127.0.0.1", "::1", "host.example.test"];

    private static Task<X509Certificate2> EnsureAsync(CoreFixture f, IReadOnlyList<string> names) =>
        f.WithAsync(sp => sp.GetRequiredService<ConsoleCertificateService>().EnsureAsync(names, CancellationToken.None));

    [Fact]
    public async Task Ensure_FirstStart_IssuesCertificateWithKeyForEveryName()
    {
        await using var f = await CoreFixture.CreateAsync();
        using var cert = await EnsureAsync(f, Names);

        Assert.True(cert.HasPrivateKey);
        Assert.All(Names, n => Assert.True(cert.MatchesHostname(n, allowWildcards: false, allowCommonName: false), n));
        Assert.Contains("CN=CertMgr Auto-Generated CA", cert.Issuer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ensure_SecondStart_ReusesTheSameCertificate()
    {
        await using var f = await CoreFixture.CreateAsync();
        using var first = await EnsureAsync(f, Names);
        f.Time.Advance(TimeSpan.FromDays(100));

        using var second = await EnsureAsync(f, Names);

        Assert.Equal(Thumbprints.Sha256(first), Thumbprints.Sha256(second));
    }

    [Fact]
    public async Task Ensure_NewHostName_Reissues()
    {
        await using var f = await CoreFixture.CreateAsync();
        using var first = await EnsureAsync(f, Names);

        using var second = await EnsureAsync(f, [.. Names, "console.example.test"]);

        Assert.NotEqual(Thumbprints.Sha256(first), Thumbprints.Sha256(second));
        Assert.True(second.MatchesHostname("console.example.test"));
    }

    [Fact]
    public async Task Ensure_CloseToExpiry_Reissues()
    {
        await using var f = await CoreFixture.CreateAsync();
        using var first = await EnsureAsync(f, Names);
        f.Time.Advance(ConsoleCertificateService.Validity - ConsoleCertificateService.RenewBefore + TimeSpan.FromDays(1));

        using var second = await EnsureAsync(f, Names);

        Assert.NotEqual(Thumbprints.Sha256(first), Thumbprints.Sha256(second));
        Assert.True(second.NotAfter > first.NotAfter);
    }

    [Fact]
    public async Task Ensure_CaReplaced_ReissuesFromTheNewCa()
    {
        await using var f = await CoreFixture.CreateAsync();
        using var first = await EnsureAsync(f, Names);
        await f.WithAsync(sp => sp.GetRequiredService<PrivateCaService>().CreateRootAsync(
            new X500DistinguishedName("CN=Replacement CA"), KeySpec.EcP256, "tester", CancellationToken.None));

        using var second = await EnsureAsync(f, Names);

        Assert.Equal("CN=Replacement CA", second.Issuer);
        Assert.NotEqual(Thumbprints.Sha256(first), Thumbprints.Sha256(second));
    }

    [Fact]
    public void RequiredNames_Urls_AddsListenHostsButNotWildcards()
    {
        var names = ConsoleCertificateService.RequiredNames([new Uri("https://console.example.test:23466"), new Uri("https://0.0.0.0:1"), new Uri("https://[::1]:2")]);

        Assert.Contains("localhost", names);
        Assert.Contains("127.0.0.1", names);
        Assert.Contains("::1", names);
        Assert.Contains("console.example.test", names);
        Assert.DoesNotContain("0.0.0.0", names);
        Assert.Equal(names.Count, names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }
    [Fact]
    public async Task Ensure_AfterInstall_KeepsTheInstalledCertificateFromAnotherCaUntilItExpires()
    {
        await using var f = await CoreFixture.CreateAsync();
        f.Time.SetUtcNow(TimeProvider.System.GetUtcNow());
        using (await EnsureAsync(f, Names))
        {
        }

        using var pki = new Probe.TestPki();
        using var leaf = pki.Leaf("console.example.test", ["console.example.test"], validFor: TimeSpan.FromDays(90));
        using var key = leaf.GetECDsaPrivateKey()!;
        using (var installed = await f.WithAsync(async sp =>
        {
            var console = sp.GetRequiredService<ConsoleCertificateService>();
            var served = await console.InstallAsync(leaf, key, CancellationToken.None);
            await sp.GetRequiredService<Data.CertMgrDbContext>().SaveChangesAsync();
            return served;
        }))
        {
            Assert.True(installed.HasPrivateKey);
        }

        // A restart keeps it, though another CA issued it and it lacks the listen names.
        using (var restarted = await EnsureAsync(f, Names))
        {
            Assert.Equal(Thumbprints.Sha256(leaf), Thumbprints.Sha256(restarted));
            Assert.True(restarted.HasPrivateKey);
        }

        // Once it has expired, the built-in CA issues a console certificate again.
        f.Time.Advance(TimeSpan.FromDays(91));
        using var reissued = await EnsureAsync(f, Names);
        Assert.NotEqual(Thumbprints.Sha256(leaf), Thumbprints.Sha256(reissued));
        Assert.Contains("CN=CertMgr Auto-Generated CA", reissued.Issuer, StringComparison.Ordinal);
    }
}
