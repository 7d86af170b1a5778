using System.Security.Claims;
using CertMgr.Core.Common;
using CertMgr.Core.Notifications;
using CertMgr.Data;
using CertMgr.Web.Auth;
using CertMgr.Web.ConsoleUi;
using CertMgr.Web.Pages.Emails;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Web.Api;

/// <summary>
/// <c>/api/v1/emails</c>: every email CertMgr sent or tried to send (list: filtered, searched, sorted, paged; one
/// email with its body and last error), and Retry of a Failed email (admin).
/// </summary>
public static class NotificationsApi
{
    public const int DefaultTake = 50;
    public const int MaxTake = 200;

    public sealed record EmailItem(
        Guid Id, IReadOnlyList<string> To, string Subject, string Status, int Tries, string? LastError, string? RelatedType, Guid? RelatedId,
        DateTimeOffset CreatedAt, DateTimeOffset? SentAt, DateTimeOffset? NextAttemptAt);

    public sealed record EmailDetail(
        Guid Id, IReadOnlyList<string> To, IReadOnlyList<string> Cc, string Subject, string Body, string Status, int Tries, string? LastError,
        string? RelatedType, Guid? RelatedId, DateTimeOffset CreatedAt, DateTimeOffset? SentAt, DateTimeOffset? NextAttemptAt, DateTimeOffset? LastAttemptAt);

    public sealed record EmailPage(int Total, int Skip, int Take, IReadOnlyList<EmailItem> Items);

    public static void MapNotificationsApi(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var g = api.MapGroup("/emails").WithTags("Emails");
        g.MapGet("/", ListAsync).WithSummary("Sent and queued emails, most recent first");
        g.MapGet("/{id:guid}", GetAsync).WithSummary("One email with its body and last error");
        g.MapPost("/{id:guid}/retry", RetryAsync).RequireAuthorization(CertMgrClaims.AdminPolicy).WithSummary("Queue a Failed email again");
    }

    /// <param name="db">The database.</param>
    /// <param name="q">Search: subject or last error (substring).</param>
    /// <param name="status">Queued | Sent | Failed.</param>
    /// <param name="sort">time | subject | status | tries | related.</param>
    /// <param name="dir">asc | desc.</param>
    /// <param name="skip">Rows to skip.</param>
    /// <param name="take">Rows to return, 1-200 (default 50).</param>
    /// <param name="ct">Cancellation.</param>
    internal static async Task<IResult> ListAsync(CertMgrDbContext db, string? q, string? status, string? sort, string? dir, int? skip, int? take, CancellationToken ct)
    {
        if (skip is < 0 || take is < 1 or > MaxTake)
        {
            return ApiRoutes.Problem(Error.Invalid("paging-invalid", $"skip must be 0 or more and take between 1 and {MaxTake}.", skip is < 0 ? "skip" : "take"));
        }

        if (sort is not null && !EmailRows.Columns.IsSortable(sort.Trim()))
        {
            return ApiRoutes.Problem(Error.Invalid("sort-invalid", "sort must be one of: time, subject, status, tries, related.", "sort"));
        }

        var wanted = EmailRows.ParseStatus(status);
        if (!string.IsNullOrWhiteSpace(status) && wanted is null)
        {
            return ApiRoutes.Problem(Error.Invalid("status-invalid", "status must be Queued, Sent or Failed.", "status"));
        }

        var rows = EmailRows.Rows(db).AsNoTracking();
        if (wanted is { } w)
        {
            rows = rows.Where(r => r.Status == w);
        }

        var state = EmailRows.Columns.Normalize(new ListQuery { Q = q, Sort = sort, Dir = dir });
        var filtered = EmailRows.Columns.ApplySearch(rows, state);
        var total = await filtered.CountAsync(ct);
        var (first, count) = (skip ?? 0, take ?? DefaultTake);
        var page = await EmailRows.Columns.ApplySort(filtered, state).Skip(first).Take(count).ToListAsync(ct);
        return TypedResults.Ok(new EmailPage(total, first, count, [.. page.Select(e => new EmailItem(
            e.Id, e.To, e.Subject, e.Status.ToString(), e.Tries, e.LastError, e.RelatedType, e.RelatedId, e.CreatedAt, e.SentAt, e.NextAttemptAt))]));
    }

    internal static async Task<IResult> GetAsync(Guid id, CertMgrDbContext db, CancellationToken ct)
    {
        var e = await db.SentEmails.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id, ct);
        return e is null
            ? ApiRoutes.Problem(Error.NotFound("email-not-found", "No such email."))
            : TypedResults.Ok(new EmailDetail(e.Id, e.To, e.Cc, e.Subject, e.Body, e.Status.ToString(), e.Tries, e.LastError, e.RelatedType, e.RelatedId,
                e.CreatedAt, e.SentAt, e.NextAttemptAt, e.LastAttemptAt));
    }

    internal static async Task<IResult> RetryAsync(Guid id, EmailOutbox outbox, ClaimsPrincipal user, CancellationToken ct)
    {
        var retried = await outbox.RetryAsync(id, user?.Identity?.Name ?? "api", ct);
        return retried.IsSuccess ? TypedResults.Ok(new { retried.Value.Id, Status = retried.Value.Status.ToString() }) : ApiRoutes.Problem(retried.Error);
    }
}
