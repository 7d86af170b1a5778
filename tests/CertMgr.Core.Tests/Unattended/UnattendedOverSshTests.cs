using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.Deployments.Ssh;
using CertMgr.Core.Monitoring;
using CertMgr.Core.Tests.Acquisition;
using CertMgr.Core.Tests.Deployments.Ssh;
using CertMgr.Core.Tests.Probe;
using CertMgr.Core.Unattended;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CertMgr.Core.Tests.Unattended;

/// <summary>
/// The unattended engine with the real SSH deploy target: the built-in CA issues, CertMgr logs in to OpenSSH's sshd on
/// loopback, installs into a real nginx (validate, reload, rollback on failure), and the deploy check and the monitor
/// handshake with nginx. Nothing stands in for a server here.
/// </summary>
public sealed class UnattendedOverSshTests : IAsyncLifetime
{
    private const string Cn = "www.unattended-ssh.test";
    private readonly TestPki _pki = new();
    private readonly string _certs = Directory.CreateTempSubdirectory("certmgr-unattended-ssh-").FullName;
    private readonly int _port = TestPorts.Next();
    private CoreFixture _f = null!;
    private SshServer _ssh = null!;
    private NginxServer _nginx = null!;
    private X509Certificate2 _placeholder = null!;

    private string FullChain => Path.Combine(_certs, "fullchain.pem");
    private string Key => Path.Combine(_certs, "privkey.pem");
    private string Nginx => $"nginx -p {_nginx.Prefix} -c {_nginx.ConfigPath} -e {_nginx.Prefix}/logs/error.log";

    public async Task InitializeAsync()
    {
        _f = await CoreFixture.CreateAsync();
        _f.Time.SetUtcNow(TimeProvider.System.GetUtcNow()); // real handshakes: the CA's certificates must be valid now
        _placeholder = _pki.Leaf(Cn, [Cn]);
        await File.WriteAllTextAsync(FullChain, _placeholder.ExportCertificatePem() + "\n");
        using (var key = _placeholder.GetECDsaPrivateKey()!)
        {
            await File.WriteAllTextAsync(Key, key.ExportPkcs8PrivateKeyPem());
        }

        _nginx = await NginxServer.StartWithFilesAsync([(_port, FullChain, Key)]);
        _ssh = await SshServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _ssh.DisposeAsync();
        await _nginx.DisposeAsync();
        _placeholder.Dispose();
        _pki.Dispose();
        await _f.DisposeAsync();
        Directory.Delete(_certs, recursive: true);
    }

    /// <summary>An unattended definition for nginx on 127.0.0.1:<see cref="_port"/> with auto-install over SSH set up.</summary>
    private async Task<Guid> DefinitionAsync(string validateCommand)
    {
        var (setId, productId) = await UnattendedTestData.TrustAndProductAsync(_f);
        var id = await AcquisitionTestData.AddDefinitionAsync(_f, Cn, [Cn], configure: d =>
        {
            d.ExecutionMode = ExecutionMode.Unattended;
            d.ProductId = productId;
            d.ServerSoftware = ServerSoftware.Nginx;
            d.TargetServerName = "web01.unattended-ssh.test";
            d.ServerNameForCheck = "127.0.0.1";
            d.CheckPort = _port;
            d.TrustedCaSetId = setId;
            d.ExpiryThresholdDays = 7;
        });
        await SaveSettingsAsync(id, validateCommand);
        return id;
    }

    private async Task SaveSettingsAsync(Guid definitionId, string validateCommand)
    {
        var saved = await _f.WithAsync(s => s.GetRequiredService<AutoInstallService>().SaveAsync(definitionId, new AutoInstallInput
        {
            Profile = ServerSoftware.Nginx,
            Host = "127.0.0.1",
            Port = _ssh.Port,
            Username = "root",
            AuthMethod = SshAuthMethod.PrivateKey,
            PrivateKey = _ssh.ClientKey,
            FullChainPath = FullChain,
            KeyPath = Key,
            ValidateCommand = validateCommand,
            ReloadCommand = $"{Nginx} -s reload",
        }, "alice", CancellationToken.None));
        Assert.True(saved.IsSuccess, saved.Error?.Message);
    }

