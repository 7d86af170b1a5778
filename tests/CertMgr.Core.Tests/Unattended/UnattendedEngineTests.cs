using CertMgr.Core.Acquisition;
using CertMgr.Core.Common;
using CertMgr.Core.Deployments.Targets;
using CertMgr.Core.Monitoring;
using CertMgr.Core.Notifications;
using CertMgr.Core.PrivateCa;
using CertMgr.Core.Tests.Acquisition;
using CertMgr.Core.Unattended;
using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CertMgr.Core.Tests.Unattended;

/// <summary>
/// Unattended passes end to end: the built-in CA issues, a deploy target at the I/O seam writes the files of a real
/// nginx on loopback and reloads it, the deploy check and the monitor handshake with it.
/// </summary>
public class UnattendedEngineTests : IAsyncLifetime
{
    private const string Cn = "www.unattended.test";
    private CoreFixture _f = null!;
    private NginxFileTarget _target = null!;
    private int _port;

    protected virtual TestDatabase Database => TestDatabase.Sqlite;

    public async Task InitializeAsync()
    {
        NginxFileTarget? target = null;
        _f = await CoreFixture.CreateAsync(database: Database, configure: services =>
            services.AddSingleton<IDeployTarget>(sp => target ??= new NginxFileTarget(sp.GetRequiredService<IServiceScopeFactory>())));
        // The handshakes run against real time; the CA's certificates must be valid now.
        _f.Time.SetUtcNow(TimeProvider.System.GetUtcNow());
        _target = (NginxFileTarget)_f.WithAsync(s => Task.FromResult(s.GetServices<IDeployTarget>().Single(t => t is NginxFileTarget))).Result;
        _port = await _target.StartNginxAsync();
    }

    public async Task DisposeAsync()
    {
        await _target.StopAsync();
        await _f.DisposeAsync();
    }

    /// <summary>
    /// A lifecycle-managed, unattended definition for nginx on 127.0.0.1:<see cref="_port"/>, trusting the built-in CA,
    /// with a built-in CA product that issues for 30 days (so a fresh certificate is already within the 60-day lead time).
    /// </summary>
    private async Task<Guid> DefinitionAsync(bool withProduct = true, string cn = Cn, string? targetHost = NginxFileTarget.TargetHost)
    {
        var (setId, productId) = await UnattendedTestData.TrustAndProductAsync(_f);
        return await AcquisitionTestData.AddDefinitionAsync(_f, cn, [cn], configure: d =>
        {
            d.ExecutionMode = ExecutionMode.Unattended;
            d.ProductId = withProduct ? productId : null;
            d.ServerSoftware = ServerSoftware.Nginx;
            d.TargetServerName = targetHost;
            d.ServerNameForCheck = "127.0.0.1";
            d.CheckPort = _port;
            d.TrustedCaSetId = setId;
            d.ExpiryThresholdDays = 7;
        });
    }

    private async Task<UnattendedRun> PassAsync()
    {
        var run = await _f.WithAsync(s => s.GetRequiredService<UnattendedEngine>().RunPassAsync(RunTrigger.Manual, "t", CancellationToken.None));
        Assert.True(run.IsSuccess, run.Error?.Message);
        return run.Value;
    }

    private Task<CertificateDefinition> LoadAsync(Guid id) =>
        _f.DbAsync(db => db.Definitions.AsNoTracking().Include(d => d.CurrentCertificate).SingleAsync(d => d.Id == id));

