using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.PrivateCa;
using CertMgr.Data.Model;
using CertMgr.Data.Secrets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CertMgr.Core.Tests.PrivateCa;

public sealed class PrivateCaServiceTests
{
    [Fact]
    public async Task EnsureRoot_FirstStart_CreatesP384RootWithDefaultDnAndSealedKey()
    {
        await using var f = await CoreFixture.CreateAsync();
        var ca = await f.DbAsync(db => db.PrivateCas.Include(c => c.PrivateKey).SingleAsync());

        Assert.True(ca.IsCurrent);
        Assert.Equal(PrivateCaMode.Root, ca.Mode);
        using var cert = X509CertificateLoader.LoadCertificate(ca.CertificateDer!);
        Assert.Equal(cert.Subject, cert.Issuer);
        Assert.Contains("O=CertMgr Built-in Private CA", cert.Subject, StringComparison.Ordinal);
        Assert.Contains("CN=CertMgr Auto-Generated CA 20261129T120000Z", cert.Subject, StringComparison.Ordinal);
        var bc = cert.Extensions.OfType<X509BasicConstraintsExtension>().Single();
        Assert.True(bc.CertificateAuthority);
        Assert.True(bc.Critical);
        var ku = cert.Extensions.OfType<X509KeyUsageExtension>().Single();
        Assert.True(ku.KeyUsages.HasFlag(X509KeyUsageFlags.KeyCertSign));
        Assert.True(ku.KeyUsages.HasFlag(X509KeyUsageFlags.CrlSign));
        using var publicKey = cert.GetECDsaPublicKey();
        Assert.Equal(384, publicKey!.KeySize);

        // The stored key is sealed, not PKCS#8, yet opens to the CA's key.
        Assert.NotEqual(0x30, ca.PrivateKey.EncryptedPkcs8[0]);
        var protector = f.Scope().ServiceProvider.GetRequiredService<SecretProtector>();
        using var key = (ECDsa)SealedKeys.Open(ca.PrivateKey, protector);
        Assert.Equal(publicKey.ExportSubjectPublicKeyInfo(), key.ExportSubjectPublicKeyInfo());

        Assert.Equal(PemEncoding.WriteString("CERTIFICATE", cert.RawData) + "\n", await File.ReadAllTextAsync(f.Home.CaCertificatePath));
        Assert.True(File.Exists(f.Home.CaSystemListPath));
    }

    [Fact]
    public async Task Initialize_SecondStart_KeepsTheSameCa()
    {
        await using var f = await CoreFixture.CreateAsync();
        var first = await f.DbAsync(db => db.PrivateCas.SingleAsync());
        f.Time.Advance(TimeSpan.FromDays(1));

        var outcome = await f.InitializeAsync();

        Assert.False(outcome.CreatedCa);
        var all = await f.DbAsync(db => db.PrivateCas.ToListAsync());
        Assert.Equal(first.Sha256, Assert.Single(all).Sha256);
    }

    [Fact]
    public async Task Issue_ServerProfile_ChainsToCaWithServerAuthAndNames()
    {
        await using var f = await CoreFixture.CreateAsync();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new IssuanceRequest(
            new X500DistinguishedName("CN=www.example.test"),
            PublicKey.CreateFromSubjectPublicKeyInfo(key.ExportSubjectPublicKeyInfo(), out _),
            ["www.example.test", "10.0.0.5"],
            IssuedCertificateProfile.Server,
            TimeSpan.FromDays(90));

        using var issued = (await f.WithAsync(sp => sp.GetRequiredService<CaIssuance>().IssueAsync(request, "tester", CancellationToken.None))).Value;

        var caPem = await File.ReadAllTextAsync(f.Home.CaCertificatePath);
        using var caCert = X509Certificate2.CreateFromPem(caPem);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(caCert);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = f.Time.GetUtcNow().UtcDateTime;
        Assert.True(chain.Build(issued), string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));

        var eku = issued.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single();
        Assert.Equal("1.3.6.1.5.5.7.3.1", Assert.Single(eku.EnhancedKeyUsages.Cast<Oid>()).Value);
        var ku = issued.Extensions.OfType<X509KeyUsageExtension>().Single();
        Assert.Equal(X509KeyUsageFlags.DigitalSignature, ku.KeyUsages);
        Assert.False(issued.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.True(issued.MatchesHostname("www.example.test"));
        Assert.True(issued.MatchesHostname("10.0.0.5"));
        Assert.True(issued.GetSerialNumber().Length >= 8, "serial must carry at least 64 bits");
        Assert.Equal(f.Time.GetUtcNow().AddDays(90).UtcDateTime, issued.NotAfter.ToUniversalTime(), TimeSpan.FromSeconds(1));

        var ledger = await f.DbAsync(db => db.IssuedCertificates.Where(i => i.Profile == IssuedCertificateProfile.Server).SingleAsync());
        Assert.Equal(IssuedCertificateStatus.Valid, ledger.Status);
        Assert.Equal(["www.example.test", "10.0.0.5"], ledger.Names);
        Assert.Equal(issued.SerialNumber, ledger.SerialNumber);
        Assert.Equal(issued.RawData, ledger.Der);
        Assert.Equal("tester", ledger.IssuedBy);
    }

    [Fact]
    public async Task Issue_RsaKeyAndValidityBeyondCa_UsesKeyEnciphermentAndStopsAtCaExpiry()
    {
        await using var f = await CoreFixture.CreateAsync();
        f.Time.Advance(PrivateCaService.RootValidity - TimeSpan.FromDays(100));
        using var key = RSA.Create(2048);
        var request = new IssuanceRequest(
            new X500DistinguishedName("CN=long.example.test"),
            PublicKey.CreateFromSubjectPublicKeyInfo(key.ExportSubjectPublicKeyInfo(), out _),
            ["long.example.test"],
            IssuedCertificateProfile.Server,
            TimeSpan.FromDays(397));

        using var issued = (await f.WithAsync(sp => sp.GetRequiredService<CaIssuance>().IssueAsync(request, "tester", CancellationToken.None))).Value;

        var ca = await f.DbAsync(db => db.PrivateCas.SingleAsync());
        Assert.Equal(ca.NotAfter!.Value.UtcDateTime, issued.NotAfter.ToUniversalTime(), TimeSpan.FromSeconds(1));
        var ku = issued.Extensions.OfType<X509KeyUsageExtension>().Single();
        Assert.Equal(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, ku.KeyUsages);
    }

    [Fact]
    public void NewSerialNumber_Always_PositiveSixteenBytesAndUnique()
    {
        var serials = Enumerable.Range(0, 200).Select(_ => CertificateIssuer.NewSerialNumber()).ToList();
        Assert.All(serials, s =>
        {
            Assert.Equal(16, s.Length);
            Assert.True(s[0] is > 0 and < 0x80);
        });
        Assert.Equal(serials.Count, serials.Select(Convert.ToHexString).Distinct().Count());
    }
}