    private async Task<UnattendedRun> PassAsync()
    {
        var run = await _f.WithAsync(s => s.GetRequiredService<UnattendedEngine>().RunPassAsync(RunTrigger.Manual, "t", CancellationToken.None));
        Assert.True(run.IsSuccess, run.Error?.Message);
        return run.Value;
    }

    private async Task<(CertificateDefinition Definition, X509Certificate2 Current)> LoadAsync(Guid id)
    {
        var definition = await _f.DbAsync(db => db.Definitions.AsNoTracking().Include(d => d.CurrentCertificate).SingleAsync(d => d.Id == id));
        return (definition, X509CertificateLoader.LoadCertificate(definition.CurrentCertificate!.Der));
    }

    [Fact]
    public async Task RunPass_OverSsh_IssuesThenRenewsIntoNginxConfirmedAndMonitoredOk()
    {
        var id = await DefinitionAsync($"{Nginx} -t -q");
        Assert.Equal(UnattendedOutcome.Completed, Assert.Single((await PassAsync()).Items).Outcome); // no certificate yet
        var (before, first) = await LoadAsync(id);
        using var firstCertificate = first;
        Assert.True(before.CurrentNotAfter < _f.Time.GetUtcNow().AddDays(before.RenewalLeadDays)); // 30-day product, 60-day lead

        var renewal = await PassAsync();

        var item = Assert.Single(renewal.Items);
        Assert.True(item.Outcome == UnattendedOutcome.Completed, item.Detail);
        // Where the time went, down to the parts of the install over SSH.
        var timings = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, long>>(item.TimingsJson!)!;
        foreach (var part in new[] { "submit", "install", "check", "install.ssh-login", "install.ssh-upload", "install.ssh-place", "install.ssh-validate", "install.ssh-reload" })
        {
            Assert.True(timings.ContainsKey(part), $"no time recorded for {part}: {item.TimingsJson}");
        }

        Assert.True(timings["install"] >= timings["install.ssh-reload"] + timings["install.ssh-validate"], item.TimingsJson);
        var (after, renewed) = await LoadAsync(id);
        using var renewedCertificate = renewed;
        Assert.NotEqual(before.CurrentCertificateId, after.CurrentCertificateId);
        await SshInstallTests.AssertServedAsync(_port, renewed, Cn);
        Assert.Equal(DeploymentStatus.Confirmed, after.DeployStatus);
        Assert.Equal(2, await _f.DbAsync(db => db.IssuedCertificates.CountAsync(c => c.Profile == IssuedCertificateProfile.Server)));
        Assert.Equal("600", SshServer.Run("stat", "-c", "%a", Key).Trim());

        var monitor = await _f.WithAsync(s => s.GetRequiredService<MonitorService>().RunAsync(RunTrigger.Manual, "t", CancellationToken.None));
        Assert.True(monitor.IsSuccess, monitor.Error?.Message);
        var result = await _f.DbAsync(db => db.MonitorResults.AsNoTracking().SingleAsync(r => r.MonitorRunId == monitor.Value.Id && r.DefinitionId == id));
        Assert.True(result.Status == CheckStatus.Ok, result.Reason);
    }

