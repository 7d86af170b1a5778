using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.Deployments;
using CertMgr.Core.Pki;
using CertMgr.Core.Tests.Probe;
using CertMgr.Data.Model;

namespace CertMgr.Core.Tests.Deployments;

public sealed class InstallPackageTests : IDisposable
{
    private const string Passphrase = "package passphrase 1";
    private readonly TestPki _pki = new();
    private readonly string _work = Directory.CreateTempSubdirectory("certmgr-package-").FullName;

    public void Dispose()
    {
        _pki.Dispose();
        Directory.Delete(_work, recursive: true);
    }

    private string Openssl(params string[] args)
    {
        var start = new ProcessStartInfo("openssl", args) { WorkingDirectory = _work, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"openssl {string.Join(' ', args)}: {error}");
        return output;
    }

    [Theory]
    [InlineData(ServerSoftware.Nginx, "ssl_certificate_key")]
    [InlineData(ServerSoftware.ApacheHttpd, "SSLCertificateKeyFile")]
    [InlineData(ServerSoftware.HaProxy, "bind :443 ssl crt")]
    [InlineData(ServerSoftware.Postfix, "smtpd_tls_chain_files")]
    [InlineData(ServerSoftware.Dovecot, "ssl_key = <")]
    [InlineData(ServerSoftware.MicrosoftIis, "Import-PfxCertificate")]
    [InlineData(ServerSoftware.JavaKeystore, "keytool -list")]
    public void Create_FilesReadWithOpensslAndReadmeForTheServer(ServerSoftware software, string readmeMentions)
    {
        using var leaf = _pki.Leaf("pkg.test", ["pkg.test"]);
        using var key = leaf.GetECDsaPrivateKey()!;

        var zip = InstallPackage.Create(leaf, [_pki.Intermediate], key, software, "pkg.test", Passphrase, TimeProvider.System.GetUtcNow());

        Assert.True(zip.IsSuccess, zip.Error?.Message);
        var dir = Path.Combine(_work, software.ToString());
        using (var archive = new ZipArchive(new MemoryStream(zip.Value)))
        {
            archive.ExtractToDirectory(dir);
        }

        var readme = File.ReadAllText(Path.Combine(dir, "README.txt"));
        Assert.Contains(readmeMentions, readme, StringComparison.Ordinal);
        Assert.Contains(Thumbprints.Sha256(leaf), readme, StringComparison.Ordinal);
        Assert.DoesNotContain(Passphrase, readme, StringComparison.Ordinal);
        foreach (var file in Directory.GetFiles(dir))
        {
            Assert.DoesNotContain("BEGIN PRIVATE KEY", File.ReadAllText(file), StringComparison.Ordinal);
        }

        Assert.Contains("pkg.test", Openssl("x509", "-in", Path.Combine(dir, "cert.pem"), "-noout", "-subject"), StringComparison.Ordinal);
        Assert.Contains("OK", Openssl("verify", "-CAfile", WriteRoot(), "-untrusted", Path.Combine(dir, "chain.pem"), Path.Combine(dir, "cert.pem")), StringComparison.Ordinal);
        Openssl("pkey", "-in", Path.Combine(dir, "privkey.encrypted.pem"), "-passin", $"pass:{Passphrase}", "-noout");
        Openssl("pkcs12", "-in", Path.Combine(dir, "certificate.p12"), "-passin", $"pass:{Passphrase}", "-noout");
    }

    [Fact]
    public void Create_ShortPassphraseOrWrongKey_Refused()
    {
        using var leaf = _pki.Leaf("pkg.test", ["pkg.test"]);
        using var key = leaf.GetECDsaPrivateKey()!;
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var now = TimeProvider.System.GetUtcNow();

        Assert.False(InstallPackage.Create(leaf, [], key, ServerSoftware.Nginx, "pkg.test", "short", now).IsSuccess);
        Assert.False(InstallPackage.Create(leaf, [], other, ServerSoftware.Nginx, "pkg.test", Passphrase, now).IsSuccess);
    }

    private string WriteRoot()
    {
        var path = Path.Combine(_work, "root.pem");
        File.WriteAllText(path, _pki.Root.ExportCertificatePem());
        return path;
    }
}
