using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.Pki;
using CertMgr.Core.PrivateCa;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CertMgr.Core.Tests.PrivateCa;

public sealed class PrivateCaSetupTests : IDisposable
{
    private readonly string _dir = CaTestData.TempDir();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task SetupRoot_ExistingCaWithoutForce_Refused()
    {
        await using var f = await CoreFixture.CreateAsync();

        var result = await f.WithAsync(sp => sp.GetRequiredService<PrivateCaService>().SetupRootAsync(null, KeySpec.EcP256, force: false, "t", CancellationToken.None));

        Assert.Equal("ca-exists", result.Error?.Code);
        Assert.Single(await f.DbAsync(db => db.PrivateCas.ToListAsync()));
    }

    [Fact]
    public async Task SetupRoot_Force_BacksUpAndRetiresTheOldCa()
    {
        await using var f = await CoreFixture.CreateAsync();
        var old = await f.DbAsync(db => db.PrivateCas.SingleAsync());

        var result = await f.WithAsync(sp => sp.GetRequiredService<PrivateCaService>().SetupRootAsync(
            new X500DistinguishedName("CN=New Root, O=Example"), KeySpec.Rsa2048, force: true, "t", CancellationToken.None));

        Assert.True(result.IsSuccess, result.Error?.Message);
        var all = await f.DbAsync(db => db.PrivateCas.ToListAsync());
        Assert.Equal(PrivateCaStatus.Retired, all.Single(c => c.Id == old.Id).Status);
        Assert.Equal("CN=New Root, O=Example", all.Single(c => c.IsCurrent).Subject);
        var backup = Assert.Single(Directory.GetDirectories(f.Home.CaDirectory, "backup-*"));
        Assert.Equal(CaTestData.Pem(old.CertificateDer!), File.ReadAllText(Path.Combine(backup, "ca-cert.pem")));
        Assert.NotEqual(0x30, File.ReadAllBytes(Path.Combine(backup, "ca-key.sealed"))[0]);
        using var current = X509Certificate2.CreateFromPem(File.ReadAllText(f.Home.CaCertificatePath));
        Assert.Equal("CN=New Root, O=Example", current.Subject);
    }

