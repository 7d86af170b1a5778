using System.Globalization;
using System.Text;
using System.Text.Json;
using CertMgr.Core.Common;
using CertMgr.Data;
using CertMgr.Web.Auth;
using CertMgr.Web.ConsoleUi;
using CertMgr.Web.ReadModels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Web.Api;

/// <summary>What the audit log is filtered by (console /audit and <c>GET /api/v1/audit</c>); every field optional.</summary>
public sealed record AuditFilter(
    string? Actor = null, string? ObjectType = null, string? Action = null, string? Outcome = null,
    DateTimeOffset? Since = null, DateTimeOffset? Until = null, string? Q = null);

/// <summary>
/// <c>/api/v1/audit</c>, admins only: the audit trail (who, when, from which address, which object, what changed) filtered
/// by actor, object type, action, outcome, time range and text; sorted and paged, or exported whole as CSV or JSON
/// (<c>format=csv|json</c>, at most <see cref="MaxExport"/> rows, newest first).
/// </summary>
public static class AuditApi
{
    public const int MaxExport = 100_000;

    public static void MapAuditApi(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapGet("/audit", ListAsync).WithTags("Audit").RequireAuthorization(CertMgrClaims.AdminPolicy)
            .WithSummary("The audit log, filtered; format=csv|json exports every matching event");
    }

    /// <summary>The filtered rows; an invalid filter (unknown outcome, until before since) is an error.</summary>
    public static Result<IQueryable<EventRow>> Query(CertMgrDbContext db, AuditFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var outcome = EventRows.NormalizeOutcome(filter.Outcome);
        if (!string.IsNullOrWhiteSpace(filter.Outcome) && outcome is null)
        {
            return Error.Invalid("outcome-invalid", "outcome must be success or failure.", "outcome");
        }

        if (filter is { Since: { } s, Until: { } u } && u < s)
        {
            return Error.Invalid("range-invalid", "until must not be before since.", "until");
        }

        var rows = EventRows.Rows(db).AsNoTracking();
        if (outcome is not null)
        {
            rows = rows.Where(r => r.Outcome == outcome);
        }

        if (Trimmed(filter.Actor) is { } actor)
        {
            rows = rows.Where(r => r.Actor == actor);
        }

        if (Trimmed(filter.ObjectType) is { } type)
        {
            rows = rows.Where(r => r.ObjectType == type);
        }

        if (Trimmed(filter.Action) is { } action)
        {
            rows = rows.Where(r => r.Action == action);
        }

        if (filter.Since is { } since)
        {
            rows = rows.Where(r => r.At >= since);
        }

        if (filter.Until is { } until)
        {
            rows = rows.Where(r => r.At < until);
        }

        if (Trimmed(filter.Q) is { } q)
        {
            rows = rows.Where(EventRows.Search(q));
        }

        return Result<IQueryable<EventRow>>.Success(rows);
    }

    /// <param name="db">The database.</param>
    /// <param name="actor">User name or "system" (exact).</param>
    /// <param name="objectType">e.g. User, CertificateDefinition (exact).</param>
    /// <param name="action">e.g. sign-in, update-user (exact).</param>
    /// <param name="outcome">success | failure.</param>
    /// <param name="since">Only events at or after this time.</param>
    /// <param name="until">Only events before this time.</param>
    /// <param name="q">Text: actor, action, detail or object id (substring), or an address prefix.</param>
    /// <param name="sort">time | actor | type | action | outcome.</param>
    /// <param name="dir">asc | desc.</param>
    /// <param name="skip">Rows to skip.</param>
    /// <param name="take">Rows to return, 1-200 (default 50).</param>
    /// <param name="format">Absent for a page of JSON; csv or json to download every matching event.</param>
    /// <param name="ct">Cancellation.</param>
    internal static async Task<IResult> ListAsync(
        CertMgrDbContext db, string? actor, string? objectType, string? action, string? outcome, DateTimeOffset? since, DateTimeOffset? until,
        string? q, string? sort, string? dir, int? skip, int? take, string? format, CancellationToken ct)
    {
        if (skip is < 0 || take is < 1 or > EventsApi.MaxTake)
        {
            return ApiRoutes.Problem(Error.Invalid("paging-invalid", $"skip must be 0 or more and take between 1 and {EventsApi.MaxTake}.", take is null ? "skip" : "take"));
        }

        if (sort is not null && !EventRows.Columns.IsSortable(sort.Trim()))
        {
            return ApiRoutes.Problem(Error.Invalid("sort-invalid", "sort must be one of: time, actor, type, action, outcome.", "sort"));
        }

        var kind = format?.Trim().ToLowerInvariant();
        if (kind is not (null or "" or "csv" or "json"))
        {
            return ApiRoutes.Problem(Error.Invalid("format-invalid", "format must be csv or json.", "format"));
        }

        var query = Query(db, new AuditFilter(actor, objectType, action, outcome, since, until, q));
        if (!query.IsSuccess)
        {
            return ApiRoutes.Problem(query.Error);
        }

        var state = EventRows.Columns.Normalize(new ListQuery { Sort = sort, Dir = dir });
        var sorted = EventRows.Columns.ApplySort(query.Value, state);
        if (kind is "csv" or "json")
        {
            var all = await sorted.Take(MaxExport).ToListAsync(ct);
            var items = all.Select(Item).ToList();
            return kind == "csv"
                ? TypedResults.File(Encoding.UTF8.GetBytes(Csv(items)), "text/csv; charset=utf-8", "audit.csv")
                : TypedResults.File(JsonSerializer.SerializeToUtf8Bytes(items, JsonOptions), "application/json", "audit.json");
        }

        var total = await query.Value.CountAsync(ct);
        var (first, count) = (skip ?? 0, take ?? EventsApi.DefaultTake);
        var page = await sorted.Skip(first).Take(count).ToListAsync(ct);
        return TypedResults.Ok(new EventsApi.EventPage(total, first, count, [.. page.Select(Item)]));
    }

    /// <summary>RFC 4180 CSV with a header; cells that a spreadsheet would run as a formula are prefixed with '.</summary>
    public static string Csv(IEnumerable<EventsApi.EventItem> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var sb = new StringBuilder("id,at,actor,address,objectType,objectId,action,outcome,detail\r\n");
        foreach (var e in items)
        {
            string?[] cells = [e.Id.ToString(CultureInfo.InvariantCulture), e.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
                e.Actor, e.Address ?? "", e.ObjectType, e.ObjectId ?? "", e.Action, e.Outcome, e.Detail ?? ""];
            CsvText.AppendRow(sb, cells);
        }

        return sb.ToString();
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private static EventsApi.EventItem Item(EventRow e) => new(e.Id, e.At, e.Actor, e.Address, e.ObjectType, e.ObjectId, e.Action, e.Outcome, e.Detail);

    private static string? Trimmed(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
