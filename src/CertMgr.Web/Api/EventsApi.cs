using CertMgr.Core.Common;
using CertMgr.Data;
using CertMgr.Web.ConsoleUi;
using CertMgr.Web.ReadModels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Web.Api;

/// <summary><c>/api/v1/events</c>: the event log (audit events), filtered, searched, sorted and paged.</summary>
public static class EventsApi
{
    public const int DefaultTake = 50;
    public const int MaxTake = 200;

    public sealed record EventItem(
        long Id, DateTimeOffset At, string Actor, string? Address, string ObjectType, string? ObjectId, string Action, string Outcome, string? Detail);

    public sealed record EventPage(int Total, int Skip, int Take, IReadOnlyList<EventItem> Items);

    public static void MapEventsApi(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapGroup("/events").WithTags("Event log").MapGet("/", ListAsync).WithSummary("The event log, most recent first");
    }

    /// <param name="db">The database.</param>
    /// <param name="q">Search: actor, action, detail or object id (substring), or an address prefix.</param>
    /// <param name="outcome">success | failure.</param>
    /// <param name="objectType">e.g. CertificateDefinition, MonitorRun, User (exact).</param>
    /// <param name="objectId">The object's id (exact).</param>
    /// <param name="actor">User name, or "system" (exact).</param>
    /// <param name="since">Only events at or after this time.</param>
    /// <param name="until">Only events before this time.</param>
    /// <param name="sort">time | actor | type | action | outcome.</param>
    /// <param name="dir">asc | desc.</param>
    /// <param name="skip">Rows to skip.</param>
    /// <param name="take">Rows to return, 1-200 (default 50).</param>
    /// <param name="ct">Cancellation.</param>
    internal static async Task<Results<Ok<EventPage>, ProblemHttpResult>> ListAsync(
        CertMgrDbContext db, string? q, string? outcome, string? objectType, string? objectId, string? actor, DateTimeOffset? since,
        DateTimeOffset? until, string? sort, string? dir, int? skip, int? take, CancellationToken ct)
    {
        if (skip is < 0 || take is < 1 or > MaxTake)
        {
            return ApiRoutes.Problem(new Error("paging-invalid", $"skip must be 0 or more and take between 1 and {MaxTake}."));
        }

        if (sort is not null && !EventRows.Columns.IsSortable(sort.Trim()))
        {
            return ApiRoutes.Problem(new Error("sort-invalid", "sort must be one of: time, actor, type, action, outcome."));
        }

        var wanted = EventRows.NormalizeOutcome(outcome);
        if (outcome is not null && wanted is null)
        {
            return ApiRoutes.Problem(new Error("outcome-invalid", "outcome must be success or failure."));
        }

        var rows = EventRows.Rows(db).AsNoTracking();
        if (wanted is not null)
        {
            rows = rows.Where(r => r.Outcome == wanted);
        }

        if (!string.IsNullOrWhiteSpace(objectType))
        {
            var t = objectType.Trim();
            rows = rows.Where(r => r.ObjectType == t);
        }

        if (!string.IsNullOrWhiteSpace(objectId))
        {
            var o = objectId.Trim();
            rows = rows.Where(r => r.ObjectId == o);
        }

        if (!string.IsNullOrWhiteSpace(actor))
        {
            var a = actor.Trim();
            rows = rows.Where(r => r.Actor == a);
        }

        if (since is { } from)
        {
            rows = rows.Where(r => r.At >= from);
        }

        if (until is { } to)
        {
            rows = rows.Where(r => r.At < to);
        }

        var state = EventRows.Columns.Normalize(new ListQuery { Q = q, Sort = sort, Dir = dir });
        var filtered = EventRows.Columns.ApplySearch(rows, state);
        var total = await filtered.CountAsync(ct);
        var (first, count) = (skip ?? 0, take ?? DefaultTake);
        var page = await EventRows.Columns.ApplySort(filtered, state).Skip(first).Take(count).ToListAsync(ct);
        return TypedResults.Ok(new EventPage(total, first, count,
            [.. page.Select(e => new EventItem(e.Id, e.At, e.Actor, e.Address, e.ObjectType, e.ObjectId, e.Action, e.Outcome, e.Detail))]));
    }
}
