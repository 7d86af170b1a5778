using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;
using static CertMgr.Web.Pages.Definitions.DefinitionFilters;

namespace CertMgr.Web.Pages.Definitions;

/// <summary>The at-a-glance counts above the overview, each one a link to its filter.</summary>
public sealed record DefinitionSummary(
    int Total, int LifecycleManaged, int Expired, int Expiring, int Failing, int Interrupted)
{
    /// <summary>
    /// One COUNT per figure, each with the very predicate of its filter, so that a tile and the list it links to
    /// always agree. (A single grouped aggregate was measured slower: EF Core nests the correlated subqueries.)
    /// </summary>
    public static async Task<DefinitionSummary> ReadAsync(
        IQueryable<DefinitionRow> rows, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var total = await rows.CountAsync(cancellationToken);
        var managed = await rows.CountAsync(r => r.OperationMode == OperationMode.LifecycleManaged, cancellationToken);
        var expired = await rows.CountAsync(StatusPredicate(Statuses.Expired, now), cancellationToken);
        var expiring = await rows.CountAsync(StatusPredicate(Statuses.Expiring, now), cancellationToken);
        var failing = await rows.CountAsync(StatusPredicate(Statuses.Failing, now), cancellationToken);
        var interrupted = await rows.CountAsync(StatusPredicate(Statuses.Interrupted, now), cancellationToken);
        return new(total, managed, expired, expiring, failing, interrupted);
    }
}
