using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Web.ConsoleUi;
using CertMgr.Web.Pages.Definitions;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Web.Tests.Pages.Definitions;

/// <summary>The overview's query on a real, migrated SQLite database: translation, latest states, filters, counts.</summary>
public sealed class DefinitionOverviewTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("certmgr-web-tests-").FullName;
    private readonly Dictionary<CertificateDefinition, Certificate> _current = [];
    private CertMgrDbContext _db = null!;

    public async Task InitializeAsync()
    {
        _db = new CertMgrDbContext(DatabaseSettings.ForSqliteFile(Path.Combine(_directory, "test.db")).CreateOptions());
        await _db.Database.MigrateAsync();
        await SeedAsync();
    }

    public async Task DisposeAsync()
    {
        await _db.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Theory]
    [InlineData("name")]
    [InlineData("mode")]
    [InlineData("expiry")]
    [InlineData("next")]
    [InlineData("deploy")]
    [InlineData("monitor")]
    public async Task ToPagedResultAsync_EverySortColumnBothWays_TranslatesAndReturnsAll(string sort)
    {
        foreach (var dir in new[] { "asc", "desc" })
        {
            var result = await Read(new ListQuery { Sort = sort, Dir = dir, Size = 5 });

            Assert.Equal(7, result.TotalCount);
            Assert.Equal(5, result.Items.Count);
        }
    }

    [Fact]
    public async Task ToPagedResultAsync_ByExpiry_SoonestFirstAndNoCertificateLast()
    {
        var result = await Read(new ListQuery { Sort = "expiry" });

        Assert.Equal(["expired", "soon", "monitored", "later", "failing", "quiet", "new"], result.Items.Select(r => r.Name));
    }

    [Fact]
    public async Task ToPagedResultAsync_SecondPage_RowsOfThatPageSorted()
    {
        var result = await Read(new ListQuery { Sort = "name", Size = 5, Page = 2 });

        Assert.Equal(["quiet", "soon"], result.Items.Select(r => r.Name));
    }

    [Fact]
    public async Task ToPagedResultAsync_ByMonitor_WorstFirst()
    {
        var result = await Read(new ListQuery { Sort = "monitor" });

        Assert.Equal(
            ["NG", "NG", "Unreachable", "OK", "disabled", "none", "none"],
            result.Items.Select(r => !r.MonitoringEnabled ? "disabled" : r.MonitorStatus is { } s ? StatusBadges.For(s).Text : "none"));
    }

    [Fact]
    public async Task Rows_LatestStatesOfEachProcess()
    {
        var row = (await Read(new ListQuery { Q = "expired" })).Items.Single();

        Assert.Equal(RequestStatus.Interrupted, row.NextStatus);
        Assert.Equal(RequestKind.Renewal, row.NextKind);
        Assert.Equal("DNS record missing", row.NextInterruptReason);
        Assert.Equal(DeploymentStatus.Confirmed, row.DeployStatus);
        Assert.Equal(CheckStatus.Ng, row.MonitorStatus);
        Assert.Equal("expired", row.MonitorReason);
    }

    [Theory]
    [InlineData("WEB", 2)]
    [InlineData("payments", 1)]
    [InlineData("later.example", 1)]
    [InlineData("nothing-like-this", 0)]
    public async Task Search_NameCommonNameOrTag_CaseInsensitive(string q, int expected)
    {
        Assert.Equal(expected, (await Read(new ListQuery { Q = q })).TotalCount);
    }

    [Fact]
    public async Task Summary_AgreesWithEveryStatusFilter()
    {
        var rows = DefinitionFilters.Rows(_db);
        var summary = await DefinitionSummary.ReadAsync(rows, Now, CancellationToken.None);

        Assert.Equal(new DefinitionSummary(7, 6, 1, 1, 3, 1), summary);
        Assert.Equal(summary.Expired, await CountWhere(DefinitionFilters.Statuses.Expired));
        Assert.Equal(summary.Expiring, await CountWhere(DefinitionFilters.Statuses.Expiring));
        Assert.Equal(summary.Failing, await CountWhere(DefinitionFilters.Statuses.Failing));
        Assert.Equal(summary.Interrupted, await CountWhere(DefinitionFilters.Statuses.Interrupted));
        Assert.Equal(1, await CountWhere(DefinitionFilters.Statuses.NoCertificate));
    }

    [Theory]
    [InlineData("lifecycle", 6)]
    [InlineData("MONITORED", 1)]
    [InlineData("bogus", 7)]
    [InlineData(null, 7)]
    public async Task WhereMode_NormalizedValue_Filters(string? mode, int expected)
    {
        var rows = DefinitionFilters.Rows(_db).WhereMode(DefinitionFilters.NormalizeMode(mode));

        Assert.Equal(expected, await rows.CountAsync());
    }

    private Task<int> CountWhere(string status) =>
        DefinitionFilters.Rows(_db).WhereStatus(status, Now).CountAsync();

    private Task<PagedResult<DefinitionRow>> Read(ListQuery query) =>
        DefinitionFilters.Rows(_db).AsNoTracking().ToPagedResultAsync(
            DefinitionFilters.Columns.Normalize(query), DefinitionFilters.Columns);

    private async Task SeedAsync()
    {
        var expired = Add("expired", daysLeft: -2, tags: ["web"]);
        Request(expired, RequestStatus.Completed, Now.AddDays(-400));
        Request(expired, RequestStatus.Interrupted, Now.AddDays(-5), "DNS record missing");
        Deploy(expired, DeploymentStatus.CheckFailed, Now.AddDays(-300));
        Deploy(expired, DeploymentStatus.Confirmed, Now.AddDays(-299));
        Monitor(expired, CheckStatus.Ok, Now.AddDays(-3), null);
        Monitor(expired, CheckStatus.Ng, Now.AddHours(-1), "expired");

        var soon = Add("soon", daysLeft: 10, tags: ["web", "payments"]);
        Monitor(soon, CheckStatus.Ok, Now.AddHours(-1), null);

        var failing = Add("failing", daysLeft: 200);
        Monitor(failing, CheckStatus.Unreachable, Now.AddHours(-1), "refused");
        Deploy(failing, DeploymentStatus.InstallRequested, Now.AddDays(-1));

        Add("later", daysLeft: 120, commonName: "later.example.org");
        var monitored = Add("monitored", daysLeft: 45, mode: OperationMode.MonitoredOnly);
        Monitor(monitored, CheckStatus.Ng, Now.AddHours(-2), "chain");
        var quiet = Add("quiet", daysLeft: 300);
        Monitor(quiet, CheckStatus.Ng, Now.AddHours(-2), "disabled: not counted as failing");
        quiet.MonitoringEnabled = false;

        var fresh = Add("new", daysLeft: null);
        Request(fresh, RequestStatus.Draft, Now.AddDays(-1));

        // The current-certificate pointer closes a cycle (definition -> certificate -> definition): a second save.
        await _db.SaveChangesAsync();
        foreach (var (definition, certificate) in _current)
        {
            definition.CurrentCertificateId = certificate.Id;
        }

        await _db.SaveChangesAsync();
    }

    private CertificateDefinition Add(
        string name, int? daysLeft, string[]? tags = null, string? commonName = null,
        OperationMode mode = OperationMode.LifecycleManaged)
    {
        var d = new CertificateDefinition
        {
            Name = name,
            CommonName = commonName ?? name + ".example.com",
            OperationMode = mode,
            Tags = [.. tags ?? []],
            CreatedAt = Now,
            UpdatedAt = Now,
        };
        _db.Definitions.Add(d);
        if (daysLeft is { } days)
        {
            var certificate = new Certificate
            {
                Definition = d,
                Der = [1, 2, 3],
                Sha1 = name.PadRight(40, '0')[..40],
                Sha256 = name.PadRight(64, '0')[..64],
                Subject = "CN=" + d.CommonName,
                Issuer = "CN=Test CA",
                SerialNumber = "01",
                NotBefore = Now.AddDays(days - 365),
                NotAfter = Now.AddDays(days),
                CreatedAt = Now,
            };
            d.Certificates.Add(certificate);
            _current[d] = certificate;
        }

        return d;
    }

    private static void Request(CertificateDefinition d, RequestStatus status, DateTimeOffset at, string? reason = null) =>
        d.Requests.Add(new CertificateRequest
        {
            Kind = RequestKind.Renewal,
            Status = status,
            InterruptReason = reason,
            CreatedAt = at,
            UpdatedAt = at,
        });

    private void Deploy(CertificateDefinition d, DeploymentStatus status, DateTimeOffset at) =>
        _current[d].Deployments.Add(new Deployment { Status = status, CreatedAt = at, UpdatedAt = at });

    private void Monitor(CertificateDefinition d, CheckStatus status, DateTimeOffset at, string? reason)
    {
        var run = new MonitorRun { StartedAt = at, Status = RunStatus.Completed };
        _db.MonitorRuns.Add(run);
        d.MonitorResults.Add(new MonitorResult
        {
            MonitorRun = run,
            Status = status,
            Endpoint = d.CommonName + ":443",
            CheckedAt = at,
            Reason = reason,
        });
    }
}
