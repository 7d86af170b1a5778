using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using CertMgr.Core.Common;
using CertMgr.Core.Deployments;
using CertMgr.Core.Deployments.Ssh;
using CertMgr.Core.Deployments.Targets;
using CertMgr.Core.Inventory;
using CertMgr.Core.Pki;
using CertMgr.Core.PrivateCa;
using CertMgr.Core.Probe;
using CertMgr.Core.Tests.Probe;
using CertMgr.Core.TrustedCas;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Data.Secrets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CertMgr.Core.Tests.Deployments.Ssh;

/// <summary>
/// Auto-install over SSH for real: OpenSSH's sshd on a loopback port, nginx (and Apache httpd) on loopback, the
/// certificate installed through the deployment process and checked with a TLS handshake.
/// </summary>
public sealed class SshInstallTests : IAsyncLifetime
{
    private const string Cn = "www.ssh-install.test";
    private readonly TestPki _pki = new();
    private readonly string _certs = Directory.CreateTempSubdirectory("certmgr-ssh-target-").FullName;
    private readonly int _nginxPort = TestPorts.Next();
    private CoreFixture _f = null!;
    private SshServer _ssh = null!;
    private NginxServer _nginx = null!;
    private X509Certificate2 _old = null!;
    private X509Certificate2 _new = null!;

    private string FullChain => Path.Combine(_certs, "fullchain.pem");
    private string Key => Path.Combine(_certs, "privkey.pem");
    private string Nginx => $"nginx -p {_nginx.Prefix} -c {_nginx.ConfigPath} -e {_nginx.Prefix}/logs/error.log";

    public async Task InitializeAsync()
    {
        _f = await CoreFixture.CreateAsync();
        _f.Time.SetUtcNow(TimeProvider.System.GetUtcNow());
        _old = _pki.Leaf(Cn, [Cn]);
        _new = _pki.Leaf(Cn, [Cn]);
        await WriteCertAsync(_old, FullChain, Key);
        _nginx = await NginxServer.StartWithFilesAsync([(_nginxPort, FullChain, Key)]);
        _ssh = await SshServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _ssh.DisposeAsync();
        await _nginx.DisposeAsync();
        _old.Dispose();
        _new.Dispose();
        _pki.Dispose();
        await _f.DisposeAsync();
        Directory.Delete(_certs, recursive: true);
    }

