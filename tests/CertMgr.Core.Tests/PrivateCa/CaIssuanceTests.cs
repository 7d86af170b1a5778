using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.PrivateCa;
using CertMgr.Core.Setup;
using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace CertMgr.Core.Tests.PrivateCa;

public class CaIssuanceTests : IDisposable
{
    /// <summary>The database the class runs on; a subclass in OnPostgres.cs runs it all again on PostgreSQL.</summary>
    protected virtual TestDatabase Database => TestDatabase.Sqlite;

    private readonly string _dir = CaTestData.TempDir();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Task<T> WithIssuance<T>(CoreFixture f, Func<CaIssuance, Task<T>> action) =>
        f.WithAsync(sp => action(sp.GetRequiredService<CaIssuance>()));

    [Fact]
    public async Task IssueForCsr_OpensslRequest_VerifiesWithOpensslAndIsOnRecord()
    {
        await using var f = await CoreFixture.CreateAsync(database: Database);
        Openssl.Run(_dir, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "leaf.key",
            "-subj", "/CN=web.example.test", "-addext", "subjectAltName=DNS:web.example.test,IP:127.0.0.1", "-out", "leaf.csr");

        var result = await WithIssuance(f, s => s.IssueForCsrAsync(File.ReadAllBytes(Path.Combine(_dir, "leaf.csr")), 30, "tester", CancellationToken.None));

        Assert.True(result.IsSuccess, result.Error?.Message);
        using var leaf = result.Value;
        File.WriteAllText(Path.Combine(_dir, "leaf.pem"), CaTestData.Pem(leaf.RawData));
        Assert.Contains("leaf.pem: OK", Openssl.Run(_dir, "verify", "-CAfile", f.Home.CaCertificatePath, "-purpose", "sslserver", "leaf.pem"), StringComparison.Ordinal);
        Assert.True(leaf.MatchesHostname("web.example.test"));
        Assert.True(leaf.MatchesHostname("127.0.0.1"));
        var row = await f.DbAsync(db => db.IssuedCertificates.SingleAsync(i => i.SerialNumber == leaf.SerialNumber));
        Assert.Equal(IssuedCertificateStatus.Valid, row.Status);
        Assert.Equal(leaf.RawData, row.Der);
        Assert.Equal(CertMgr.Core.Pki.Thumbprints.PublicKeySha256(leaf), row.PublicKeySha256);
    }

    [Fact]
    public async Task IssueForCsr_TamperedSignature_RefusedAndNothingRecorded()
    {
        await using var f = await CoreFixture.CreateAsync(database: Database);
        using var key = RSA.Create(2048);
        var csr = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=a.example.test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSigningRequest();
        csr[^5] ^= 0x55; // inside the signature
        var before = await f.DbAsync(db => db.IssuedCertificates.CountAsync());

        var result = await WithIssuance(f, s => s.IssueForCsrAsync(csr, null, "tester", CancellationToken.None));

        Assert.Equal("csr-invalid", result.Error?.Code);
        Assert.Equal(before, await f.DbAsync(db => db.IssuedCertificates.CountAsync()));
    }

    [Fact]
    public async Task IssueForCsr_BadNameInCsr_RefusedBeforeSigning()
    {
        await using var f = await CoreFixture.CreateAsync(database: Database);
        Openssl.Run(_dir, "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "k.pem", "-subj", "/CN=x",
            "-addext", "subjectAltName=DNS:bad_name.example.test", "-out", "bad.csr");
        var before = await f.DbAsync(db => db.IssuedCertificates.CountAsync());

        var result = await WithIssuance(f, s => s.IssueForCsrAsync(File.ReadAllBytes(Path.Combine(_dir, "bad.csr")), null, "tester", CancellationToken.None));

        Assert.Equal("name-invalid", result.Error?.Code);
        Assert.Equal(before, await f.DbAsync(db => db.IssuedCertificates.CountAsync()));
    }

