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
/// <c>/api/v1/emails</c>: every email CertMgr sent or tried to send (list: filtered by status and kind, searched by
/// subject, recipient or error, sorted, paged; one email with its body and last error), and Retry of a Failed email
/// (admin). <c>/api/v1/email-templates</c>: the editable email texts (list, one, preview with sample values; save and
/// reset for admins). <c>/api/v1/notification-preferences</c>: daily digest and package delivery (admin to change).
/// </summary>
public static class NotificationsApi
{
    public const int DefaultTake = 50;
    public const int MaxTake = 200;

    public sealed record EmailItem(
        Guid Id, IReadOnlyList<string> To, string Subject, string Status, int Tries, string? LastError, string? RelatedType, Guid? RelatedId,
        DateTimeOffset CreatedAt, DateTimeOffset? SentAt, DateTimeOffset? NextAttemptAt, string? Kind = null);

    public sealed record TemplatePlaceholderItem(string Name, string Description, string Sample);

    public sealed record TemplateItem(
        string Kind, string Title, string Recipient, string Subject, string Body, bool Customized, DateTimeOffset? UpdatedAt,
        IReadOnlyList<TemplatePlaceholderItem> Placeholders, string DefaultSubject, string DefaultBody);

    public sealed record TemplateInput(string? Subject, string? Body);

    public sealed record PreviewItem(string Subject, string Body);

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

        var t = api.MapGroup("/email-templates").WithTags("Emails");
        t.MapGet("/", ListTemplatesAsync).WithSummary("Every editable email kind with its text in force and its placeholders");
        t.MapGet("/{kind}", GetTemplateAsync).WithSummary("One email kind's template");
        t.MapPost("/{kind}/preview", PreviewTemplate).WithSummary("Check a subject and body and render them with the kind's sample values (nothing saved)");
        t.MapPut("/{kind}", SaveTemplateAsync).RequireAuthorization(CertMgrClaims.AdminPolicy).WithSummary("Save a kind's subject and body (audited)");
        t.MapDelete("/{kind}", ResetTemplateAsync).RequireAuthorization(CertMgrClaims.AdminPolicy).WithSummary("Reset a kind to its default text (audited)");

        var p = api.MapGroup("/notification-preferences").WithTags("Emails");
        p.MapGet("/", async (NotificationPreferences prefs, CancellationToken ct) => TypedResults.Ok(await prefs.GetAsync(ct)))
            .WithSummary("Daily digest and install package delivery preferences");
        p.MapPut("/", SavePreferencesAsync).RequireAuthorization(CertMgrClaims.AdminPolicy).WithSummary("Change the preferences (audited with what changed)");
    }

    internal static async Task<IResult> ListTemplatesAsync(EmailTemplates templates, CancellationToken ct) =>
        TypedResults.Ok((await templates.ListAsync(ct)).Select(Item).ToList());

    internal static async Task<IResult> GetTemplateAsync(string kind, EmailTemplates templates, CancellationToken ct)
    {
        var found = await templates.GetAsync(kind, ct);
        return found.IsSuccess ? TypedResults.Ok(Item(found.Value)) : ApiRoutes.Problem(found.Error);
    }

    internal static IResult PreviewTemplate(string kind, TemplateInput input)
    {
        var preview = EmailTemplates.Preview(kind, input?.Subject, input?.Body);
        return preview.IsSuccess ? TypedResults.Ok(new PreviewItem(preview.Value.Subject, preview.Value.Body)) : ApiRoutes.Problem(preview.Error);
    }

    internal static async Task<IResult> SaveTemplateAsync(string kind, TemplateInput input, EmailTemplates templates, ClaimsPrincipal user, CancellationToken ct)
    {
        var saved = await templates.SaveAsync(kind, input?.Subject, input?.Body, user?.Identity?.Name ?? "api", ct);
        return saved.IsSuccess ? TypedResults.Ok(Item(saved.Value)) : ApiRoutes.Problem(saved.Error);
    }

    internal static async Task<IResult> ResetTemplateAsync(string kind, EmailTemplates templates, ClaimsPrincipal user, CancellationToken ct)
    {
        var reset = await templates.ResetAsync(kind, user?.Identity?.Name ?? "api", ct);
        return reset.IsSuccess ? TypedResults.Ok(Item(reset.Value)) : ApiRoutes.Problem(reset.Error);
    }

    internal static async Task<IResult> SavePreferencesAsync(NotificationPreferencesInput input, NotificationPreferences prefs, ClaimsPrincipal user, CancellationToken ct)
    {
        var saved = await prefs.SaveAsync(input ?? new NotificationPreferencesInput(), user?.Identity?.Name ?? "api", ct);
        return saved.IsSuccess ? TypedResults.Ok(saved.Value) : ApiRoutes.Problem(saved.Error);
    }

    private static TemplateItem Item(EmailTemplateView v) => new(
        v.Kind.Kind, v.Kind.Title, v.Kind.Recipient, v.Template.Subject, v.Template.Body, v.Customized, v.UpdatedAt,
        [.. v.Kind.Placeholders.Select(p => new TemplatePlaceholderItem(p.Name, p.Description, p.Sample))], v.Kind.Default.Subject, v.Kind.Default.Body);

    /// <param name="db">The database.</param>
    /// <param name="q">Search: subject or last error (substring).</param>
    /// <param name="status">Queued | Sent | Failed.</param>
    /// <param name="kind">The email kind, e.g. install-request, monitor-ng, digest, test.</param>
    /// <param name="sort">time | subject | status | tries | related.</param>
    /// <param name="dir">asc | desc.</param>
    /// <param name="skip">Rows to skip.</param>
    /// <param name="take">Rows to return, 1-200 (default 50).</param>
    /// <param name="ct">Cancellation.</param>
    internal static async Task<IResult> ListAsync(CertMgrDbContext db, string? q, string? status, string? kind, string? sort, string? dir, int? skip, int? take, CancellationToken ct)
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

        var wantedKind = EmailRows.ParseKind(kind);
        if (!string.IsNullOrWhiteSpace(kind) && wantedKind is null)
        {
            return ApiRoutes.Problem(Error.Invalid("kind-invalid", $"kind must be one of: {string.Join(", ", EmailRows.Kinds)}.", "kind"));
        }

        var rows = EmailRows.Rows(db).AsNoTracking();
        if (wanted is { } w)
        {
            rows = rows.Where(r => r.Status == w);
        }

        if (wantedKind is { } k)
        {
            rows = rows.Where(r => r.Kind == k);
        }

        var state = EmailRows.Columns.Normalize(new ListQuery { Q = q, Sort = sort, Dir = dir });
        var filtered = EmailRows.Columns.ApplySearch(rows, state);
        var total = await filtered.CountAsync(ct);
        var (first, count) = (skip ?? 0, take ?? DefaultTake);
        var page = await EmailRows.Columns.ApplySort(filtered, state).Skip(first).Take(count).ToListAsync(ct);
        return TypedResults.Ok(new EmailPage(total, first, count, [.. page.Select(e => new EmailItem(
            e.Id, e.To, e.Subject, e.Status.ToString(), e.Tries, e.LastError, e.RelatedType, e.RelatedId, e.CreatedAt, e.SentAt, e.NextAttemptAt, e.Kind))]));
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
