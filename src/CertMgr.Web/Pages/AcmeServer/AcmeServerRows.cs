using System.Diagnostics.CodeAnalysis;
using System.Linq.Expressions;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Web.ConsoleUi;

namespace CertMgr.Web.Pages.AcmeServer;

/// <summary>One line of the ACME accounts list.</summary>
public sealed class AcmeAccountListRow
{
    public Guid Id { get; init; }
    public required List<string> Contact { get; init; }
    public AcmeServerStatus Status { get; init; }
    public required List<string> AllowedDomains { get; init; }
    public string? EabKeyId { get; init; }
    public int Orders { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>One line of the ACME orders list.</summary>
public sealed class AcmeOrderListRow
{
    public Guid Id { get; init; }
    public Guid AccountId { get; init; }
    public required List<string> Identifiers { get; init; }
    public AcmeServerStatus Status { get; init; }
    public Guid? DefinitionId { get; init; }
    public string? DefinitionName { get; init; }
    /// <summary>The certificate profile the client asked for; null: the server's default.</summary>
    public string? Profile { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>Projections, columns, searches, filters and badges of the ACME server's console lists.</summary>
public static class AcmeServerRows
{
    public static ListColumns<AcmeAccountListRow> AccountColumns { get; } = new ListColumns<AcmeAccountListRow>("created")
        .Sortable("created", r => r.CreatedAt, descendingFirst: true)
        .Sortable("status", r => r.Status)
        .Sortable("orders", r => r.Orders, descendingFirst: true)
        .UniqueKey(r => r.Id)
        .SearchWith(SearchAccounts);

    public static ListColumns<AcmeOrderListRow> OrderColumns { get; } = new ListColumns<AcmeOrderListRow>("created")
        .Sortable("created", r => r.CreatedAt, descendingFirst: true)
        .Sortable("updated", r => r.UpdatedAt, descendingFirst: true)
        .Sortable("status", r => r.Status)
        .UniqueKey(r => r.Id)
        .SearchWith(SearchOrders);

    public static ListFilter AccountStatusFilter { get; } = new("status", "Status",
    [
        new(null, "Any status"),
        new(nameof(AcmeServerStatus.Valid), "Valid"),
        new(nameof(AcmeServerStatus.Deactivated), "Deactivated"),
    ]);

    public static ListFilter OrderStatusFilter { get; } = new("status", "Status",
    [
        new(null, "Any status"),
        new(nameof(AcmeServerStatus.Pending), "Pending"),
        new(nameof(AcmeServerStatus.Ready), "Ready"),
        new(nameof(AcmeServerStatus.Processing), "Processing"),
        new(nameof(AcmeServerStatus.Valid), "Valid"),
        new(nameof(AcmeServerStatus.Invalid), "Invalid"),
    ]);

    public static IQueryable<AcmeAccountListRow> Accounts(CertMgrDbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.AcmeServerAccounts.Select(a => new AcmeAccountListRow
        {
            Id = a.Id,
            Contact = a.Contact,
            Status = a.Status,
            AllowedDomains = a.AllowedDomains,
            EabKeyId = a.EabKeyId,
            Orders = db.AcmeServerOrders.Count(o => o.AccountId == a.Id),
            CreatedAt = a.CreatedAt,
        });
    }

    public static IQueryable<AcmeOrderListRow> Orders(CertMgrDbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.AcmeServerOrders.Select(o => new AcmeOrderListRow
        {
            Id = o.Id,
            AccountId = o.AccountId,
            Identifiers = o.Identifiers,
            Status = o.Status,
            DefinitionId = o.DefinitionId,
            DefinitionName = db.Definitions.Where(d => d.Id == o.DefinitionId).Select(d => d.Name).FirstOrDefault(),
            Profile = o.Profile,
            CreatedAt = o.CreatedAt,
            UpdatedAt = o.UpdatedAt,
        });
    }

    public static AcmeServerStatus? ParseStatus(string? value) =>
        Enum.TryParse<AcmeServerStatus>(value?.Trim(), ignoreCase: true, out var s) && Enum.IsDefined(s) ? s : null;

    public static StatusBadge Badge(AcmeServerStatus status) => status switch
    {
        AcmeServerStatus.Valid => new("Valid", Tone.Success, "check-circle"),
        AcmeServerStatus.Ready => new("Ready", Tone.Info, "hourglass-split"),
        AcmeServerStatus.Pending => new("Pending", Tone.Info, "hourglass"),
        AcmeServerStatus.Processing => new("Processing", Tone.Primary, "arrow-repeat"),
        AcmeServerStatus.Invalid => new("Invalid", Tone.Danger, "x-octagon"),
        AcmeServerStatus.Revoked => new("Revoked", Tone.Danger, "slash-circle"),
        AcmeServerStatus.Expired => new("Expired", Tone.Warning, "clock-history"),
        _ => new("Deactivated", Tone.Neutral, "pause-circle"),
    };

    public static string Contacts(IEnumerable<string> contact) =>
        string.Join(", ", contact.Select(c => c.StartsWith("mailto:", StringComparison.Ordinal) ? c[7..] : c)) is { Length: > 0 } s ? s : "—";

    /// <summary>Search: a contact or an allowed domain (case-insensitive substring).</summary>
    [SuppressMessage("Performance", "CA1862", Justification = "Translated to SQL, where Contains(string, StringComparison) has no translation.")]
    public static Expression<Func<AcmeAccountListRow, bool>> SearchAccounts(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.ToLowerInvariant();
        return r => r.Contact.Any(c => c.ToLower().Contains(t)) || r.AllowedDomains.Any(d => d.Contains(t));
    }

    /// <summary>Search: a name of the order (case-insensitive substring).</summary>
    [SuppressMessage("Performance", "CA1862", Justification = "Translated to SQL, where Contains(string, StringComparison) has no translation.")]
    public static Expression<Func<AcmeOrderListRow, bool>> SearchOrders(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.ToLowerInvariant();
        return r => r.Identifiers.Any(i => i.Contains(t));
    }
}
