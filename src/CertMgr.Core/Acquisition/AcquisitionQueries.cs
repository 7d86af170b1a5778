using System.Linq.Expressions;
using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Core.Acquisition;

/// <summary>An acquisition in progress, as lists show it.</summary>
public sealed class OngoingAcquisitionRow
{
    public Guid Id { get; set; }
    public Guid DefinitionId { get; set; }
    public string DefinitionName { get; set; } = "";
    public string CommonName { get; set; } = "";
    /// <summary>The definition's stored search text (name, common name, SANs, tags; lower-case).</summary>
    public string DefinitionSearchText { get; set; } = "";
    public RequestKind Kind { get; set; }
    public RequestStatus Status { get; set; }
    public string? InterruptReason { get; set; }
    public string? Product { get; set; }
    public string? OrderNumber { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
}

/// <summary>A lifecycle-managed definition whose current certificate is within its renewal lead time, with no process.</summary>
public sealed class RenewalDueRow
{
    public Guid DefinitionId { get; set; }
    public string Name { get; set; } = "";
    public string CommonName { get; set; } = "";
    /// <summary>The definition's stored search text (name, common name, SANs, tags; lower-case).</summary>
    public string SearchText { get; set; } = "";
    public DateTimeOffset NotAfter { get; set; }
    public int RenewalLeadDays { get; set; }
    public List<string> Tags { get; set; } = [];
}

/// <summary>The acquisition lists of the console and the API, as SQL-translatable queries.</summary>
public static class AcquisitionQueries
{
    /// <summary>Every request (any status) as a list row.</summary>
    public static IQueryable<OngoingAcquisitionRow> AllRequests(CertMgrDbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.Requests.Select(r => new OngoingAcquisitionRow
        {
            Id = r.Id,
            DefinitionId = r.DefinitionId,
            DefinitionName = r.Definition.Name,
            CommonName = r.Definition.CommonName,
            DefinitionSearchText = r.Definition.SearchText,
            Kind = r.Kind,
            Status = r.Status,
            InterruptReason = r.InterruptReason,
            Product = r.Product == null ? null : r.Product.Provider + " " + r.Product.Name,
            OrderNumber = r.OrderNumber,
            CreatedAt = r.CreatedAt,
            UpdatedAt = r.UpdatedAt,
            CompletedAt = r.CompletedAt,
        });
    }

    /// <summary>
    /// The requests whose definition (name, common name, SANs, tags), order number or product contains the text.
    /// The definitions are matched in one uncorrelated subquery, which a database answers once (on SQLite from a
    /// covering index), not once per request.
    /// </summary>
    public static IQueryable<OngoingAcquisitionRow> Search(CertMgrDbContext db, IQueryable<OngoingAcquisitionRow> rows, string text)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(rows);
        var t = SearchTexts.Term(text);
        var definitions = db.Definitions.Where(d => d.SearchText.Contains(t)).Select(d => d.Id);
#pragma warning disable CA1862 // translated to SQL, where Contains(string, StringComparison) has no translation
        return rows.Where(r => definitions.Contains(r.DefinitionId)
            || (r.OrderNumber != null && r.OrderNumber.ToLower().Contains(t))
            || (r.Product != null && r.Product.ToLower().Contains(t)));
#pragma warning restore CA1862
    }

    /// <summary>The requests still in progress.</summary>
    public static IQueryable<OngoingAcquisitionRow> Ongoing(CertMgrDbContext db) =>
        AllRequests(db).Where(r => AcquisitionService.OpenStatuses.Contains(r.Status));

    /// <summary>
    /// Lifecycle-managed definitions whose current certificate expires within their renewal lead time and that have no
    /// acquisition in progress. Lead times differ per definition, so the expiry bound is one comparison per distinct
    /// lead time (a handful), which the database can answer from the expiry index.
    /// </summary>
    public static async Task<IQueryable<RenewalDueRow>> RenewalDueAsync(CertMgrDbContext db, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        // Same filter as the rows below, so that both read only the covering index IX_definitions_renewal_due.
        var leads = await db.Definitions
            .Where(d => d.OperationMode == OperationMode.LifecycleManaged && d.NextStatus == null && d.CurrentNotAfter != null)
            .Select(d => d.RenewalLeadDays).Distinct().ToListAsync(ct);
        // The definition's stored list state: its current expiry, and whether an acquisition is open (NextStatus).
        var rows = db.Definitions
            .Where(d => d.OperationMode == OperationMode.LifecycleManaged && d.CurrentNotAfter != null && d.NextStatus == null)
            .Select(d => new RenewalDueRow
            {
                DefinitionId = d.Id,
                Name = d.Name,
                CommonName = d.CommonName,
                SearchText = d.SearchText,
                NotAfter = d.CurrentNotAfter!.Value,
                RenewalLeadDays = d.RenewalLeadDays,
                Tags = d.Tags,
            });
        if (leads.Count == 0)
        {
            return rows.Where(r => false);
        }

        // The latest bound first, as a plain range the expiry index answers; then each lead time's own bound.
        var latest = now.AddDays(leads.Max());
        return rows.Where(r => r.NotAfter <= latest).Where(WithinLead(leads, now));
    }

    private static Expression<Func<RenewalDueRow, bool>> WithinLead(IReadOnlyList<int> leads, DateTimeOffset now)
    {
        var row = Expression.Parameter(typeof(RenewalDueRow), "r");
        Expression body = Expression.Constant(false);
        foreach (var lead in leads)
        {
            var bound = now.AddDays(lead);
            Expression<Func<RenewalDueRow, bool>> one = r => r.RenewalLeadDays == lead && r.NotAfter <= bound;
            body = Expression.OrElse(body, new Rebind(one.Parameters[0], row).Visit(one.Body));
        }

        return Expression.Lambda<Func<RenewalDueRow, bool>>(body, row);
    }

    private sealed class Rebind(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}