    private async Task WriteCertAsync(X509Certificate2 leaf, string chainPath, string keyPath)
    {
        await File.WriteAllTextAsync(chainPath, leaf.ExportCertificatePem() + "\n" + _pki.Intermediate.ExportCertificatePem() + "\n");
        using var key = leaf.GetECDsaPrivateKey()!;
        await File.WriteAllTextAsync(keyPath, key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>A lifecycle-managed definition checked on 127.0.0.1:<paramref name="port"/> whose current certificate (with its key) is <see cref="_new"/>.</summary>
    private async Task<Guid> DefinitionAsync(int port, ServerSoftware software = ServerSoftware.Nginx)
    {
        var set = await _f.WithAsync(s => s.GetRequiredService<TrustedCaSets>().CreateAsync("SSH PKI " + Guid.NewGuid().ToString("N")[..6], [], "t", CancellationToken.None));
        await _f.WithAsync(s => s.GetRequiredService<TrustedCaSets>().SaveAndMergeAsync(set.Value.Id, [],
            [Encoding.ASCII.GetBytes(PemEncoding.WriteString("CERTIFICATE", _pki.Root.RawData))], [], "t", CancellationToken.None));
        return await _f.WithAsync(async s =>
        {
            var db = s.GetRequiredService<CertMgrDbContext>();
            var now = _f.Time.GetUtcNow();
            var d = new CertificateDefinition
            {
                Name = Cn, CommonName = Cn, SubjectAlternativeNames = [Cn], ServerSoftware = software, TargetServerName = "web01.ssh-install.test",
                ServerNameForCheck = "127.0.0.1", CheckPort = port, ServerAdminEmail = "admin@ssh-install.test", TrustedCaSetId = set.Value.Id,
                CreatedAt = now, UpdatedAt = now,
            };
            db.Definitions.Add(d);
            await db.SaveChangesAsync();
            using var ec = _new.GetECDsaPrivateKey()!;
            var key = SealedKeys.Seal(ec, KeySpec.EcP256, PrivateKeySource.Imported, s.GetRequiredService<SecretProtector>(), now);
            db.PrivateKeys.Add(key);
            var cert = InventoryRecords.NewCertificate(_new, [_pki.Intermediate], d.Id, CertificateSource.Imported, now, key.Id);
            db.Certificates.Add(cert);
            await db.SaveChangesAsync();
            d.CurrentCertificateId = cert.Id;
            await db.SaveChangesAsync();
            return d.Id;
        });
    }

    private AutoInstallInput NginxSettings(SshAuthMethod auth = SshAuthMethod.PrivateKey, string? password = null, string? validate = null) => new()
    {
        Profile = ServerSoftware.Nginx,
        Host = "127.0.0.1",
        Port = _ssh.Port,
        Username = "root",
        AuthMethod = auth,
        PrivateKey = auth == SshAuthMethod.PrivateKey ? _ssh.ClientKey : null,
        Password = password,
        FullChainPath = FullChain,
        KeyPath = Key,
        ValidateCommand = validate ?? $"{Nginx} -t -q",
        ReloadCommand = $"{Nginx} -s reload",
    };

    private Task<Result<AutoInstallView>> SaveAsync(Guid definitionId, AutoInstallInput input) =>
        _f.WithAsync(s => s.GetRequiredService<AutoInstallService>().SaveAsync(definitionId, input, "alice", CancellationToken.None));

    private async Task<Deployment> PrepareAsync(Guid definitionId, ServerSoftware software = ServerSoftware.Nginx)
    {
        var prepared = await _f.WithAsync(s => s.GetRequiredService<DeploymentService>().PrepareAsync(
            new DeployInfo(definitionId, "web01.ssh-install.test", software, DeliveryMethod.Email, "admin@ssh-install.test", PackageKind.OneClick),
            "Package-Password-2026!", "alice", CancellationToken.None));
        Assert.True(prepared.IsSuccess, prepared.Error?.Message);
        return prepared.Value;
    }

    private Task<Result<Deployment>> TryAutoInstallAsync(Guid deploymentId) =>
        _f.WithAsync(s => s.GetRequiredService<DeploymentService>().TryAutoInstallAsync(deploymentId, null, "alice", CancellationToken.None));

    internal static async Task<byte[]> ServedLeafAsync(int port, string sni = Cn)
    {
        var probe = await EndpointProbe.ProbeAsync("127.0.0.1", port, sni, new ProbeOptions { HandshakeTimeout = TimeSpan.FromSeconds(10) }, CancellationToken.None);
        Assert.True(probe.Completed, probe.Failure);
        return probe.ServedDer[0];
    }

    /// <summary>Waits (bounded, 30 s) until five handshakes in a row get <paramref name="expected"/>: a reload's old workers may answer a moment longer.</summary>
    internal static async Task AssertServedAsync(int port, X509Certificate2 expected, string sni = Cn)
    {
        var inRow = 0;
        for (var i = 0; i < 300 && inRow < 5; i++)
        {
            inRow = (await ServedLeafAsync(port, sni)).AsSpan().SequenceEqual(expected.RawData) ? inRow + 1 : 0;
            if (inRow == 0)
            {
                await Task.Delay(100);
            }
        }

        Assert.True(inRow >= 5, $"127.0.0.1:{port} does not serve {expected.Subject} {expected.Thumbprint}");
    }

    private async Task AssertNothingChangedAsync(string before, string keyBefore)
    {
        Assert.Equal(before, await File.ReadAllTextAsync(FullChain));
        Assert.Equal(keyBefore, await File.ReadAllTextAsync(Key));
        Assert.Empty(Directory.GetFiles(_certs, "*" + SshInstaller.NewSuffix));
        Assert.Equal(_old.RawData, await ServedLeafAsync(_nginxPort));
    }

    [Fact]
    public async Task TryAutoInstall_Nginx_ServesNewCertificatePinsHostKeyAndNotifies()
    {
        var definitionId = await DefinitionAsync(_nginxPort);
        var saved = await SaveAsync(definitionId, NginxSettings());
        Assert.True(saved.IsSuccess, saved.Error?.Message);
        Assert.Null(saved.Value.HostKeyFingerprint);
        var deployment = await PrepareAsync(definitionId);

        var installed = await TryAutoInstallAsync(deployment.Id);

        Assert.True(installed.IsSuccess, installed.Error?.Message);
        Assert.Equal(DeploymentStatus.AutoInstalled, installed.Value.Status);
        await AssertServedAsync(_nginxPort, _new);
        Assert.Equal("600", SshServer.Run("stat", "-c", "%a", Key).Trim());
        Assert.Equal("644", SshServer.Run("stat", "-c", "%a", FullChain).Trim());
        Assert.Contains(_old.ExportCertificatePem(), await File.ReadAllTextAsync(FullChain + SshInstaller.BackupSuffix), StringComparison.Ordinal);
        var settings = await _f.DbAsync(db => db.SshInstallSettings.AsNoTracking().SingleAsync(s => s.DefinitionId == definitionId));
        Assert.Equal(_ssh.HostFingerprint, settings.HostKeyFingerprint);
        Assert.Equal("ssh-ed25519", settings.HostKeyAlgorithm);
        var email = await _f.DbAsync(db => db.SentEmails.SingleAsync(e => e.RelatedId == deployment.Id));
        Assert.StartsWith("Certificate installed:", email.Subject, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", email.Body, StringComparison.Ordinal);

        // installed → deploy check: the server serves the current certificate, so the process is confirmed.
        var checkedDeployment = await _f.WithAsync(s => s.GetRequiredService<DeploymentService>().CheckAsync(deployment.Id, null, "alice", CancellationToken.None));
        Assert.Equal(DeploymentStatus.Confirmed, checkedDeployment.Value.Status);
    }

    [Fact]
    public async Task TryAutoInstall_WrongPassword_FailsAtConnectAndChangesNothing()
    {
        var definitionId = await DefinitionAsync(_nginxPort);
        Assert.True((await SaveAsync(definitionId, NginxSettings(SshAuthMethod.Password, "not-the-password"))).IsSuccess);
        var deployment = await PrepareAsync(definitionId);
        var before = await File.ReadAllTextAsync(FullChain);
        var keyBefore = await File.ReadAllTextAsync(Key);

        var result = await TryAutoInstallAsync(deployment.Id);

        Assert.Equal("ssh-auth-failed", result.Error?.Code);
        await AssertNothingChangedAsync(before, keyBefore);
        var stored = await _f.DbAsync(db => db.Deployments.AsNoTracking().SingleAsync(d => d.Id == deployment.Id));
        Assert.Equal(DeploymentStatus.Prepared, stored.Status);
        var failure = await _f.DbAsync(db => db.DeploymentEvents.SingleAsync(e => e.DeploymentId == deployment.Id && e.Action == "request-install"));
        Assert.Equal("failure", failure.Outcome);
        Assert.Contains("failed at connect", failure.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password", failure.Detail, StringComparison.Ordinal);
        Assert.Null((await _f.DbAsync(db => db.SshInstallSettings.AsNoTracking().SingleAsync(s => s.DefinitionId == definitionId))).HostKeyFingerprint);
    }

    [Fact]
    public async Task TryAutoInstall_HostKeyChanged_RefusedRecordedAndNothingChanged()
    {
        var definitionId = await DefinitionAsync(_nginxPort);
        Assert.True((await SaveAsync(definitionId, NginxSettings())).IsSuccess);
        var tested = await _f.WithAsync(s => s.GetRequiredService<AutoInstallService>().TestAsync(definitionId, "alice", CancellationToken.None));
        Assert.True(tested.Value.Ok, string.Join("; ", tested.Value.Findings.Select(f => f.Detail)));
        var pinned = _ssh.HostFingerprint;
        await _ssh.ChangeHostKeyAsync();
        var deployment = await PrepareAsync(definitionId);
        var before = await File.ReadAllTextAsync(FullChain);
        var keyBefore = await File.ReadAllTextAsync(Key);

        var result = await TryAutoInstallAsync(deployment.Id);

        Assert.Equal("ssh-host-key-changed", result.Error?.Code);
        Assert.Contains(pinned, result.Error!.Message, StringComparison.Ordinal);
        await AssertNothingChangedAsync(before, keyBefore);
        var settings = await _f.DbAsync(db => db.SshInstallSettings.AsNoTracking().SingleAsync(s => s.DefinitionId == definitionId));
        Assert.Equal(pinned, settings.HostKeyFingerprint);
        Assert.True(await _f.DbAsync(db => db.AuditEvents.AnyAsync(a => a.ObjectId == definitionId.ToString() && a.Action == "auto-install-host-key-changed")));
        var failure = await _f.DbAsync(db => db.DeploymentEvents.SingleAsync(e => e.DeploymentId == deployment.Id && e.Action == "request-install"));
        Assert.Contains("failed at host-key", failure.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Install_KeyNotMatchingCertificate_NginxRejectsAndRollbackKeepsOldServed()
    {
        var definitionId = await DefinitionAsync(_nginxPort);
        Assert.True((await SaveAsync(definitionId, NginxSettings())).IsSuccess);
        var settings = await _f.DbAsync(db => db.SshInstallSettings.AsNoTracking().SingleAsync(s => s.DefinitionId == definitionId));
        var login = await _f.WithAsync(s => Task.FromResult(SshInstallPlans.Login(settings, s.GetRequiredService<SecretProtector>())));
        using var otherKey = _old.GetECDsaPrivateKey()!;
        // The new certificate with the old certificate's key: nginx -t refuses the pair.
        var plan = SshInstallPlans.PlanOf(settings, _new.ExportCertificatePem() + "\n", _pki.Intermediate.ExportCertificatePem() + "\n", otherKey.ExportPkcs8PrivateKeyPem());
        var before = await File.ReadAllTextAsync(FullChain);
        var keyBefore = await File.ReadAllTextAsync(Key);

        var opened = await SshSession.OpenAsync(login.Value, CancellationToken.None);
        Assert.True(opened.IsSuccess, opened.Error?.Message);
        InstallOutcome outcome;
        using (var session = opened.Value)
        {
            outcome = await SshInstaller.InstallAsync(session, plan, CancellationToken.None);
        }

        var failed = Assert.IsType<InstallOutcome.Failed>(outcome);
        Assert.Equal("validate", failed.Step);
        Assert.Contains("previous files are back", failed.Error.Message, StringComparison.Ordinal);
        await AssertNothingChangedAsync(before, keyBefore);
        await AssertServedAsync(_nginxPort, _old);
    }

    [Fact]
    public async Task Install_OwnerUnknownOnServer_FailsAtPermissionsNothingPlacedNoBackupTouched()
    {
        var definitionId = await DefinitionAsync(_nginxPort);
        Assert.True((await SaveAsync(definitionId, NginxSettings() with { FileOwner = "no-such-user-certmgr" })).IsSuccess);
        var settings = await _f.DbAsync(db => db.SshInstallSettings.AsNoTracking().SingleAsync(s => s.DefinitionId == definitionId));
        var login = await _f.WithAsync(s => Task.FromResult(SshInstallPlans.Login(settings, s.GetRequiredService<SecretProtector>())));
        using var newKey = _new.GetECDsaPrivateKey()!;
        var plan = SshInstallPlans.PlanOf(settings, _new.ExportCertificatePem() + "\n", _pki.Intermediate.ExportCertificatePem() + "\n", newKey.ExportPkcs8PrivateKeyPem());
        var before = await File.ReadAllTextAsync(FullChain);
        var keyBefore = await File.ReadAllTextAsync(Key);
        File.Delete(FullChain + SshInstaller.BackupSuffix);

        var opened = await SshSession.OpenAsync(login.Value, CancellationToken.None);
        Assert.True(opened.IsSuccess, opened.Error?.Message);
        InstallOutcome outcome;
        using (var session = opened.Value)
        {
            outcome = await SshInstaller.InstallAsync(session, plan, CancellationToken.None);
        }

        // chown to an unknown user fails in the one place script: the step is named, the new files are cleaned up, and
        // neither the backup nor the move ran.
        var failed = Assert.IsType<InstallOutcome.Failed>(outcome);
        Assert.Equal("permissions", failed.Step);
        Assert.Equal("ssh-permissions-failed", failed.Error.Code);
        Assert.Contains("no-such-user-certmgr", failed.Error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(FullChain + SshInstaller.BackupSuffix));
        await AssertNothingChangedAsync(before, keyBefore);
    }

    [Fact]
    public async Task Test_ReportsSoftwarePathsValidateAndReloadWithoutChangingAnything()
    {
        var definitionId = await DefinitionAsync(_nginxPort);
        Assert.True((await SaveAsync(definitionId, NginxSettings())).IsSuccess);
        var before = await File.ReadAllTextAsync(FullChain);
        var keyBefore = await File.ReadAllTextAsync(Key);

        var report = await _f.WithAsync(s => s.GetRequiredService<AutoInstallService>().TestAsync(definitionId, "alice", CancellationToken.None));

        Assert.True(report.IsSuccess, report.Error?.Message);
        Assert.True(report.Value.Ok, string.Join("; ", report.Value.Findings.Select(f => f.Detail)));
        Assert.Equal(["login", "software", "path", "validate", "reload"], report.Value.Findings.Select(f => f.Name).Distinct());
        Assert.Contains(report.Value.Findings, f => f.Name == "login" && f.Detail.Contains("pinned now", StringComparison.Ordinal));
        Assert.Contains(report.Value.Findings, f => f.Name == "software" && f.Detail.Contains("/nginx", StringComparison.Ordinal));
        Assert.Contains(report.Value.Findings, f => f.Name == "reload" && f.Detail.Contains("as root", StringComparison.Ordinal));
        await AssertNothingChangedAsync(before, keyBefore);
        Assert.Equal(_ssh.HostFingerprint, (await _f.DbAsync(db => db.SshInstallSettings.AsNoTracking().SingleAsync(s => s.DefinitionId == definitionId))).HostKeyFingerprint);

        // A validate command that fails is reported as such, with its output.
        Assert.True((await SaveAsync(definitionId, NginxSettings(validate: $"{Nginx.Replace("nginx.conf", "missing.conf", StringComparison.Ordinal)} -t -q"))).IsSuccess);
        var failing = await _f.WithAsync(s => s.GetRequiredService<AutoInstallService>().TestAsync(definitionId, "alice", CancellationToken.None));
        Assert.False(failing.Value.Ok);
        var validate = Assert.Single(failing.Value.Findings, f => f.Name == "validate");
        Assert.False(validate.Ok);
        Assert.Contains("missing.conf", validate.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TryAutoInstall_Apache_ServesNewCertificate()
    {
        var dir = Directory.CreateTempSubdirectory("certmgr-ssh-apache-").FullName;
        var cert = Path.Combine(dir, "fullchain.pem");
        var key = Path.Combine(dir, "privkey.pem");
        await WriteCertAsync(_old, cert, key);
        await using var apache = await ApacheServer.StartAsync(dir, cert, key);
        var definitionId = await DefinitionAsync(apache.Port, ServerSoftware.ApacheHttpd);
        var saved = await SaveAsync(definitionId, new AutoInstallInput
        {
            Profile = ServerSoftware.ApacheHttpd, Host = "127.0.0.1", Port = _ssh.Port, Username = "root", PrivateKey = _ssh.ClientKey,
            FullChainPath = cert, KeyPath = key, FileGroup = "root", KeyMode = "0640",
            ValidateCommand = $"apache2 -f {apache.ConfigPath} -t", ReloadCommand = $"apache2 -f {apache.ConfigPath} -k graceful",
        });
        Assert.True(saved.IsSuccess, saved.Error?.Message);
        Assert.Equal(_old.RawData, await ServedLeafAsync(apache.Port));
        var deployment = await PrepareAsync(definitionId, ServerSoftware.ApacheHttpd);

        var installed = await TryAutoInstallAsync(deployment.Id);

        Assert.True(installed.IsSuccess, installed.Error?.Message);
        await AssertServedAsync(apache.Port, _new);
        Assert.Equal("640 root", SshServer.Run("stat", "-c", "%a %G", key).Trim());
    }

    [Fact]
    public async Task Save_SecretsAreSealedAndNeverReturned_AndBadInputGetsFieldErrors()
    {
        var definitionId = await DefinitionAsync(_nginxPort);
        var saved = await SaveAsync(definitionId, NginxSettings(SshAuthMethod.Password, "S3cret-SSH-Password"));

        Assert.True(saved.IsSuccess, saved.Error?.Message);
        Assert.True(saved.Value.HasPassword);
        Assert.DoesNotContain("S3cret-SSH-Password", System.Text.Json.JsonSerializer.Serialize(saved.Value), StringComparison.Ordinal);
        var stored = await _f.DbAsync(db => db.SshInstallSettings.AsNoTracking().SingleAsync(s => s.DefinitionId == definitionId));
        Assert.DoesNotContain("S3cret-SSH-Password", Encoding.UTF8.GetString(stored.EncryptedPassword!), StringComparison.Ordinal);

        // An empty password keeps the stored one; bad fields are named and nothing changes.
        var kept = await SaveAsync(definitionId, NginxSettings(SshAuthMethod.Password) with { Username = "deploy" });
        Assert.True(kept.IsSuccess, kept.Error?.Message);
        Assert.True(kept.Value.HasPassword);
        var bad = await SaveAsync(definitionId, NginxSettings(SshAuthMethod.Password) with { Host = "", KeyMode = "0644", KeyPath = "relative/key.pem", PrivateKey = null });
        Assert.Equal("auto-install-invalid", bad.Error?.Code);
        Assert.Equal(["host", "keyMode", "keyPath"], bad.Error!.Fields!.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("deploy", (await _f.DbAsync(db => db.SshInstallSettings.AsNoTracking().SingleAsync(s => s.DefinitionId == definitionId))).Username);

        // Profile defaults fill what is left empty.
        var defaults = await SaveAsync(definitionId, new AutoInstallInput { Profile = ServerSoftware.HaProxy, Host = "127.0.0.1", Username = "root", PrivateKey = _ssh.ClientKey });
        Assert.True(defaults.IsSuccess, defaults.Error?.Message);
        Assert.Equal($"/etc/haproxy/certs/{Cn}/{Cn}.pem", defaults.Value.CombinedPath);
        Assert.Equal("haproxy -c -q -f /etc/haproxy/haproxy.cfg", defaults.Value.ValidateCommand);
        Assert.False(defaults.Value.HasPassword);
        Assert.True(defaults.Value.HasPrivateKey);
    }

    [Fact]
    public async Task DeployTargets_ForDefinitionWithSettings_ChoosesSshElseManual()
    {
        var definitionId = await DefinitionAsync(_nginxPort);
        var definition = await _f.DbAsync(db => db.Definitions.AsNoTracking().SingleAsync(d => d.Id == definitionId));
        Assert.Equal(DeployTargetKind.Manual, (await _f.WithAsync(s => s.GetRequiredService<DeployTargets>().ForAsync(definition, CancellationToken.None))).Kind);

        Assert.True((await SaveAsync(definitionId, NginxSettings())).IsSuccess);
        Assert.Equal(DeployTargetKind.Ssh, (await _f.WithAsync(s => s.GetRequiredService<DeployTargets>().ForAsync(definition, CancellationToken.None))).Kind);

        Assert.True((await SaveAsync(definitionId, NginxSettings() with { Enabled = false })).IsSuccess);
        Assert.Equal(DeployTargetKind.Manual, (await _f.WithAsync(s => s.GetRequiredService<DeployTargets>().ForAsync(definition, CancellationToken.None))).Kind);
    }
}
