using System.Security.Claims;
using CertMgr.Core.Common;
using CertMgr.Core.Notifications.Webhooks;
using CertMgr.Data;
using CertMgr.Web.Auth;
using CertMgr.Web.ConsoleUi;
using CertMgr.Web.Pages.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Web.Api;

/// <summary>
/// <c>/api/v1/webhooks</c>: webhook channels (list with the last delivery, one channel, its deliveries) for every
/// signed-in user; create (returns the signing secret once), update (an empty url keeps the stored one), delete,
/// new-secret and test (the receiver's answer; a network error is a 503 problem) for admins. The full URL and the secret
/// are never returned after creation.
/// </summary>
public static class WebhooksApi
{
    public const int DefaultTake = 50;
    public const int MaxTake = 200;

    public sealed record WebhookBody(string? Name, string? Url, string? Format, IReadOnlyList<string>? Kinds, bool? Enabled)
    {
        public override string ToString() => $"WebhookBody {{ Name = {Name}, Format = {Format} }}"; // never the URL
    }

    public sealed record WebhookItem(
        Guid Id, string Name, string Url, string Format, IReadOnlyList<string> Kinds, bool Enabled, DateTimeOffset CreatedAt,
        string? LastStatus, DateTimeOffset? LastAt, int? LastHttpStatus, string? LastError);

    public sealed record WebhookPage(int Total, int Skip, int Take, IReadOnlyList<WebhookItem> Items);

    public sealed record WebhookCreated(WebhookItem Channel, string Secret);

    public sealed record WebhookSecret(Guid Id, string Secret);

    public sealed record DeliveryItem(
        Guid Id, Guid NotificationId, string Kind, string Subject, string Status, int Tries, int? LastHttpStatus, string? LastError,
        DateTimeOffset CreatedAt, DateTimeOffset? LastAttemptAt, DateTimeOffset? NextAttemptAt, DateTimeOffset? SentAt);

    public sealed record DeliveryPage(int Total, int Skip, int Take, IReadOnlyList<DeliveryItem> Items);

    public static void MapWebhooksApi(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var g = api.MapGroup("/webhooks").WithTags("Webhooks");
        g.MapGet("/", ListAsync).WithSummary("Webhook channels with their last delivery");
        g.MapGet("/{id:guid}", GetAsync).WithSummary("One webhook channel (display URL only)");
        g.MapGet("/{id:guid}/deliveries", DeliveriesAsync).WithSummary("A channel's deliveries, most recent first");
        g.MapPost("/", CreateAsync).RequireAuthorization(CertMgrClaims.AdminPolicy).WithSummary("Create a channel; the signing secret is returned this once");
        g.MapPut("/{id:guid}", UpdateAsync).RequireAuthorization(CertMgrClaims.AdminPolicy).WithSummary("Edit a channel; an empty url keeps the stored one");
        g.MapDelete("/{id:guid}", DeleteAsync).RequireAuthorization(CertMgrClaims.AdminPolicy).WithSummary("Delete a channel and its deliveries");
        g.MapPost("/{id:guid}/new-secret", NewSecretAsync).RequireAuthorization(CertMgrClaims.AdminPolicy).WithSummary("Replace the signing secret; returned this once");
        g.MapPost("/{id:guid}/test", TestAsync).RequireAuthorization(CertMgrClaims.AdminPolicy).WithSummary("Send a test notification now and return the receiver's answer");
    }

    /// <param name="db">The database.</param>
    /// <param name="q">Search: name or URL (substring).</param>
    /// <param name="state">enabled | disabled | failing.</param>
    /// <param name="sort">name | format | enabled | last.</param>
    /// <param name="dir">asc | desc.</param>
    /// <param name="skip">Rows to skip.</param>
    /// <param name="take">Rows to return, 1-200 (default 50).</param>
    /// <param name="ct">Cancellation.</param>
    internal static async Task<IResult> ListAsync(CertMgrDbContext db, string? q, string? state, string? sort, string? dir, int? skip, int? take, CancellationToken ct)
    {
        if (Paging(skip, take) is { } bad)
        {
            return ApiRoutes.Problem(bad);
        }

        if (sort is not null && !WebhookRows.Columns.IsSortable(sort.Trim()))
        {
            return ApiRoutes.Problem(Error.Invalid("sort-invalid", "sort must be one of: name, format, enabled, last.", "sort"));
        }

        if (WebhookRows.InState(WebhookRows.Rows(db).AsNoTracking(), state) is not { } rows)
        {
            return ApiRoutes.Problem(Error.Invalid("state-invalid", "state must be enabled, disabled or failing.", "state"));
        }

        var listState = WebhookRows.Columns.Normalize(new ListQuery { Q = q, Sort = sort, Dir = dir });
        var filtered = WebhookRows.Columns.ApplySearch(rows, listState);
        var total = await filtered.CountAsync(ct);
        var (first, count) = (skip ?? 0, take ?? DefaultTake);
        var page = await WebhookRows.Columns.ApplySort(filtered, listState).Skip(first).Take(count).ToListAsync(ct);
        return TypedResults.Ok(new WebhookPage(total, first, count, [.. page.Select(Item)]));
    }

