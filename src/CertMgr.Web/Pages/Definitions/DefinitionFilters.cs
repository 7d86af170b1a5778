using System.Diagnostics.CodeAnalysis;
using System.Linq.Expressions;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Web.ConsoleUi;

namespace CertMgr.Web.Pages.Definitions;

/// <summary>The overview's projection, columns and filters (operation mode, attention status).</summary>
public static class DefinitionFilters
{
    /// <summary>The "expiring" window of the summary and the status filter.</summary>
    public const int ExpiringWithinDays = 30;

    /// <summary>The sort rank of "no status": after every real one.</summary>
    public const int NoRank = 9;

    private static readonly CheckStatus?[] FailingChecks = [CheckStatus.Ng, CheckStatus.Unreachable];

    public static ListColumns<DefinitionRow> Columns { get; } = new ListColumns<DefinitionRow>("expiry")
        .Sortable("name", r => r.Name.ToLower())
        .Sortable("mode", r => r.OperationMode)
        .Sortable("expiry", r => r.NotAfter, nullsLast: true)
        // Status columns sort by severity, worst first, not by the stored name.
        .Sortable("next", r => r.NextRank)
        .Sortable("deploy", r => r.DeployRank)
        .Sortable("monitor", r => r.MonitorRank)
        .UniqueKey(r => r.Id)
        .SearchWith(Search);

    public static ListFilter ModeFilter { get; } = new("mode", "Operation mode",
    [
        new(null, "All modes"),
        new(Modes.Lifecycle, "Lifecycle-managed"),
        new(Modes.Monitored, "Monitored-only"),
    ]);

    public static ListFilter StatusFilter { get; } = new("status", "Status",
    [
        new(null, "Any status"),
        new(Statuses.Expired, "Expired"),
        new(Statuses.Expiring, $"Expiring within {ExpiringWithinDays} days"),
        new(Statuses.Failing, "Monitor NG or unreachable"),
        new(Statuses.Interrupted, "Acquisition interrupted"),
        new(Statuses.NoCertificate, "No certificate yet"),
    ]);

    /// <summary>The overview rows of every definition; one SQL query, correlated subqueries for the latest states.</summary>
    public static IQueryable<DefinitionRow> Rows(CertMgrDbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.Definitions.Select(d => new DefinitionRow
        {
            Id = d.Id,
            Name = d.Name,
            CommonName = d.CommonName,
            OperationMode = d.OperationMode,
            ExecutionMode = d.ExecutionMode,
            Tags = d.Tags,
            NotAfter = d.CurrentCertificate == null ? null : d.CurrentCertificate.NotAfter,
            ExpiryThresholdDays = d.ExpiryThresholdDays,
            RenewalLeadDays = d.RenewalLeadDays,
            NextStatus = d.Requests
                .Where(r => r.Status != RequestStatus.Completed && r.Status != RequestStatus.Cancelled)
                .OrderByDescending(r => r.CreatedAt).Select(r => (RequestStatus?)r.Status).FirstOrDefault(),
            NextKind = d.Requests
                .Where(r => r.Status != RequestStatus.Completed && r.Status != RequestStatus.Cancelled)
                .OrderByDescending(r => r.CreatedAt).Select(r => (RequestKind?)r.Kind).FirstOrDefault(),
            NextRank = d.Requests
                .Where(r => r.Status != RequestStatus.Completed && r.Status != RequestStatus.Cancelled)
                .OrderByDescending(r => r.CreatedAt)
                .Select(r => (int?)(
                    r.Status == RequestStatus.Interrupted ? 0
                    : r.Status == RequestStatus.Draft ? 1
                    : r.Status == RequestStatus.KeyAndCsrReady ? 2
                    : r.Status == RequestStatus.ProductChosen ? 3
                    : r.Status == RequestStatus.Ordered ? 4
                    : 5))
                .FirstOrDefault() ?? NoRank,
            NextInterruptReason = d.Requests
                .Where(r => r.Status == RequestStatus.Interrupted)
                .OrderByDescending(r => r.CreatedAt).Select(r => r.InterruptReason).FirstOrDefault(),
            DeployStatus = db.Deployments
                .Where(x => x.CertificateId == d.CurrentCertificateId)
                .OrderByDescending(x => x.CreatedAt).Select(x => (DeploymentStatus?)x.Status).FirstOrDefault(),
            DeployRank = db.Deployments
                .Where(x => x.CertificateId == d.CurrentCertificateId)
                .OrderByDescending(x => x.CreatedAt)
                .Select(x => (int?)(
                    x.Status == DeploymentStatus.CheckFailed ? 0
                    : x.Status == DeploymentStatus.Prepared ? 1
                    : x.Status == DeploymentStatus.InstallRequested ? 2
                    : x.Status == DeploymentStatus.AutoInstalled ? 3
                    : x.Status == DeploymentStatus.CompletedWithoutCheck ? 4
                    : x.Status == DeploymentStatus.ManuallyConfirmed ? 5
                    : 6))
                .FirstOrDefault() ?? NoRank,
            MonitoringEnabled = d.MonitoringEnabled,
            MonitorStatus = d.MonitorResults
                .OrderByDescending(m => m.CheckedAt).Select(m => (CheckStatus?)m.Status).FirstOrDefault(),
            // Disabled monitoring ranks after every result, before "not checked".
            MonitorRank = !d.MonitoringEnabled
                ? NoRank - 1
                : d.MonitorResults
                    .OrderByDescending(m => m.CheckedAt)
                    .Select(m => (int?)(m.Status == CheckStatus.Ng ? 0 : m.Status == CheckStatus.Unreachable ? 1 : 2))
                    .FirstOrDefault() ?? NoRank,
            MonitorReason = d.MonitorResults
                .OrderByDescending(m => m.CheckedAt).Select(m => m.Reason).FirstOrDefault(),
            MonitoredAt = d.MonitorResults
                .OrderByDescending(m => m.CheckedAt).Select(m => (DateTimeOffset?)m.CheckedAt).FirstOrDefault(),
        });
    }

