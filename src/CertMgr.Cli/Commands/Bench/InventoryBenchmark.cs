using System.Diagnostics;
using CertMgr.Core.Acquisition;
using CertMgr.Core.Inventory.Seeding;
using CertMgr.Core.Setup;
using CertMgr.Data;
using CertMgr.Web.ConsoleUi;
using CertMgr.Web.Pages.Definitions;
using CertMgr.Web.ReadModels;
using AcquisitionsPage = CertMgr.Web.Pages.Acquisitions.IndexModel;
using RequestsPage = CertMgr.Web.Pages.Requests.IndexModel;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Cli.Commands.Bench;

/// <summary>
/// The console's lists at inventory scale: seeds a scratch data directory with N definitions (and their certificates,
/// keys, requests, deployments, monitor results), then times each list's first page and a search through the very query
/// code the pages and the API run (projection, filters, count, page), median and p95 over several runs, against the
/// 200 ms server-time target.
/// </summary>
internal static class InventoryBenchmark
{
    public const double TargetMs = 200;

    public sealed record Scenario(string Name, double MedianMs, double P95Ms, int Rows)
    {
        public double Ratio => P95Ms / TargetMs;
    }

    public sealed record Outcome(int Count, SeedOutcome Seed, IReadOnlyList<Scenario> Scenarios);

    public static async Task<Outcome> RunAsync(int count, int runs, string? keepHome, Action<string>? progress, CancellationToken ct)
    {
        var home = keepHome ?? Directory.CreateTempSubdirectory("certmgr-bench-inventory-").FullName;
        try
        {
            var settings = CertMgrSettings.Resolve(home, null, _ => null);
            var services = new ServiceCollection();
            services.AddLogging();
            services.AddCertMgrCore(settings);
            await using var provider = services.BuildServiceProvider();
            SeedOutcome seed;
            await using (var scope = provider.CreateAsyncScope())
            {
                await scope.ServiceProvider.GetRequiredService<CertMgrInitializer>().InitializeAsync(ct, ensureCa: false);
                var db = scope.ServiceProvider.GetRequiredService<CertMgrDbContext>();
                var existing = await db.Definitions.CountAsync(ct);
                // A kept directory already seeded to this size is measured again as it is (seeding 100k takes a while).
                seed = keepHome is not null && existing >= count
                    ? new SeedOutcome(existing, await db.Certificates.CountAsync(ct), await db.PrivateKeys.CountAsync(ct), await db.Requests.CountAsync(ct),
                        await db.Deployments.CountAsync(ct), await db.MonitorResults.CountAsync(ct), TimeSpan.Zero)
                    : await scope.ServiceProvider.GetRequiredService<InventorySeeder>().SeedAsync(count, progress, ct);
            }

            var time = provider.GetRequiredService<TimeProvider>();
            var scenarios = new List<Scenario>();
            foreach (var (name, query) in Scenarios(time.GetUtcNow()))
            {
                scenarios.Add(await MeasureAsync(provider, name, query, runs, ct));
            }

            return new Outcome(count, seed, scenarios);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (keepHome is null)
            {
                Directory.Delete(home, recursive: true);
            }
        }
    }