    internal static async Task<IResult> GetAsync(Guid id, CertMgrDbContext db, CancellationToken ct) =>
        await WebhookRows.Rows(db).AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, ct) is { } row
            ? TypedResults.Ok(Item(row))
            : ApiRoutes.Problem(Error.NotFound("webhook-not-found", "No such webhook channel."));

    /// <param name="id">The channel.</param>
    /// <param name="db">The database.</param>
    /// <param name="q">Search: subject or last error (substring).</param>
    /// <param name="status">Pending | Sent | Failed | Suppressed.</param>
    /// <param name="sort">time | subject | status | tries.</param>
    /// <param name="dir">asc | desc.</param>
    /// <param name="skip">Rows to skip.</param>
    /// <param name="take">Rows to return, 1-200 (default 50).</param>
    /// <param name="ct">Cancellation.</param>
    internal static async Task<IResult> DeliveriesAsync(Guid id, CertMgrDbContext db, string? q, string? status, string? sort, string? dir, int? skip, int? take, CancellationToken ct)
    {
        if (!await db.WebhookChannels.AnyAsync(c => c.Id == id, ct))
        {
            return ApiRoutes.Problem(Error.NotFound("webhook-not-found", "No such webhook channel."));
        }

        if (Paging(skip, take) is { } bad)
        {
            return ApiRoutes.Problem(bad);
        }

        if (sort is not null && !WebhookRows.DeliveryColumns.IsSortable(sort.Trim()))
        {
            return ApiRoutes.Problem(Error.Invalid("sort-invalid", "sort must be one of: time, subject, status, tries.", "sort"));
        }

        var wanted = WebhookRows.ParseStatus(status);
        if (!string.IsNullOrWhiteSpace(status) && wanted is null)
        {
            return ApiRoutes.Problem(Error.Invalid("status-invalid", "status must be Pending, Sent, Failed or Suppressed.", "status"));
        }

        var rows = WebhookRows.Deliveries(db, id).AsNoTracking();
        if (wanted is { } w)
        {
            rows = rows.Where(r => r.Status == w);
        }

        var listState = WebhookRows.DeliveryColumns.Normalize(new ListQuery { Q = q, Sort = sort, Dir = dir });
        var filtered = WebhookRows.DeliveryColumns.ApplySearch(rows, listState);
        var total = await filtered.CountAsync(ct);
        var (first, count) = (skip ?? 0, take ?? DefaultTake);
        var page = await WebhookRows.DeliveryColumns.ApplySort(filtered, listState).Skip(first).Take(count).ToListAsync(ct);
        return TypedResults.Ok(new DeliveryPage(total, first, count, [.. page.Select(d => new DeliveryItem(
            d.Id, d.NotificationId, d.Kind, d.Subject, d.Status.ToString(), d.Tries, d.LastHttpStatus, d.LastError, d.CreatedAt, d.LastAttemptAt, d.NextAttemptAt, d.SentAt))]));
    }

    internal static async Task<IResult> CreateAsync(WebhookBody? body, WebhookChannels channels, CertMgrDbContext db, ClaimsPrincipal user, CancellationToken ct)
    {
        if (body is null)
        {
            return ApiRoutes.Problem(new Error("body-missing", "Send the channel as a JSON object."));
        }

        var created = await channels.CreateAsync(Input(body), Actor(user), ct);
        if (!created.IsSuccess)
        {
            return ApiRoutes.Problem(created.Error);
        }

        var row = await WebhookRows.Rows(db).AsNoTracking().SingleAsync(r => r.Id == created.Value.Channel.Id, ct);
        return TypedResults.Created($"{ApiRoutes.Prefix}/webhooks/{row.Id}", new WebhookCreated(Item(row), created.Value.Secret));
    }

    internal static async Task<IResult> UpdateAsync(Guid id, WebhookBody? body, WebhookChannels channels, CertMgrDbContext db, ClaimsPrincipal user, CancellationToken ct)
    {
        if (body is null)
        {
            return ApiRoutes.Problem(new Error("body-missing", "Send the channel as a JSON object."));
        }

        var updated = await channels.UpdateAsync(id, Input(body), Actor(user), ct);
        return updated.IsSuccess
            ? TypedResults.Ok(Item(await WebhookRows.Rows(db).AsNoTracking().SingleAsync(r => r.Id == id, ct)))
            : ApiRoutes.Problem(updated.Error);
    }

    internal static async Task<IResult> DeleteAsync(Guid id, WebhookChannels channels, ClaimsPrincipal user, CancellationToken ct)
    {
        var deleted = await channels.DeleteAsync(id, Actor(user), ct);
        return deleted.IsSuccess ? TypedResults.NoContent() : ApiRoutes.Problem(deleted.Error);
    }

    internal static async Task<IResult> NewSecretAsync(Guid id, WebhookChannels channels, ClaimsPrincipal user, CancellationToken ct)
    {
        var secret = await channels.NewSecretAsync(id, Actor(user), ct);
        return secret.IsSuccess ? TypedResults.Ok(new WebhookSecret(id, secret.Value)) : ApiRoutes.Problem(secret.Error);
    }

    internal static async Task<IResult> TestAsync(Guid id, WebhookChannels channels, ClaimsPrincipal user, CancellationToken ct)
    {
        var sent = await channels.SendTestAsync(id, Actor(user), ct);
        return sent.IsSuccess ? TypedResults.Ok(sent.Value) : ApiRoutes.Problem(sent.Error);
    }

    private static WebhookChannelInput Input(WebhookBody body) => new()
    {
        Name = body.Name,
        Url = body.Url,
        Format = body.Format,
        Kinds = body.Kinds,
        Enabled = body.Enabled ?? true,
    };

    private static WebhookItem Item(WebhookRow r) => new(
        r.Id, r.Name, r.UrlDisplay, r.Format.ToString(), r.Kinds, r.Enabled, r.CreatedAt, r.LastStatus?.ToString(), r.LastAt, r.LastHttpStatus, r.LastError);

    private static Error? Paging(int? skip, int? take) => skip is < 0 || take is < 1 or > MaxTake
        ? Error.Invalid("paging-invalid", $"skip must be 0 or more and take between 1 and {MaxTake}.", skip is < 0 ? "skip" : "take")
        : null;

    private static string Actor(ClaimsPrincipal user) => user?.Identity?.Name ?? "api";
}
