using CertMgr.Core.Discovery;
using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CertMgr.Core.Tests.Discovery;

public sealed class ServiceNetworkFixture : IAsyncLifetime
{
    internal DiscoveryNetwork Network { get; private set; } = null!;

    public async Task InitializeAsync() => Network = await DiscoveryNetwork.StartAsync("127.0.78");

    public async Task DisposeAsync() => await Network.DisposeAsync();
}

/// <summary>Stored scans, import of findings, and interrupted scans, against the network on 127.0.78.0/28.</summary>
public sealed class DiscoveryServiceTests(ServiceNetworkFixture fixture) : IClassFixture<ServiceNetworkFixture>, IAsyncLifetime
{
    private static readonly ScanOptions Fast = new() { ConnectTimeout = TimeSpan.FromSeconds(1), HandshakeTimeout = TimeSpan.FromSeconds(1.5) };
    private readonly DiscoveryNetwork _net = fixture.Network;
    private CoreFixture _core = null!;

    public async Task InitializeAsync() => _core = await CoreFixture.CreateAsync();

    public async Task DisposeAsync() => await _core.DisposeAsync();

    private async Task<Guid> ScanAsync(string targets)
    {
        await using var scope = _core.Scope();
        var service = scope.ServiceProvider.GetRequiredService<DiscoveryService>();
        var input = new DiscoveryInput([targets], $"{_net.PortA},{_net.PortB}");
        var plan = service.Plan(input);
        Assert.True(plan.IsSuccess, plan.Error?.Message);
        var row = await service.CreateAsync(input, plan.Value, Fast, "tester", CancellationToken.None);
        var report = await service.RunAsync(row.Id, plan.Value, Fast, new ScanProgress(), CancellationToken.None);
        Assert.NotNull(report);
        return row.Id;
    }

    [Fact]
    public async Task Run_StoredScan_CompletedWithFindingsAndCounters()
    {
        var id = await ScanAsync($"{_net.A(1)}-{_net.A(4)}");

        var scan = await _core.DbAsync(db => db.DiscoveryScans.Include(s => s.Findings).SingleAsync(s => s.Id == id));
        Assert.Equal(ScanStatus.Completed, scan.Status);
        Assert.Equal(8, scan.TargetCount);
        Assert.Equal(8, scan.EndpointsProbed);
        Assert.Equal(6, scan.FoundCount);
        Assert.Equal(1, scan.NonTlsCount);
        Assert.NotNull(scan.EndedAt);
        Assert.Equal(6, scan.Findings.Count(f => f.Kind == FindingKind.Tls));
        var good = scan.Findings.Single(f => f.Address == _net.A(1) && f.Port == _net.PortA);
        Assert.Equal(_net.Good.RawData, good.LeafDer);
        Assert.Contains("BEGIN CERTIFICATE", good.ChainPem, StringComparison.Ordinal);
        Assert.False(good.Trusted); // the default Trusted CA Set holds the public roots, not the test root
        Assert.Single(scan.Findings, f => f.Kind == FindingKind.NonTls);
    }

    [Fact]
    public async Task Findings_PagedAndSorted_EveryFindingOnceInOrderTotalsStable()
    {
        var id = await ScanAsync($"{_net.A(1)}-{_net.A(4)}");
        await using var scope = _core.Scope();
        var queries = scope.ServiceProvider.GetRequiredService<DiscoveryQueries>();
        var all = new FindingFilter { Verdict = "all" };

        foreach (var sort in new[] { "address", "port", "-port", "expires", "-expires", "cn", "key", "-trusted" })
        {
            var seen = new List<DiscoveryFinding>();
            for (var skip = 0; skip < 10; skip += 2)
            {
                var page = await queries.FindingsAsync(id, all, sort, skip, 2, CancellationToken.None);
                Assert.Equal(6, page.Total);
                Assert.Equal((skip, 2), (page.Skip, page.Take));
                seen.AddRange(page.Items);
            }

            Assert.Equal(6, seen.Count);
            Assert.Equal(6, seen.Select(f => f.Id).Distinct().Count());
            var whole = (await queries.FindingsAsync(id, all, sort, 0, 100, CancellationToken.None)).Items;
            Assert.Equal(whole.Select(f => f.Id), seen.Select(f => f.Id)); // pages are slices of one stable order
            if (sort == "-port")
            {
                Assert.True(seen.Zip(seen.Skip(1)).All(p => p.First.Port >= p.Second.Port), "descending by port");
            }
            else if (sort == "expires")
            {
                Assert.True(seen.Zip(seen.Skip(1)).All(p => p.First.NotAfter <= p.Second.NotAfter), "ascending by expiry");
            }
        }

        var clamped = await queries.FindingsAsync(id, all, null, -5, 100_000, CancellationToken.None);
        Assert.Equal((0, DiscoveryQueries.MaxTake, 6), (clamped.Skip, clamped.Take, clamped.Items.Count));
        Assert.Empty((await queries.FindingsAsync(id, all, null, 6, 2, CancellationToken.None)).Items);
        var filtered = await queries.FindingsAsync(id, new FindingFilter { Verdict = "all", Text = _net.A(1) }, null, 0, 1, CancellationToken.None);
        Assert.Equal(2, filtered.Total); // both ports of the first address
        Assert.Single(filtered.Items);
    }