    [Fact]
    public async Task RunPass_ManySitesOnOneServer_InstallsDoNotTripOverEachOther()
    {
        // Six sites on one nginx, installed in one pass by parallel workers: every reload reads every site's files, so
        // the installs into one server must not interleave (a site's new certificate beside its old key fails a reload).
        const int Sites = 6;
        var ports = Enumerable.Range(0, Sites).Select(_ => TestPorts.Next()).Distinct().ToList();
        var files = new List<(int Port, string Chain, string Key, string Cn)>();
        foreach (var (port, i) in ports.Select((p, i) => (p, i)))
        {
            var cn = $"site{i}.unattended-ssh.test";
            using var leaf = _pki.Leaf(cn, [cn]);
            var chain = Path.Combine(_certs, $"site{i}.pem");
            var key = Path.Combine(_certs, $"site{i}.key");
            await File.WriteAllTextAsync(chain, leaf.ExportCertificatePem() + "\n");
            using (var ec = leaf.GetECDsaPrivateKey()!)
            {
                await File.WriteAllTextAsync(key, ec.ExportPkcs8PrivateKeyPem());
            }

            files.Add((port, chain, key, cn));
        }

        await using var sites = await NginxServer.StartWithFilesAsync([.. files.Select(f => (f.Port, f.Chain, f.Key))]);
        var command = $"nginx -p {sites.Prefix} -c {sites.ConfigPath} -e {sites.Prefix}/logs/error.log";
        // The validate command also holds a marker directory for a moment: a second install validating into this server
        // at the same time cannot make it, fails its validation and is interrupted. Only installs one after the other pass.
        var marker = Path.Combine(_certs, "validating");
        var validate = $"{command} -t -q && mkdir {marker} && sleep 0.3 && rmdir {marker}";
        var (setId, productId) = await UnattendedTestData.TrustAndProductAsync(_f);
        var ids = new List<Guid>();
        foreach (var site in files)
        {
            var id = await AcquisitionTestData.AddDefinitionAsync(_f, site.Cn, [site.Cn], configure: d =>
            {
                d.ExecutionMode = ExecutionMode.Unattended;
                d.ProductId = productId;
                d.ServerSoftware = ServerSoftware.Nginx;
                d.TargetServerName = "web01.unattended-ssh.test";
                d.ServerNameForCheck = "127.0.0.1";
                d.CheckPort = site.Port;
                d.TrustedCaSetId = setId;
                d.ExpiryThresholdDays = 7;
            });
            var saved = await _f.WithAsync(s => s.GetRequiredService<AutoInstallService>().SaveAsync(id, new AutoInstallInput
            {
                Profile = ServerSoftware.Nginx, Host = "127.0.0.1", Port = _ssh.Port, Username = "root", AuthMethod = SshAuthMethod.PrivateKey,
                PrivateKey = _ssh.ClientKey, FullChainPath = site.Chain, KeyPath = site.Key, ValidateCommand = validate,
                ReloadCommand = $"{command} -s reload",
            }, "alice", CancellationToken.None));
            Assert.True(saved.IsSuccess, saved.Error?.Message);
            ids.Add(id);
        }

        var run = await PassAsync();

        Assert.Equal(Sites, run.Items.Count);
        Assert.All(run.Items, item => Assert.True(item.Outcome == UnattendedOutcome.Completed, $"{item.Step}: {item.Detail}"));
        foreach (var (id, site) in ids.Zip(files))
        {
            var (definition, current) = await LoadAsync(id);
            using var currentCertificate = current;
            Assert.Equal(DeploymentStatus.Confirmed, definition.DeployStatus);
            await SshInstallTests.AssertServedAsync(site.Port, current, site.Cn);
        }
    }

    [Fact]
    public async Task RunPass_OverSsh_ValidationFails_RolledBackInterruptedThenResumedOnceFixed()
    {
        // nginx -t refuses (a config check that fails): the install must roll back and nginx keep its certificate.
        var id = await DefinitionAsync($"{Nginx} -t -q && false");

        var failed = Assert.Single((await PassAsync()).Items);

        Assert.Equal(UnattendedOutcome.Interrupted, failed.Outcome);
        Assert.Equal(UnattendedSteps.Install, failed.Step);
        Assert.Contains("validate", failed.Detail, StringComparison.Ordinal);
        await SshInstallTests.AssertServedAsync(_port, _placeholder, Cn);
        Assert.Contains(_placeholder.ExportCertificatePem(), await File.ReadAllTextAsync(FullChain), StringComparison.Ordinal);
        Assert.NotNull(Assert.Single(await _f.DbAsync(db => db.Notifications.AsNoTracking().ToListAsync())).DeploymentId);

        await SaveSettingsAsync(id, $"{Nginx} -t -q");
        var resumed = Assert.Single((await PassAsync()).Items);

        Assert.True(resumed.Outcome == UnattendedOutcome.Completed, resumed.Detail);
        var (done, current) = await LoadAsync(id);
        using var currentCertificate = current;
        await SshInstallTests.AssertServedAsync(_port, current, Cn);
        Assert.Equal(DeploymentStatus.Confirmed, done.DeployStatus);
        Assert.Equal(1, await _f.DbAsync(db => db.IssuedCertificates.CountAsync(c => c.Profile == IssuedCertificateProfile.Server)));
    }
}