    private static IEnumerable<(string, Func<CertMgrDbContext, CancellationToken, Task<int>>)> Scenarios(DateTimeOffset now)
    {
        var first = new ListQuery();
        // The overview's first page also reads the summary tiles (Definitions/Index.cshtml.cs does both).
        yield return ("Definitions: first page + summary", async (db, ct) =>
        {
            var all = DefinitionFilters.Rows(db).AsNoTracking();
            var page = await all.ToPagedResultAsync(DefinitionFilters.Columns.Normalize(first), DefinitionFilters.Columns, ct);
            await DefinitionSummary.ReadAsync(all, now, ct);
            return page.Items.Count;
        });
        yield return ("Definitions: search \"shop12\"", async (db, ct) =>
            (await DefinitionFilters.Rows(db).AsNoTracking()
                .ToPagedResultAsync(DefinitionFilters.Columns.Normalize(new ListQuery { Q = "shop12" }), DefinitionFilters.Columns, ct)).Items.Count);
        yield return ("Definitions: status=expiring", async (db, ct) =>
            (await DefinitionFilters.Rows(db).AsNoTracking().WhereStatus(DefinitionFilters.Statuses.Expiring, now)
                .ToPagedResultAsync(DefinitionFilters.Columns.Normalize(first), DefinitionFilters.Columns, ct)).Items.Count);
        yield return ("Definitions: sort by monitor", async (db, ct) =>
            (await DefinitionFilters.Rows(db).AsNoTracking()
                .ToPagedResultAsync(DefinitionFilters.Columns.Normalize(new ListQuery { Sort = "monitor" }), DefinitionFilters.Columns, ct)).Items.Count);
        yield return ("Certificates: first page", async (db, ct) =>
            (await CertificateRows.Rows(db).AsNoTracking()
                .ToPagedResultAsync(CertificateRows.Columns.Normalize(first), CertificateRows.Columns, ct)).Items.Count);
        yield return ("Certificates: search \"mail77\"", async (db, ct) =>
            (await CertificateRows.Rows(db).AsNoTracking()
                .ToPagedResultAsync(CertificateRows.Columns.Normalize(new ListQuery { Q = "mail77" }), CertificateRows.Columns, ct)).Items.Count);
        yield return ("Certificates: thumbprint prefix", async (db, ct) =>
        {
            var sha1 = await db.Certificates.OrderBy(c => c.Id).Select(c => c.Sha1).Skip(777).FirstAsync(ct);
            return (await CertificateRows.Rows(db).AsNoTracking()
                .ToPagedResultAsync(CertificateRows.Columns.Normalize(new ListQuery { Q = sha1[..12] }), CertificateRows.Columns, ct)).Items.Count;
        });
        yield return ("Private Keys: first page", async (db, ct) =>
            (await KeyRows.Rows(db).AsNoTracking()
                .ToPagedResultAsync(KeyRows.Columns.Normalize(first), KeyRows.Columns, ct)).Items.Count);
        yield return ("Certificate Requests: first page", async (db, ct) =>
            (await AcquisitionQueries.AllRequests(db).AsNoTracking()
                .ToPagedResultAsync(RequestsPage.Columns.Normalize(first), RequestsPage.Columns, ct)).Items.Count);
        yield return ("Certificate Requests: search \"vpn3\"", async (db, ct) =>
            (await AcquisitionQueries.Search(db, AcquisitionQueries.AllRequests(db).AsNoTracking(), "vpn3")
                .ToPagedResultAsync(RequestsPage.Columns.Normalize(new ListQuery { Q = "vpn3" }), RequestsPage.Columns, ct)).Items.Count);
        // The Acquisition Processes page: the ongoing list's first page and the due-for-renewal count (its tab), as
        // Acquisitions/Index.cshtml.cs reads them; then the due list itself.
        yield return ("Acquisitions: ongoing + due count", async (db, ct) =>
        {
            var page = await AcquisitionQueries.Ongoing(db).AsNoTracking()
                .ToPagedResultAsync(AcquisitionsPage.OngoingColumns.Normalize(first), AcquisitionsPage.OngoingColumns, ct);
            await (await AcquisitionQueries.RenewalDueAsync(db, now, ct)).CountAsync(ct);
            return page.Items.Count;
        });
        yield return ("Acquisitions: due for renewal", async (db, ct) =>
            (await (await AcquisitionQueries.RenewalDueAsync(db, now, ct)).AsNoTracking()
                .ToPagedResultAsync(AcquisitionsPage.DueColumns.Normalize(first), AcquisitionsPage.DueColumns, ct)).Items.Count);
    }

    private static async Task<Scenario> MeasureAsync(
        ServiceProvider provider, string name, Func<CertMgrDbContext, CancellationToken, Task<int>> query, int runs, CancellationToken ct)
    {
        var times = new List<double>(runs);
        var rows = 0;
        for (var i = -1; i < runs; i++)
        {
            // A fresh scope (DbContext) per run, like a request; the first run warms EF's query cache and is not counted.
            await using var scope = provider.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<CertMgrDbContext>();
            var watch = Stopwatch.StartNew();
            rows = await query(db, ct);
            if (i >= 0)
            {
                times.Add(watch.Elapsed.TotalMilliseconds);
            }
        }

        times.Sort();
        return new Scenario(name, Percentile(times, 0.5), Percentile(times, 0.95), rows);
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
