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

    /// <summary>
    /// The overview rows of every definition, from the definition's own row: its list state (expiry, next request,
    /// deployment, monitor result) is stored with it (Data/DefinitionState), so a page, a count or a filter over
    /// 100,000 definitions reads one narrow table, with no subquery per row.
    /// </summary>
    public static IQueryable<DefinitionRow> Rows(CertMgrDbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.Definitions.Select(d => new DefinitionRow
        {
            Id = d.Id,
            Name = d.Name,
            CommonName = d.CommonName,
            SearchText = d.SearchText,
            OperationMode = d.OperationMode,
            ExecutionMode = d.ExecutionMode,
            Tags = d.Tags,
            NotAfter = d.CurrentNotAfter,
            ExpiryThresholdDays = d.ExpiryThresholdDays,
            RenewalLeadDays = d.RenewalLeadDays,
            NextStatus = d.NextStatus,
            NextKind = d.NextKind,
            NextRank = d.NextStatus == null ? NoRank
                : d.NextStatus == RequestStatus.Interrupted ? 0
                : d.NextStatus == RequestStatus.Draft ? 1
                : d.NextStatus == RequestStatus.KeyAndCsrReady ? 2
                : d.NextStatus == RequestStatus.ProductChosen ? 3
                : d.NextStatus == RequestStatus.Ordered ? 4
                : 5,
            NextInterruptReason = d.NextInterruptReason,
            DeployStatus = d.DeployStatus,
            DeployRank = d.DeployStatus == null ? NoRank
                : d.DeployStatus == DeploymentStatus.CheckFailed ? 0
                : d.DeployStatus == DeploymentStatus.Prepared ? 1
                : d.DeployStatus == DeploymentStatus.InstallRequested ? 2
                : d.DeployStatus == DeploymentStatus.AutoInstalled ? 3
                : d.DeployStatus == DeploymentStatus.CompletedWithoutCheck ? 4
                : d.DeployStatus == DeploymentStatus.ManuallyConfirmed ? 5
                : 6,
            MonitoringEnabled = d.MonitoringEnabled,
            MonitorStatus = d.MonitorStatus,
            // Disabled monitoring ranks after every result, before "not checked".
            MonitorRank = !d.MonitoringEnabled ? NoRank - 1
                : d.MonitorStatus == null ? NoRank
                : d.MonitorStatus == CheckStatus.Ng ? 0
                : d.MonitorStatus == CheckStatus.Unreachable ? 1
                : 2,
            MonitorReason = d.MonitorReason,
            MonitoredAt = d.MonitoredAt,
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

    private static Expression<Func<DefinitionRow, bool>> Search(string text)
    {
        // One substring test on the stored, lower-case search text (name, common name, SANs, tags).
        var t = SearchTexts.Term(text);
        return r => r.SearchText.Contains(t);
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