    /// <summary>The canonical value of the mode filter, or null for none/unknown.</summary>
    public static string? NormalizeMode(string? value) => Normalize(ModeFilter, value);

    /// <summary>The canonical value of the status filter, or null for none/unknown.</summary>
    public static string? NormalizeStatus(string? value) => Normalize(StatusFilter, value);

    public static IQueryable<DefinitionRow> WhereMode(this IQueryable<DefinitionRow> rows, string? mode) => mode switch
    {
        Modes.Lifecycle => rows.Where(r => r.OperationMode == OperationMode.LifecycleManaged),
        Modes.Monitored => rows.Where(r => r.OperationMode == OperationMode.MonitoredOnly),
        _ => rows,
    };

    public static IQueryable<DefinitionRow> WhereStatus(this IQueryable<DefinitionRow> rows, string? status, DateTimeOffset now) =>
        status is null ? rows : rows.Where(StatusPredicate(status, now));

    /// <summary>The predicate of one status filter value.</summary>
    public static Expression<Func<DefinitionRow, bool>> StatusPredicate(string status, DateTimeOffset now)
    {
        var soon = now.AddDays(ExpiringWithinDays);
        return status switch
        {
            Statuses.Expired => r => r.NotAfter != null && r.NotAfter <= now,
            Statuses.Expiring => r => r.NotAfter != null && r.NotAfter > now && r.NotAfter <= soon,
            // IN rather than two comparisons: the status is a subquery, and each comparison would run it again.
            Statuses.Failing => r => r.MonitoringEnabled && FailingChecks.Contains(r.MonitorStatus),
            Statuses.Interrupted => r => r.NextStatus == RequestStatus.Interrupted,
            Statuses.NoCertificate => r => r.NotAfter == null,
            _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown status filter."),
        };
    }

    [SuppressMessage("Performance", "CA1862", Justification = "Translated to SQL, where Contains(string, StringComparison) has no translation.")]
    private static Expression<Func<DefinitionRow, bool>> Search(string text)
    {
        // Lower-case both sides: SQLite's instr() and PostgreSQL's strpos() are case-sensitive.
        var t = text.ToLowerInvariant();
        return r => r.Name.ToLower().Contains(t)
            || r.CommonName.ToLower().Contains(t)
            || r.Tags.Any(tag => tag.ToLower().Contains(t));
    }

    private static string? Normalize(ListFilter filter, string? value) =>
        string.IsNullOrWhiteSpace(value)
            ? null
            : filter.Options.FirstOrDefault(o => string.Equals(o.Value, value.Trim(), StringComparison.OrdinalIgnoreCase))?.Value;

    public static class Modes
    {
        public const string Lifecycle = "lifecycle";
        public const string Monitored = "monitored";
    }

    public static class Statuses
    {
        public const string Expired = "expired";
        public const string Expiring = "expiring";
        public const string Failing = "failing";
        public const string Interrupted = "interrupted";
        public const string NoCertificate = "no-certificate";
    }
}
