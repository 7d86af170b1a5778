using System.Text;
using CertMgr.Core.Deployments.Targets;
using CertMgr.Core.Monitoring;
using CertMgr.Core.Tests.Acme;
using CertMgr.Core.Tests.Acquisition;
using CertMgr.Core.TrustedCas;
using CertMgr.Core.Unattended;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CertMgr.Core.Tests.Unattended;

/// <summary>
/// The unattended engine with an ACME product: a real pebble (and BIND) as the CA, CertMgr's HTTP-01 responder
/// answering its challenges, a deploy target at the I/O seam writing a real nginx's files, and the deploy check and
/// the monitor handshaking with nginx. No person takes part: the first pass obtains and installs the first
/// certificate, and once it is within the lead time the next pass renews it the same way.
/// </summary>
public sealed class UnattendedAcmeTests(PebbleFixture pebble) : IClassFixture<PebbleFixture>, IAsyncLifetime
{
    private const string Cn = "unattended.example.test";
    private readonly AcmeTestbed _bed = pebble.Bed;
    private CoreFixture _f = null!;
    private NginxFileTarget _target = null!;
    private int _port;

    public async Task InitializeAsync()
    {
        NginxFileTarget? target = null;
        _f = await CoreFixture.CreateAsync(configure: services =>
            services.AddSingleton<IDeployTarget>(sp => target ??= new NginxFileTarget(sp.GetRequiredService<IServiceScopeFactory>())));
        _target = await _f.WithAsync(s => Task.FromResult((NginxFileTarget)s.GetServices<IDeployTarget>().Single(t => t is NginxFileTarget)));
        _port = await _target.StartNginxAsync();
    }

    public async Task DisposeAsync()
    {
        await _target.StopAsync();
        await _f.DisposeAsync();
    }

    [Fact]
    public async Task RunPass_AcmeProduct_ObtainsInstallsThenRenewsWithoutAPerson()
    {
        var connection = await AcmeSteps.ConnectionAsync(_f, AcmeSteps.Http01(_bed));
        var product = await AcmeSteps.ProductAsync(_f, connection.Id);
        var set = await _f.WithAsync(s => s.GetRequiredService<TrustedCaSets>().CreateAsync("pebble", [], "t", CancellationToken.None));
        await _f.WithAsync(async s => await s.GetRequiredService<TrustedCaSets>().SaveAndMergeAsync(set.Value.Id, [],
            [Encoding.ASCII.GetBytes(await _bed.RootPemAsync())], [], "t", CancellationToken.None));
        var id = await AcquisitionTestData.AddDefinitionAsync(_f, Cn, [Cn], configure: d =>
        {
            d.ExecutionMode = ExecutionMode.Unattended;
            d.ProductId = product.Id;
            d.ServerSoftware = ServerSoftware.Nginx;
            d.TargetServerName = NginxFileTarget.TargetHost;
            d.ServerNameForCheck = "127.0.0.1";
            d.CheckPort = _port;
            d.TrustedCaSetId = set.Value.Id;
            d.ExpiryThresholdDays = 7;
        });

        // Pass 1: no certificate yet. pebble issues it over HTTP-01, nginx gets it, the deploy check confirms it.
        var first = Assert.Single((await PassAsync()).Items);
        Assert.True(first.Outcome == UnattendedOutcome.Completed, $"{first.Outcome} at {first.Step}: {first.Detail}\n{_bed.Log("pebble.log")}");
        var issued = await LoadAsync(id);
        Assert.Equal(issued.CurrentCertificate!.Sha1, await _target.ServedAsync());
        Assert.Equal(DeploymentStatus.Confirmed, issued.DeployStatus);
        await AcmeSteps.VerifyWithOpensslAsync(_bed, issued.CurrentCertificate);

        // Not due yet: a pass leaves it alone.
        Assert.Empty((await PassAsync()).Items);

        // Within the lead time (pebble's certificates live for years, so the lead time is stretched past their end):
        // the next pass renews at pebble with a new order and installs the renewal.
        await _f.DbAsync(async db =>
        {
            var d = await db.Definitions.SingleAsync(x => x.Id == id);
            d.RenewalLeadDays = (int)(issued.CurrentNotAfter!.Value - _f.Time.GetUtcNow()).TotalDays + 2;
            await db.SaveChangesAsync();
            return 0;
        });
        var second = Assert.Single((await PassAsync()).Items);
        Assert.True(second.Outcome == UnattendedOutcome.Completed, $"{second.Outcome} at {second.Step}: {second.Detail}");
        var renewed = await LoadAsync(id);
        Assert.NotEqual(issued.CurrentCertificateId, renewed.CurrentCertificateId);
        Assert.Equal(renewed.CurrentCertificate!.Sha1, await _target.ServedAsync());
        Assert.Equal(DeploymentStatus.Confirmed, renewed.DeployStatus);

        // Both went through pebble, each recorded as a Request to CA with the order's URL, both completed.
        var requests = await _f.DbAsync(db => db.Requests.AsNoTracking().Where(r => r.DefinitionId == id).OrderBy(r => r.CreatedAt).ToListAsync());
        Assert.Equal([RequestKind.New, RequestKind.Renewal], requests.Select(r => r.Kind));
        Assert.All(requests, r => Assert.Equal(RequestStatus.Completed, r.Status));
        var submissions = await _f.DbAsync(db => db.CaSubmissions.AsNoTracking().Where(s => s.CaConnectionId == connection.Id).ToListAsync());
        Assert.Equal(2, submissions.Count);
        Assert.All(submissions, s => Assert.StartsWith($"https://127.0.0.1:{_bed.AcmePort}/", s.ExternalId, StringComparison.Ordinal));
        Assert.Equal(0, await _f.DbAsync(db => db.IssuedCertificates.CountAsync(c => c.Profile == IssuedCertificateProfile.Server)));

        // The monitor agrees.
        var monitor = await _f.WithAsync(s => s.GetRequiredService<MonitorService>().RunAsync(RunTrigger.Manual, "t", CancellationToken.None));
        Assert.True(monitor.IsSuccess, monitor.Error?.Message);
        var result = await _f.DbAsync(db => db.MonitorResults.AsNoTracking().SingleAsync(r => r.MonitorRunId == monitor.Value.Id && r.DefinitionId == id));
        Assert.True(result.Status == CheckStatus.Ok, result.Reason);
    }

    private async Task<UnattendedRun> PassAsync()
    {
        // pebble stamps notBefore with the real time of issuance; CertMgr's clock runs a minute ahead, so the deploy
        // check right after issuance in the same pass finds the certificate valid, as a clock in step would.
        _f.Time.SetUtcNow(TimeProvider.System.GetUtcNow().AddMinutes(1));
        var run = await _f.WithAsync(s => s.GetRequiredService<UnattendedEngine>().RunPassAsync(RunTrigger.Manual, "t", CancellationToken.None));
        Assert.True(run.IsSuccess, run.Error?.Message);
        return run.Value;
    }

    private Task<CertificateDefinition> LoadAsync(Guid id) =>
        _f.DbAsync(db => db.Definitions.AsNoTracking().Include(d => d.CurrentCertificate).SingleAsync(d => d.Id == id));
}