    [Fact]
    public async Task Issue_DatabaseFailsAfterSigning_PendingRowWithIntendedCertificateRemains()
    {
        await using var f = await CoreFixture.CreateAsync(database: Database);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = CaTestData.Server(CaTestData.PublicKeyOf(key), "crash.example.test");
        var options = new DbContextOptionsBuilder<CertMgrDbContext>();
        f.Settings.Database.Configure(options);
        options.AddInterceptors(new FailSecondSave());
        await using (var db = new CertMgrDbContext(options.Options))
        {
            var ca = new PrivateCaService(db, f.Scope().ServiceProvider.GetRequiredService<CertMgr.Data.Secrets.SecretProtector>(), f.Home, f.Time, NullLogger<PrivateCaService>.Instance);
            var issuance = new CaIssuance(db, ca, new CaSignerCache(), new PrivateCaOptions(), f.Time, NullLogger<CaIssuance>.Instance);

            await Assert.ThrowsAsync<DbUpdateException>(() => issuance.IssueAsync(request, "tester", CancellationToken.None));
        }

        var row = await f.DbAsync(db => db.IssuedCertificates.SingleAsync(i => i.Subject == "CN=crash.example.test"));
        Assert.Equal(IssuedCertificateStatus.Pending, row.Status);
        Assert.Null(row.Der);
        Assert.Equal(32, row.SerialNumber.Length);
        Assert.Equal(["crash.example.test"], row.Names);
        Assert.Equal(CertMgr.Core.Pki.Thumbprints.PublicKeySha256(key.ExportSubjectPublicKeyInfo()), row.PublicKeySha256);
        Assert.Equal(f.Time.GetUtcNow().AddDays(90), row.NotAfter);
    }

    [Fact]
    public async Task IssueClient_NewKey_ClientAuthWithKeyVerifiesWithOpenssl()
    {
        await using var f = await CoreFixture.CreateAsync(database: Database);

        var result = await WithIssuance(f, s => s.IssueClientAsync("alice", null, "tester", CancellationToken.None));

        using var cert = result.Value;
        Assert.True(cert.HasPrivateKey);
        var eku = cert.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single();
        Assert.Equal("1.3.6.1.5.5.7.3.2", Assert.Single(eku.EnhancedKeyUsages.Cast<Oid>()).Value);
        File.WriteAllText(Path.Combine(_dir, "client.pem"), CaTestData.Pem(cert.RawData));
        Assert.Contains("OK", Openssl.Run(_dir, "verify", "-CAfile", f.Home.CaCertificatePath, "-purpose", "sslclient", "client.pem"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task IssueForDefinition_DefinitionNames_ServerCertificateWithThem()
    {
        await using var f = await CoreFixture.CreateAsync(database: Database);
        var definition = new CertificateDefinition { Name = "web", CommonName = "web.example.test", Organization = "Example", SubjectAlternativeNames = ["alt.example.test"] };
        await f.DbAsync(async db =>
        {
            db.Definitions.Add(definition);
            return await db.SaveChangesAsync();
        });
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        var result = await WithIssuance(f, s => s.IssueForDefinitionAsync(definition.Id, CaTestData.PublicKeyOf(key), null, "tester", CancellationToken.None));

        using var cert = result.Value;
        Assert.True(cert.MatchesHostname("web.example.test"));
        Assert.True(cert.MatchesHostname("alt.example.test"));
        Assert.Contains("O=Example", cert.Subject, StringComparison.Ordinal);
        Assert.Equal(f.Time.GetUtcNow().AddDays(397).UtcDateTime, cert.NotAfter.ToUniversalTime(), TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Issue_ConfiguredUrls_CrlDistributionPointAndAuthorityInfoAccessPresent()
    {
        await using var f = await CoreFixture.CreateAsync(database: Database);
        var options = PrivateCaOptions.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PkiHttpUrl"] = "http://127.0.0.1:23467",
            ["PrivateCa:OcspUrls:0"] = "http://127.0.0.1:23468/ocsp",
        }).Build());

        var result = await f.WithAsync(sp => new CaIssuance(sp.GetRequiredService<CertMgrDbContext>(), sp.GetRequiredService<PrivateCaService>(), new CaSignerCache(), options, f.Time,
            NullLogger<CaIssuance>.Instance).IssueAsync(CaTestData.Server("ext.example.test"), "tester", CancellationToken.None));

        File.WriteAllText(Path.Combine(_dir, "ext.pem"), CaTestData.Pem(result.Value.RawData));
        var text = Openssl.Run(_dir, "x509", "-in", "ext.pem", "-noout", "-text");
        Assert.Contains("URI:http://127.0.0.1:23467/pki/ca.crl", text, StringComparison.Ordinal);
        Assert.Contains("CA Issuers - URI:http://127.0.0.1:23467/pki/ca.crt", text, StringComparison.Ordinal);
        Assert.Contains("OCSP - URI:http://127.0.0.1:23468/ocsp", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_BadUrl_SettingsException()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PrivateCa:CrlDistributionPoints:0"] = "not a url",
        }).Build();

        Assert.Throws<SettingsException>(() => PrivateCaOptions.From(config));
    }

    private sealed class FailSecondSave : SaveChangesInterceptor
    {
        private int _saves;

        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default) =>
            ++_saves == 2 ? throw new DbUpdateException("simulated failure after signing") : ValueTask.FromResult(result);
    }
}
