using System.Diagnostics.CodeAnalysis;
using System.Linq.Expressions;
using CertMgr.Core.Inventory;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Web.ConsoleUi;

namespace CertMgr.Web.ReadModels;

/// <summary>One line of the Event Log (console and API).</summary>
public sealed class EventRow
{
    public long Id { get; init; }
    public DateTimeOffset At { get; init; }
    public required string Actor { get; init; }
    public string? Address { get; init; }
    public required string ObjectType { get; init; }
    public string? ObjectId { get; init; }
    public required string Action { get; init; }
    public required string Outcome { get; init; }
    public string? Detail { get; init; }
}

/// <summary>The Event Log's projection, columns, search, filters and object links; shared by the console and the API.</summary>
public static class EventRows
{
    public const string Success = "success";
    public const string Failure = "failure";

    /// <summary>Object types recorded by CertMgr, with the words the console shows for them.</summary>
    public static IReadOnlyDictionary<string, string> KnownTypes { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [DefinitionHistory.ObjectType] = "Certificate definition",
        ["Certificate"] = "Certificate",
        [nameof(MonitorRun)] = "Monitor run",
        ["MonitorSchedule"] = "Monitor schedule",
        [nameof(TrustedCaSet)] = "Trusted CA set",
        ["PrivateCa"] = "Private CA",
        ["IssuedCertificate"] = "Issued certificate",
        ["Product"] = "Product",
        ["ProviderAccount"] = "Provider account",
        ["User"] = "User",
        ["ApiToken"] = "API token",
    };

    public static ListColumns<EventRow> Columns { get; } = new ListColumns<EventRow>("time")
        .Sortable("time", r => r.Id, descendingFirst: true)
        .Sortable("actor", r => r.Actor)
        .Sortable("type", r => r.ObjectType)
        .Sortable("action", r => r.Action)
        .Sortable("outcome", r => r.Outcome)
        .UniqueKey(r => r.Id)
        .SearchWith(Search);

    public static ListFilter OutcomeFilter { get; } = new("outcome", "Outcome",
    [
        new(null, "Any outcome"),
        new(Success, "Success"),
        new(Failure, "Failure"),
    ]);

    /// <summary>The object-type filter: every known type plus any other type found in the log.</summary>
    public static ListFilter TypeFilter(IEnumerable<string> typesInLog)
    {
        ArgumentNullException.ThrowIfNull(typesInLog);
        var types = KnownTypes.Keys.Union(typesInLog, StringComparer.Ordinal).OrderBy(TypeLabel, StringComparer.OrdinalIgnoreCase);
        return new("type", "Object type", [new(null, "Every object type"), .. types.Select(t => new FilterOption(t, TypeLabel(t)))]);
    }

    public static string TypeLabel(string type) => KnownTypes.TryGetValue(type, out var label) ? label : type;

    public static IQueryable<EventRow> Rows(CertMgrDbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.AuditEvents.Select(e => new EventRow
        {
            Id = e.Id,
            At = e.At,
            Actor = e.Actor,
            Address = e.Address,
            ObjectType = e.ObjectType,
            ObjectId = e.ObjectId,
            Action = e.Action,
            Outcome = e.Outcome,
            Detail = e.Detail,
        });
    }

    /// <summary>The canonical outcome filter value, or null for none/unknown.</summary>
    public static string? NormalizeOutcome(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        Success => Success,
        Failure => Failure,
        _ => null,
    };

    /// <summary>
    /// The console page of the event's object, when it has one: definitions, certificates and monitor runs.
    /// Relative to the application root (<c>~/...</c>).
    /// </summary>
    public static string? ObjectLink(string objectType, string? objectId)
    {
        if (!Guid.TryParse(objectId, out var id))
        {
            return null;
        }

        return objectType switch
        {
            DefinitionHistory.ObjectType => $"~/definitions/{id}",
            "Certificate" => $"~/certificates/{id}",
            nameof(MonitorRun) => $"~/monitor/runs/{id}",
            _ => null,
        };
    }

    /// <summary>Search: actor, action, detail or object id (case-insensitive substring), or an address prefix.</summary>
    [SuppressMessage("Performance", "CA1862", Justification = "Translated to SQL, where Contains(string, StringComparison) has no translation.")]
    public static Expression<Func<EventRow, bool>> Search(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.ToLowerInvariant();
        return r => r.Actor.ToLower().Contains(t) || r.Action.ToLower().Contains(t)
            || (r.Detail != null && r.Detail.ToLower().Contains(t))
            || (r.ObjectId != null && r.ObjectId.ToLower().Contains(t))
            || (r.Address != null && r.Address.StartsWith(text));
    }
}