    [Fact]
    public async Task Import_SameCertificateOnTwoEndpoints_OneDefinitionWithCheckEndpointAndCurrentCertificate()
    {
        var id = await ScanAsync($"{_net.A(1)}-{_net.A(2)}");
        var ids = await _core.DbAsync(db => db.DiscoveryFindings.Where(f => f.DiscoveryScanId == id && f.Address == _net.A(1)).Select(f => f.Id).ToListAsync());
        Assert.Equal(2, ids.Count);

        var outcome = await _core.WithAsync(sp => sp.GetRequiredService<DiscoveryImport>().ImportAsync(id, ids, OperationMode.MonitoredOnly, "tester", CancellationToken.None));

        Assert.True(outcome.IsSuccess, outcome.Error?.Message);
        Assert.Equal(1, outcome.Value.Imported);
        var definition = await _core.DbAsync(db => db.Definitions.Include(d => d.CurrentCertificate).SingleAsync(d => d.Id == outcome.Value.DefinitionIds[0]));
        Assert.Equal(OperationMode.MonitoredOnly, definition.OperationMode);
        Assert.Equal(_net.A(1), definition.ServerNameForCheck);
        Assert.Equal(Math.Min(_net.PortA, _net.PortB), definition.CheckPort); // the first endpoint found (ports in order)
        Assert.Equal(_net.Good.RawData, definition.CurrentCertificate?.Der);
        Assert.Equal(2, await _core.DbAsync(db => db.DiscoveryFindings.CountAsync(f => f.DiscoveryScanId == id && f.DefinitionId == definition.Id)));

        // Again, and by filter: already known, nothing new; a new scan sees it as managed.
        var again = await _core.WithAsync(sp => sp.GetRequiredService<DiscoveryImport>()
            .ImportMatchingAsync(id, new FindingFilter { Verdict = "all" }, OperationMode.LifecycleManaged, "tester", CancellationToken.None));
        Assert.True(again.IsSuccess, again.Error?.Message);
        Assert.Equal(1, again.Value.AlreadyKnown);
        Assert.Equal(1, again.Value.Imported); // the expired certificate on .2
        Assert.Equal(2, await _core.DbAsync(db => db.Definitions.CountAsync()));
        var rescan = await ScanAsync(_net.A(1));
        Assert.True(await _core.DbAsync(db => db.DiscoveryFindings.Where(f => f.DiscoveryScanId == rescan && f.Kind == FindingKind.Tls).AllAsync(f => f.Managed && f.DefinitionId == definition.Id)));
    }

    [Fact]
    public async Task Import_NothingSelectedOrUnknownScan_RefusedWithoutChanges()
    {
        var id = await ScanAsync(_net.A(3));
        await using var scope = _core.Scope();
        var import = scope.ServiceProvider.GetRequiredService<DiscoveryImport>();

        Assert.Equal("nothing-selected", (await import.ImportAsync(id, [], OperationMode.MonitoredOnly, "t", CancellationToken.None)).Error?.Code);
        Assert.Equal("nothing-selected", (await import.ImportAsync(id, [-5], OperationMode.MonitoredOnly, "t", CancellationToken.None)).Error?.Code);
        Assert.Equal("scan-not-found", (await import.ImportAsync(Guid.NewGuid(), [1], OperationMode.MonitoredOnly, "t", CancellationToken.None)).Error?.Code);
        Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<CertMgrDbContext>().Definitions.CountAsync());
    }

    [Fact]
    public async Task MarkInterrupted_RunningScanWithOldHeartbeat_InterruptedFreshOneKept()
    {
        var now = _core.Time.GetUtcNow();
        var stale = new DiscoveryScan { Name = "stale", CreatedBy = "t", StartedAt = now.AddMinutes(-10), HeartbeatAt = now.AddMinutes(-5) };
        var fresh = new DiscoveryScan { Name = "fresh", CreatedBy = "t", StartedAt = now, HeartbeatAt = now };
        await _core.DbAsync(async db =>
        {
            db.DiscoveryScans.AddRange(stale, fresh);
            return await db.SaveChangesAsync();
        });

        await _core.InitializeAsync(); // start-up marks them

        Assert.Equal(ScanStatus.Interrupted, await _core.DbAsync(db => db.DiscoveryScans.Where(s => s.Id == stale.Id).Select(s => s.Status).SingleAsync()));
        Assert.Equal(ScanStatus.Running, await _core.DbAsync(db => db.DiscoveryScans.Where(s => s.Id == fresh.Id).Select(s => s.Status).SingleAsync()));
    }

    [Fact]
    public async Task Run_Cancelled_ScanEndsCancelled()
    {
        await using var scope = _core.Scope();
        var service = scope.ServiceProvider.GetRequiredService<DiscoveryService>();
        var input = new DiscoveryInput([_net.A(10)], $"{_net.PortA}");
        var plan = service.Plan(input).Value;
        var slow = new ScanOptions { HandshakeTimeout = TimeSpan.FromSeconds(30) };
        var row = await service.CreateAsync(input, plan, slow, "tester", CancellationToken.None);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        Assert.Null(await service.RunAsync(row.Id, plan, slow, new ScanProgress(), cancel.Token));

        Assert.Equal(ScanStatus.Cancelled, await _core.DbAsync(db => db.DiscoveryScans.Where(s => s.Id == row.Id).Select(s => s.Status).SingleAsync()));
    }
}