    [Fact]
    public async Task RunPass_CertificateWithinLeadTime_RenewedInstalledConfirmedAndMonitoredOk()
    {
        var id = await DefinitionAsync();
        var first = await PassAsync(); // scenario 3: no certificate yet, nginx serves a self-signed placeholder
        Assert.Equal(UnattendedOutcome.Completed, Assert.Single(first.Items).Outcome);
        var before = await LoadAsync(id);
        Assert.True(before.CurrentNotAfter < _f.Time.GetUtcNow().AddDays(before.RenewalLeadDays));

        var second = await PassAsync();

        var item = Assert.Single(second.Items);
        Assert.Equal(UnattendedOutcome.Completed, item.Outcome);
        Assert.Equal(1, second.CompletedCount);
        var after = await LoadAsync(id);
        Assert.NotEqual(before.CurrentCertificateId, after.CurrentCertificateId);
        Assert.Equal(after.CurrentCertificate!.Sha1, await _target.ServedAsync());
        Assert.Equal(DeploymentStatus.Confirmed, after.DeployStatus);
        Assert.Null(after.NextStatus);
        var requests = await _f.DbAsync(db => db.Requests.AsNoTracking().Where(r => r.DefinitionId == id).OrderBy(r => r.CreatedAt).ToListAsync());
        Assert.Equal([RequestKind.New, RequestKind.Renewal], requests.Select(r => r.Kind));
        Assert.All(requests, r => Assert.Equal(RequestStatus.Completed, r.Status));
        Assert.Equal(2, await _f.DbAsync(db => db.IssuedCertificates.CountAsync(c => c.Profile == IssuedCertificateProfile.Server)));
        Assert.Contains("\"check\"", item.TimingsJson, StringComparison.Ordinal);

        var monitor = await _f.WithAsync(s => s.GetRequiredService<MonitorService>().RunAsync(RunTrigger.Manual, "t", CancellationToken.None));
        Assert.True(monitor.IsSuccess, monitor.Error?.Message);
        var result = await _f.DbAsync(db => db.MonitorResults.AsNoTracking().SingleAsync(r => r.MonitorRunId == monitor.Value.Id && r.DefinitionId == id));
        Assert.True(result.Status == CheckStatus.Ok, result.Reason);

        var actions = await _f.DbAsync(db => db.AuditEvents.AsNoTracking()
            .Where(e => e.Actor == UnattendedEngine.Actor && e.ObjectId == id.ToString()).Select(e => e.Action).ToListAsync());
        Assert.Equal(2, actions.Count(a => a == UnattendedProcess.CompletedAction));
        foreach (var step in new[] { AcquisitionActions.Start, AcquisitionActions.Key, AcquisitionActions.Issued, AcquisitionActions.Complete, "deploy-prepare", "deploy-request-install", "deploy-check" })
        {
            Assert.Equal(2, actions.Count(a => a == step));
        }
    }

    [Fact]
    public async Task RunPass_NoProduct_InterruptedOnceNotifiedOnceThenResumedWhenProductSet()
    {
        var id = await DefinitionAsync(withProduct: false);

        var first = await PassAsync();
        var second = await PassAsync();

        Assert.Equal(UnattendedOutcome.Interrupted, Assert.Single(first.Items).Outcome);
        Assert.Equal(UnattendedSteps.Product, Assert.Single(second.Items).Step);
        var definition = await LoadAsync(id);
        Assert.Equal(RequestStatus.Interrupted, definition.NextStatus);
        Assert.Contains("no product", definition.NextInterruptReason, StringComparison.Ordinal);
        var notification = Assert.Single(await _f.DbAsync(db => db.Notifications.AsNoTracking().ToListAsync()));
        Assert.Equal(NotificationStatus.Pending, notification.Status);
        Assert.Equal(id, notification.DefinitionId);
        Assert.Contains("no product", notification.Body, StringComparison.Ordinal);
        Assert.Equal(1, await _f.DbAsync(db => db.AuditEvents.CountAsync(e => e.Action == UnattendedProcess.InterruptedAction)));
        var waiting = await _f.WithAsync(s => s.GetRequiredService<UnattendedQueries>().StatusAsync(CancellationToken.None));
        Assert.Equal(id, Assert.Single(waiting.Waiting).DefinitionId);

        var productId = await _f.DbAsync(db => db.Products.Where(p => p.Name == "Built-in 30 days").Select(p => p.Id).SingleAsync());
        await _f.DbAsync(async db =>
        {
            var d = await db.Definitions.SingleAsync(x => x.Id == id);
            d.ProductId = productId;
            return await db.SaveChangesAsync();
        });
        var third = await PassAsync();

        Assert.Equal(UnattendedOutcome.Completed, Assert.Single(third.Items).Outcome);
        var done = await LoadAsync(id);
        Assert.Equal(done.CurrentCertificate!.Sha1, await _target.ServedAsync());
        Assert.Single(await _f.DbAsync(db => db.Requests.AsNoTracking().Where(r => r.DefinitionId == id).ToListAsync()));
        Assert.Empty((await _f.WithAsync(s => s.GetRequiredService<UnattendedQueries>().StatusAsync(CancellationToken.None))).Waiting);
        // Still one interruption notice; the finished process adds its install notification and deploy-check result.
        var kinds = await _f.DbAsync(db => db.Notifications.AsNoTracking().OrderBy(n => n.Kind).Select(n => n.Kind).ToListAsync());
        Assert.Equal([NotificationKinds.DeployCheck, NotificationKinds.InstallNotification, NotificationKinds.UnattendedInterrupted], kinds);
    }