    [Fact]
    public async Task InstallParentCertificate_OpensslParent_IssuedCertificatesChainToParentRoot()
    {
        await using var f = await CoreFixture.CreateAsync();
        f.Time.SetUtcNow(TimeProvider.System.GetUtcNow().AddMinutes(1)); // openssl dates the parent's signature by the real clock
        var service = (Func<IServiceProvider, PrivateCaService>)(sp => sp.GetRequiredService<PrivateCaService>());
        var setup = await f.WithAsync(sp => service(sp).SetupSubordinateAsync(new X500DistinguishedName("CN=Sub CA, O=Example"), KeySpec.EcP384, force: true, "t", CancellationToken.None));
        Assert.True(setup.IsSuccess, setup.Error?.Message);
        Assert.Equal(PrivateCaStatus.AwaitingParentCertificate, setup.Value.Ca.Status);
        File.WriteAllText(Path.Combine(_dir, "sub.csr"), setup.Value.CsrPem);
        MakeParentAndSign(_dir, "basicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\n");

        var installed = await f.WithAsync(sp => service(sp).InstallParentCertificateAsync(
            File.ReadAllText(Path.Combine(_dir, "sub.pem")) + File.ReadAllText(Path.Combine(_dir, "parent.pem")), "t", CancellationToken.None));

        Assert.True(installed.IsSuccess, installed.Error?.Message);
        using var leaf = (await f.WithAsync(sp => sp.GetRequiredService<CaIssuance>().IssueAsync(CaTestData.Server("leaf.example.test"), "t", CancellationToken.None))).Value;
        File.WriteAllText(Path.Combine(_dir, "leaf.pem"), CaTestData.Pem(leaf.RawData));
        Assert.Contains("leaf.pem: OK", Openssl.Run(_dir, "verify", "-CAfile", "parent.pem", "-untrusted", "sub.pem", "leaf.pem"), StringComparison.Ordinal);
        var current = await f.DbAsync(db => db.PrivateCas.SingleAsync(c => c.IsCurrent));
        Assert.Equal(PrivateCaMode.Subordinate, current.Mode);
        Assert.Equal(PrivateCaStatus.Active, current.Status);
        Assert.Contains("BEGIN CERTIFICATE", current.ChainPem, StringComparison.Ordinal);

        // The CRL of a subordinate verifies against it.
        var crl = (await f.WithAsync(sp => sp.GetRequiredService<CaRevocation>().GenerateCrlAsync("t", CancellationToken.None))).Value;
        File.WriteAllText(Path.Combine(_dir, "crl.pem"), CaTestData.Pem(crl, "X509 CRL"));
        Assert.Contains("verify OK", Openssl.Run(_dir, "crl", "-in", "crl.pem", "-CAfile", "sub.pem", "-noout"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConsoleCertificate_SubordinateCa_IssuedOnceThenReused()
    {
        await using var f = await CoreFixture.CreateAsync();
        f.Time.SetUtcNow(TimeProvider.System.GetUtcNow().AddMinutes(1));
        var setup = await f.WithAsync(sp => sp.GetRequiredService<PrivateCaService>().SetupSubordinateAsync(null, KeySpec.EcP256, force: true, "t", CancellationToken.None));
        File.WriteAllText(Path.Combine(_dir, "sub.csr"), setup.Value.CsrPem);
        MakeParentAndSign(_dir, "basicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\n");
        var installed = await f.WithAsync(sp => sp.GetRequiredService<PrivateCaService>().InstallParentCertificateAsync(
            File.ReadAllText(Path.Combine(_dir, "sub.pem")) + File.ReadAllText(Path.Combine(_dir, "parent.pem")), "t", CancellationToken.None));
        Assert.True(installed.IsSuccess, installed.Error?.Message);
        string[] names = ["localhost"];

        using var first = await f.WithAsync(sp => sp.GetRequiredService<CertMgr.Core.Setup.ConsoleCertificateService>().EnsureAsync(names, CancellationToken.None));
        using var second = await f.WithAsync(sp => sp.GetRequiredService<CertMgr.Core.Setup.ConsoleCertificateService>().EnsureAsync(names, CancellationToken.None));

        Assert.Equal(first.Thumbprint, second.Thumbprint);
        Assert.Equal(installed.Value.Subject, first.Issuer);
    }

    [Fact]
    public async Task InstallParentCertificate_NotACaCertificate_Refused()
    {
        await using var f = await CoreFixture.CreateAsync();
        var setup = await f.WithAsync(sp => sp.GetRequiredService<PrivateCaService>().SetupSubordinateAsync(null, KeySpec.EcP256, force: true, "t", CancellationToken.None));
        File.WriteAllText(Path.Combine(_dir, "sub.csr"), setup.Value.CsrPem);
        MakeParentAndSign(_dir, "basicConstraints=critical,CA:false\n");

        var installed = await f.WithAsync(sp => sp.GetRequiredService<PrivateCaService>().InstallParentCertificateAsync(
            File.ReadAllText(Path.Combine(_dir, "sub.pem")) + File.ReadAllText(Path.Combine(_dir, "parent.pem")), "t", CancellationToken.None));

        Assert.Equal("cert-not-ca", installed.Error?.Code);
        Assert.Equal(PrivateCaMode.Root, (await f.DbAsync(db => db.PrivateCas.SingleAsync(c => c.IsCurrent))).Mode);
    }

    [Fact]
    public async Task InstallParentCertificate_OtherKeyOrNoRoot_Refused()
    {
        await using var f = await CoreFixture.CreateAsync();
        var setup = await f.WithAsync(sp => sp.GetRequiredService<PrivateCaService>().SetupSubordinateAsync(null, KeySpec.EcP256, force: true, "t", CancellationToken.None));
        File.WriteAllText(Path.Combine(_dir, "sub.csr"), setup.Value.CsrPem);
        MakeParentAndSign(_dir, "basicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\n");

        var wrong = await f.WithAsync(sp => sp.GetRequiredService<PrivateCaService>().InstallParentCertificateAsync(
            File.ReadAllText(Path.Combine(_dir, "parent.pem")), "t", CancellationToken.None));
        var noRoot = await f.WithAsync(sp => sp.GetRequiredService<PrivateCaService>().InstallParentCertificateAsync(
            File.ReadAllText(Path.Combine(_dir, "sub.pem")), "t", CancellationToken.None));

        Assert.Equal("cert-key-mismatch", wrong.Error?.Code);
        Assert.Equal("chain-no-root", noRoot.Error?.Code);
    }

    /// <summary>An openssl-made parent root (parent.pem) and its signature on sub.csr (sub.pem) with the given extensions.</summary>
    internal static void MakeParentAndSign(string dir, string extensions)
    {
        Openssl.Run(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "parent.key",
            "-subj", "/CN=Parent Root/O=Example", "-days", "3650", "-out", "parent.pem");
        File.WriteAllText(Path.Combine(dir, "ext.cnf"), extensions + "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n");
        Openssl.Run(dir, "x509", "-req", "-in", "sub.csr", "-CA", "parent.pem", "-CAkey", "parent.key", "-CAcreateserial",
            "-days", "1825", "-extfile", "ext.cnf", "-out", "sub.pem");
    }
}
