using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Web.ConsoleUi;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Web.Pages.Webhooks;

/// <summary>Webhooks: the channels administrator notices are posted to, with each one's last delivery at a glance.</summary>
[Authorize]
public sealed class IndexModel(CertMgrDbContext db, TimeProvider time) : PageModel
{
    public const string ListId = "webhooks-list";

    [BindProperty(SupportsGet = true)]
    public string? State { get; set; }

    public PagedResult<WebhookRow> Result { get; private set; } = null!;

    public ListView List { get; private set; } = null!;

    public DateTimeOffset Now { get; private set; }

    public bool IsAdmin => User.IsInRole(nameof(UserRole.Admin));

    public async Task<IActionResult> OnGetAsync([FromQuery] ListQuery query, CancellationToken ct)
    {
        Now = time.GetUtcNow();
        var rows = WebhookRows.InState(WebhookRows.Rows(db).AsNoTracking(), State);
        if (rows is null)
        {
            State = null;
            rows = WebhookRows.Rows(db).AsNoTracking();
        }

        Result = await rows.ToPagedResultAsync(WebhookRows.Columns.Normalize(query), WebhookRows.Columns, ct);
        List = ListView.For(Request, ListId, Result, WebhookRows.Columns);
        return this.PageOrFragment(ListId, "_WebhooksList");
    }
}
