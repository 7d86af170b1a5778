using CertMgr.Core.Notifications.Webhooks;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Web.ConsoleUi;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Web.Pages.Webhooks;

/// <summary>
/// One webhook channel: its settings, its deliveries (searched, filtered, sorted, paged) and, for admins, Send test
/// notification (the receiver's answer or the network error), a new signing secret (shown once), edit and delete.
/// </summary>
[Authorize]
public sealed class DetailsModel(CertMgrDbContext db, WebhookChannels channels, TimeProvider time) : PageModel
{
    public const string ListId = "deliveries-list";

    [BindProperty(SupportsGet = true)]
    public string? Status { get; set; }

    public WebhookRow Channel { get; private set; } = null!;
    public PagedResult<WebhookDeliveryRow> Result { get; private set; } = null!;
    public ListView List { get; private set; } = null!;
    public DateTimeOffset Now { get; private set; }
    public bool IsAdmin => User.IsInRole(nameof(UserRole.Admin));
    public string? Done { get; private set; }
    public string? Error { get; private set; }
    public WebhookTestResult? TestAnswer { get; private set; }
    public string? TestError { get; private set; }
    public string? NewSecret { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid id, [FromQuery] ListQuery query, string? done, CancellationToken ct)
    {
        Done = done == "saved" ? "Webhook saved." : null;
        return await LoadAsync(id, query, ct) ? this.PageOrFragment(ListId, "_DeliveriesList") : NotFound();
    }

    public async Task<IActionResult> OnPostTestAsync(Guid id, CancellationToken ct)
    {
        if (!IsAdmin)
        {
            return Forbid(); // handler-level [Authorize] is not applied by Razor Pages
        }

        var sent = await channels.SendTestAsync(id, User.Identity?.Name ?? "console", ct);
        if (sent.IsSuccess)
        {
            TestAnswer = sent.Value;
        }
        else
        {
            TestError = sent.Error.Message;
        }

        return await LoadAsync(id, new ListQuery(), ct) ? Page() : NotFound();
    }

    public async Task<IActionResult> OnPostNewSecretAsync(Guid id, CancellationToken ct)
    {
        if (!IsAdmin)
        {
            return Forbid();
        }

        var secret = await channels.NewSecretAsync(id, User.Identity?.Name ?? "console", ct);
        if (secret.IsSuccess)
        {
            NewSecret = secret.Value;
        }
        else
        {
            Error = secret.Error.Message;
        }

        return await LoadAsync(id, new ListQuery(), ct) ? Page() : NotFound();
    }

    public async Task<IActionResult> OnPostDeleteAsync(Guid id, CancellationToken ct)
    {
        if (!IsAdmin)
        {
            return Forbid();
        }

        var deleted = await channels.DeleteAsync(id, User.Identity?.Name ?? "console", ct);
        return deleted.IsSuccess ? Redirect(Url.Content("~/webhooks")) : NotFound();
    }

    private async Task<bool> LoadAsync(Guid id, ListQuery query, CancellationToken ct)
    {
        Now = time.GetUtcNow();
        var channel = await WebhookRows.Rows(db).AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, ct);
        if (channel is null)
        {
            return false;
        }

        Channel = channel;
        var status = WebhookRows.ParseStatus(Status);
        Status = status?.ToString();
        var rows = WebhookRows.Deliveries(db, id).AsNoTracking();
        if (status is { } s)
        {
            rows = rows.Where(r => r.Status == s);
        }

        Result = await rows.ToPagedResultAsync(WebhookRows.DeliveryColumns.Normalize(query), WebhookRows.DeliveryColumns, ct);
        List = ListView.For(Request, ListId, Result, WebhookRows.DeliveryColumns);
        return true;
    }
}
