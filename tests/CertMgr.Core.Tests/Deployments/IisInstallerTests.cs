using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using CertMgr.Core.Deployments;
using CertMgr.Core.Pki;
using CertMgr.Core.Tests.Probe;

namespace CertMgr.Core.Tests.Deployments;

/// <summary>The IIS installer cannot run here: its text is checked for structure and for what it must never hold.</summary>
public sealed partial class IisInstallerTests : IDisposable
{
    private const string Password = "Iis-Installer-Password-1";
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 5, 0, 0, TimeSpan.Zero);
    private readonly TestPki _pki = new();
    private readonly X509Certificate2 _leaf;
    private readonly ECDsa _key;

    public IisInstallerTests()
    {
        _leaf = _pki.Leaf("www.iis.test", ["www.iis.test"]);
        _key = _leaf.GetECDsaPrivateKey()!;
    }

    public void Dispose()
    {
        _key.Dispose();
        _leaf.Dispose();
        _pki.Dispose();
    }

    [GeneratedRegex(@"\$pfxBase64 = @'\n(?<b64>[A-Za-z0-9+/=\n]+)\n'@")]
    private static partial Regex PfxBlock();

    [Fact]
    public void Create_Certificate_ScriptImportsBindsAndKeepsRollback()
    {
        var script = IisInstaller.Create(_leaf, [_pki.Intermediate], _key, "www.iis.test", Password, Now).Value;

        Assert.Contains($"$Thumbprint = '{Thumbprints.Sha1(_leaf)}'", script, StringComparison.Ordinal);
        Assert.Contains("Import-PfxCertificate", script, StringComparison.Ordinal);
        Assert.Contains("Cert:\\LocalMachine\\My", script, StringComparison.Ordinal);
        Assert.Contains("AddSslCertificate($thumb, 'My')", script, StringComparison.Ordinal);
        Assert.Contains("[switch]$Rollback", script, StringComparison.Ordinal);
        Assert.Contains("Read-Host -AsSecureString", script, StringComparison.Ordinal);
        Assert.Contains("#Requires -RunAsAdministrator", script, StringComparison.Ordinal);
        Assert.Contains("Untested on Windows", script, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_Certificate_CarriesOnlyPasswordProtectedPfx()
    {
        var script = IisInstaller.Create(_leaf, [_pki.Intermediate], _key, "www.iis.test", Password, Now).Value;

        Assert.DoesNotContain("PRIVATE KEY", script, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, script, StringComparison.Ordinal);
        var match = PfxBlock().Match(script);
        Assert.True(match.Success, "the script has no PFX block");
        var pfx = Convert.FromBase64String(match.Groups["b64"].Value.Replace("\n", "", StringComparison.Ordinal));
        Assert.ThrowsAny<CryptographicException>(() => X509CertificateLoader.LoadPkcs12Collection(pfx, "wrong-password-123"));
        var certificates = X509CertificateLoader.LoadPkcs12Collection(pfx, Password);
        var leaf = certificates.Single(c => c.Thumbprint == _leaf.Thumbprint);
        Assert.True(leaf.HasPrivateKey);
        Assert.Contains(certificates, c => c.Thumbprint == _pki.Intermediate.Thumbprint);
    }

    [Fact]
    public void Create_ShortPassword_Refused()
    {
        var result = IisInstaller.Create(_leaf, [], _key, "www.iis.test", "short", Now);

        Assert.Equal("password-too-short", result.Error?.Code);
    }

    [Fact]
    public void Create_KeyOfAnotherCertificate_Refused()
    {
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var result = IisInstaller.Create(_leaf, [], other, "www.iis.test", Password, Now);

        Assert.Equal("key-mismatch", result.Error?.Code);
    }

    [Fact]
    public void Create_NameWithQuote_Refused()
    {
        var result = IisInstaller.Create(_leaf, [], _key, "x'; Remove-Item C:\\ -Recurse; '", Password, Now);

        Assert.Equal("name-invalid", result.Error?.Code);
    }
}