    [Fact]
    public async Task RunPass_InstallFails_InterruptedWithStepNginxUnchangedThenResumedOnceFixed()
    {
        var id = await DefinitionAsync();
        var placeholder = await _target.ServedAsync();
        _target.FailWith = new Error("ssh-auth-failed", "The SSH login to web01 was refused (wrong password).");

        var failed = await PassAsync();
        var again = await PassAsync();

        var item = Assert.Single(failed.Items);
        Assert.Equal(UnattendedOutcome.Interrupted, item.Outcome);
        Assert.Equal(UnattendedSteps.Install, item.Step);
        Assert.Contains("wrong password", item.Detail, StringComparison.Ordinal);
        Assert.Equal(UnattendedOutcome.Interrupted, Assert.Single(again.Items).Outcome);
        Assert.Equal(placeholder, await _target.ServedAsync());
        var notification = Assert.Single(await _f.DbAsync(db => db.Notifications.AsNoTracking().ToListAsync()));
        Assert.NotNull(notification.DeploymentId);
        Assert.Equal(1, await _f.DbAsync(db => db.IssuedCertificates.CountAsync(c => c.Profile == IssuedCertificateProfile.Server)));

        _target.FailWith = null;
        var fixedRun = await PassAsync();

        Assert.Equal(UnattendedOutcome.Completed, Assert.Single(fixedRun.Items).Outcome);
        var done = await LoadAsync(id);
        Assert.Equal(done.CurrentCertificate!.Sha1, await _target.ServedAsync());
        Assert.Equal(DeploymentStatus.Confirmed, done.DeployStatus);
        Assert.Equal(1, await _f.DbAsync(db => db.Deployments.CountAsync()));
        Assert.Equal(3, _target.Installs);
    }

    [Fact]
    public async Task RunPass_LeaseHeldByAnotherNode_SkippedAndNothingStarted()
    {
        var id = await DefinitionAsync();
        Assert.True(await _f.WithAsync(s => s.GetRequiredService<UnattendedLeases>().TryAcquireAsync(id, "other-node/pass", CancellationToken.None)));

        var run = await PassAsync();

        var item = Assert.Single(run.Items);
        Assert.Equal(UnattendedOutcome.Skipped, item.Outcome);
        Assert.Equal(1, run.SkippedCount);
        Assert.Equal(0, await _f.DbAsync(db => db.Requests.CountAsync(r => r.DefinitionId == id)));
        var state = await _f.DbAsync(db => db.UnattendedStates.AsNoTracking().SingleAsync(s => s.DefinitionId == id));
        Assert.Equal("other-node/pass", state.LeaseOwner);
    }

    [Fact]
    public async Task RunPass_SubmissionInterruptedAfterTheCaIssued_TakesThatCertificateInsteadOfASecond()
    {
        var id = await DefinitionAsync();
        // The state a crash right after signing leaves: the submission on record (Pending), the CA's ledger row Valid,
        // the request still waiting for its certificate.
        var requestId = await _f.WithAsync(async s =>
        {
            var acquisition = s.GetRequiredService<AcquisitionService>();
            var started = await acquisition.StartAsync(id, RequestKind.New, "t", CancellationToken.None);
            var keyed = await acquisition.SetKeyAsync(started.Value.Id, KeyChoice.New, null, "t", CancellationToken.None);
            var db = s.GetRequiredService<CertMgrDbContext>();
            var connectionId = await db.CaConnections.Where(c => c.Kind == CaConnectionKind.BuiltInCa).Select(c => c.Id).SingleAsync();
            db.CaSubmissions.Add(new CaSubmission { RequestId = started.Value.Id, CaConnectionId = connectionId, Status = SubmissionStatus.Pending, SubmittedAt = _f.Time.GetUtcNow() });
            await db.SaveChangesAsync();
            _f.Time.Advance(TimeSpan.FromSeconds(1));
            using var key = SealedKeys.Open(keyed.Value.PrivateKey!, s.GetRequiredService<CertMgr.Data.Secrets.SecretProtector>());
            var publicKey = System.Security.Cryptography.X509Certificates.PublicKey.CreateFromSubjectPublicKeyInfo(key.ExportSubjectPublicKeyInfo(), out _);
            using var issued = (await s.GetRequiredService<CaIssuance>().IssueForDefinitionAsync(id, publicKey, 30, "t", CancellationToken.None)).Value;
            return started.Value.Id;
        });
        var serial = await _f.DbAsync(db => db.IssuedCertificates.AsNoTracking().Where(c => c.Profile == IssuedCertificateProfile.Server).Select(c => c.SerialNumber).SingleAsync());

        var run = await PassAsync();

        Assert.Equal(UnattendedOutcome.Completed, Assert.Single(run.Items).Outcome);
        Assert.Equal(1, await _f.DbAsync(db => db.IssuedCertificates.CountAsync(c => c.Profile == IssuedCertificateProfile.Server)));
        var request = await _f.DbAsync(db => db.Requests.AsNoTracking().Include(r => r.Certificate).SingleAsync(r => r.Id == requestId));
        Assert.Equal(RequestStatus.Completed, request.Status);
        Assert.Equal(serial, request.Certificate!.SerialNumber);
        var submission = await _f.DbAsync(db => db.CaSubmissions.AsNoTracking().SingleAsync(x => x.RequestId == requestId));
        Assert.Equal(SubmissionStatus.Issued, submission.Status);
    }
}
