using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using CertMgr.Core.Common;
using CertMgr.Core.Deployments.Targets;
using CertMgr.Core.Pki;
using CertMgr.Core.PrivateCa;
using CertMgr.Core.Probe;
using CertMgr.Core.Tests.Probe;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Data.Secrets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CertMgr.Core.Tests.Unattended;

/// <summary>
/// A deploy target standing in at the I/O seam for the SSH installer: writes the certificate chain and key to the
/// files a real nginx on loopback serves, reloads it, and waits until it serves the new certificate. Set
/// <see cref="FailWith"/> to make installs fail (as a broken SSH login would) until it is cleared.
/// </summary>
internal sealed class NginxFileTarget(IServiceScopeFactory scopes) : IDeployTarget
{
    public const string TargetHost = "web01.unattended.test";

    private NginxServer? _nginx;
    private string _chainPath = "";
    private string _keyPath = "";
    private int _port;

    public Error? FailWith { get; set; }

    public int Installs { get; private set; }

    public DeployTargetKind Kind => DeployTargetKind.Ssh;

    public bool CanAutoInstall(CertificateDefinition definition, SshInstallSettings? settings) => definition.TargetServerName == TargetHost && _nginx is not null;

    /// <summary>Starts nginx on a free loopback port serving a self-signed placeholder, as a fresh install does.</summary>
    public async Task<int> StartNginxAsync()
    {
        var dir = Directory.CreateTempSubdirectory("certmgr-unattended-nginx-").FullName;
        _chainPath = Path.Combine(dir, "server.pem");
        _keyPath = Path.Combine(dir, "server.key");
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        using var self = request.CreateSelfSigned(TimeProvider.System.GetUtcNow().AddDays(-1), TimeProvider.System.GetUtcNow().AddDays(30));
        await File.WriteAllTextAsync(_chainPath, PemEncoding.WriteString("CERTIFICATE", self.RawData) + "\n");
        await File.WriteAllTextAsync(_keyPath, key.ExportPkcs8PrivateKeyPem());
        _port = TestPorts.Next();
        _nginx = await NginxServer.StartWithFilesAsync([(_port, _chainPath, _keyPath)]);
        return _port;
    }

    public async Task<InstallOutcome> InstallAsync(InstallRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        Installs++;
        if (FailWith is { } error)
        {
            return new InstallOutcome.Failed("connect", error);
        }

        var certificate = request.Deployment.Certificate;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CertMgrDbContext>();
            var stored = await db.PrivateKeys.AsNoTracking().SingleAsync(k => k.Id == certificate.PrivateKeyId, ct);
            using var key = SealedKeys.Open(stored, scope.ServiceProvider.GetRequiredService<SecretProtector>());
            var pem = new StringBuilder(PemEncoding.WriteString("CERTIFICATE", certificate.Der)).Append('\n').Append(certificate.ChainPem);
            await File.WriteAllTextAsync(_chainPath + ".new", pem.ToString(), ct);
            await File.WriteAllTextAsync(_keyPath + ".new", key.ExportPkcs8PrivateKeyPem(), ct);
        }

        File.Move(_chainPath + ".new", _chainPath, overwrite: true);
        File.Move(_keyPath + ".new", _keyPath, overwrite: true);
        using (var reload = Process.Start(new ProcessStartInfo("nginx", ["-p", _nginx!.Prefix, "-c", _nginx.ConfigPath, "-e", Path.Combine(_nginx.Prefix, "logs", "error.log"), "-s", "reload"])
        {
            RedirectStandardError = true,
        })!)
        {
            await reload.WaitForExitAsync(ct);
            if (reload.ExitCode != 0)
            {
                return new InstallOutcome.Failed("reload", new Error("reload-failed", await reload.StandardError.ReadToEndAsync(ct)));
            }
        }

        // A reload swaps workers in the background: wait until new connections get the new certificate, five in a row.
        using var expected = X509CertificateLoader.LoadCertificate(certificate.Der);
        var inARow = 0;
        for (var i = 0; i < 200 && inARow < 5; i++)
        {
            inARow = await ServedAsync(ct) == expected.Thumbprint ? inARow + 1 : 0;
            if (inARow < 5)
            {
                await Task.Delay(20, ct);
            }
        }

        return inARow >= 5
            ? new InstallOutcome.Installed($"files written, nginx reloaded on 127.0.0.1:{_port}")
            : new InstallOutcome.Failed("reload", new Error("reload-not-effective", "nginx did not serve the new certificate after the reload."));
    }

    /// <summary>The SHA-1 thumbprint of the leaf nginx serves now (empty when the handshake fails).</summary>
    public async Task<string> ServedAsync(CancellationToken ct = default)
    {
        var probe = await EndpointProbe.ProbeAsync("127.0.0.1", _port, "localhost", ProbeOptions.Default, ct);
        if (!probe.Completed || probe.ServedDer.Count == 0)
        {
            return "";
        }

        using var leaf = X509CertificateLoader.LoadCertificate(probe.ServedDer[0]);
        return Thumbprints.Sha1(leaf);
    }

    public async ValueTask StopAsync()
    {
        if (_nginx is not null)
        {
            await _nginx.DisposeAsync();
        }
    }
}
