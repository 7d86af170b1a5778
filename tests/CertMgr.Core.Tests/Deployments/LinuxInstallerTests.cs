using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.Deployments;
using CertMgr.Core.Probe;
using CertMgr.Core.Tests.Probe;
using CertMgr.Data.Model;

namespace CertMgr.Core.Tests.Deployments;

/// <summary>The one-click installer run for real with bash against a real nginx: installs and reloads, or rolls back.</summary>
public sealed class LinuxInstallerTests : IAsyncLifetime
{
    private const string Name = "www.installer.test";
    private const string Password = "correct horse battery staple";
    private readonly TestPki _pki = new();
    private readonly string _work = Directory.CreateTempSubdirectory("certmgr-installer-").FullName;
    private readonly int _port = TestPorts.Next();
    private X509Certificate2 _old = null!;
    private NginxServer _nginx = null!;

    private string CertDir => Path.Combine(_work, "ssl");

    public async Task InitializeAsync()
    {
        _old = _pki.Leaf(Name, [Name]);
        Directory.CreateDirectory(CertDir);
        await File.WriteAllTextAsync(Path.Combine(CertDir, "fullchain.pem"), _old.ExportCertificatePem() + "\n" + _pki.Intermediate.ExportCertificatePem() + "\n");
        using (var key = _old.GetECDsaPrivateKey()!)
        {
            await File.WriteAllTextAsync(Path.Combine(CertDir, "privkey.pem"), key.ExportPkcs8PrivateKeyPem());
        }

        _nginx = await NginxServer.StartWithFilesAsync([(_port, Path.Combine(CertDir, "fullchain.pem"), Path.Combine(CertDir, "privkey.pem"))]);
        await File.WriteAllTextAsync(Path.Combine(_work, "password"), Password);
    }

    public async Task DisposeAsync()
    {
        await _nginx.DisposeAsync();
        _old.Dispose();
        _pki.Dispose();
        Directory.Delete(_work, recursive: true);
    }

    private async Task<byte[]> ServedLeafAsync()
    {
        var probe = await EndpointProbe.ProbeAsync("127.0.0.1", _port, Name, new ProbeOptions { HandshakeTimeout = TimeSpan.FromSeconds(10) }, CancellationToken.None);
        Assert.True(probe.Completed, probe.Failure);
        return probe.ServedDer[0];
    }

    private (int Code, string Output) Run(string script, params string[] extra)
    {
        var path = Path.Combine(_work, $"install-{Guid.NewGuid():N}.sh");
        File.WriteAllText(path, script);
        var start = new ProcessStartInfo("bash", [path, "--cert-dir", CertDir, "--config", _nginx.ConfigPath, .. extra])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
        };
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(60_000), "the installer did not finish");
        return (process.ExitCode, stdout.Result + stderr);
    }

    private async Task WaitForServedAsync(byte[] der)
    {
        // nginx's new workers pick up a reload within moments on a quiet machine, but can take seconds while the rest
        // of the suite loads both cores, and until the old workers have exited a connection may still reach one of
        // them: wait (up to 30 s, bounded) for five answers in a row with the new certificate.
        for (int i = 0, inRow = 0; i < 300 && inRow < 5; i++)
        {
            inRow = (await ServedLeafAsync()).AsSpan().SequenceEqual(der) ? inRow + 1 : 0;
            if (inRow == 0)
            {
                await Task.Delay(100);
            }
        }
    }

    [Fact]
    public async Task Install_NewCertificate_NginxServesItAndOldFilesAreBackedUp()
    {
        using var fresh = _pki.Leaf(Name, [Name]);
        using var key = fresh.GetECDsaPrivateKey()!;
        var script = LinuxInstaller.Create(fresh, [_pki.Intermediate], key, ServerSoftware.Nginx, Name, Password, TimeProvider.System.GetUtcNow());
        Assert.True(script.IsSuccess, script.Error?.Message);
        Assert.DoesNotContain("PRIVATE KEY", script.Value, StringComparison.Ordinal);

        var (code, output) = Run(script.Value, "--password-file", Path.Combine(_work, "password"));

        Assert.True(code == 0, output);
        Assert.Contains("service reloaded", output, StringComparison.Ordinal);
        await WaitForServedAsync(fresh.RawData);
        Assert.Equal(fresh.RawData, await ServedLeafAsync());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(CertDir, "privkey.pem")));
        var backup = Assert.Single(Directory.GetDirectories(CertDir, "backup-*"));
        Assert.Contains(_old.ExportCertificatePem(), File.ReadAllText(Path.Combine(backup, "fullchain.pem")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Install_BrokenCertificate_ValidationFailsAndOldFilesAreRestored()
    {
        using var fresh = _pki.Leaf(Name, [Name]);
        using var wrongKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var before = File.ReadAllText(Path.Combine(CertDir, "fullchain.pem"));
        var script = LinuxInstaller.CreateUnchecked(fresh.RawData, [_pki.Intermediate.RawData], wrongKey.ExportPkcs8PrivateKeyPem(),
            ServerSoftware.Nginx, Name, Password, TimeProvider.System.GetUtcNow(), "broken on purpose");

        var (code, output) = Run(script, "--password-file", Path.Combine(_work, "password"));

        Assert.Equal(1, code);
        Assert.Contains("does not validate", output, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(Path.Combine(CertDir, "fullchain.pem")));
        Assert.Equal(_old.RawData, await ServedLeafAsync());
    }

    [Fact]
    public async Task Install_WrongPassword_RefusedAndNothingChanged()
    {
        using var fresh = _pki.Leaf(Name, [Name]);
        using var key = fresh.GetECDsaPrivateKey()!;
        var script = LinuxInstaller.Create(fresh, [_pki.Intermediate], key, ServerSoftware.Nginx, Name, Password, TimeProvider.System.GetUtcNow()).Value;
        await File.WriteAllTextAsync(Path.Combine(_work, "wrong"), "not the password at all");
        var before = File.ReadAllText(Path.Combine(CertDir, "fullchain.pem"));

        var (code, output) = Run(script, "--password-file", Path.Combine(_work, "wrong"));

        Assert.Equal(1, code);
        Assert.Contains("wrong password", output, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(Path.Combine(CertDir, "fullchain.pem")));
        Assert.Empty(Directory.GetDirectories(CertDir, "backup-*"));
    }

    [Fact]
    public void Create_BadInput_Refused()
    {
        using var leaf = _pki.Leaf(Name, [Name]);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var key = leaf.GetECDsaPrivateKey()!;
        var now = TimeProvider.System.GetUtcNow();

        Assert.Equal("key-mismatch", LinuxInstaller.Create(leaf, [], other, ServerSoftware.Nginx, Name, Password, now).Error?.Code);
        Assert.Equal("password-too-short", LinuxInstaller.Create(leaf, [], key, ServerSoftware.Nginx, Name, "short", now).Error?.Code);
        Assert.Equal("installer-unsupported", LinuxInstaller.Create(leaf, [], key, ServerSoftware.MicrosoftIis, Name, Password, now).Error?.Code);
        Assert.Equal("name-invalid", LinuxInstaller.Create(leaf, [], key, ServerSoftware.Nginx, "bad name; rm -rf /", Password, now).Error?.Code);
    }

    [Fact]
    public void OpensslEnc_RoundTripsAndOpensslDecrypts()
    {
        var secret = "a payload"u8.ToArray();
        var sealedBytes = OpensslEnc.Encrypt(secret, Password, iterations: 1000);
        var path = Path.Combine(_work, "payload.enc");
        File.WriteAllBytes(path, sealedBytes);

        Assert.Equal(secret, OpensslEnc.Decrypt(sealedBytes, Password, iterations: 1000));
        var start = new ProcessStartInfo("openssl", ["enc", "-d", "-aes-256-cbc", "-pbkdf2", "-iter", "1000", "-md", "sha256", "-in", path, "-pass", $"pass:{Password}"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.Equal("a payload", output);
    }
}
