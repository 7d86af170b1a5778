using CertMgr.Data;
using CertMgr.Web.ConsoleUi;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Web.Pages.Emails;

/// <summary>Sent Emails (guide 4.2.7): every email CertMgr sent or tried to send, with recipients, status, tries and related object.</summary>
[Authorize]
public sealed class IndexModel(CertMgrDbContext db, TimeProvider time) : PageModel
{
    public const string ListId = "emails-list";

    [BindProperty(SupportsGet = true)]
    public string? Status { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Kind { get; set; }

    public PagedResult<EmailRow> Result { get; private set; } = null!;

    public ListView List { get; private set; } = null!;

    public DateTimeOffset Now { get; private set; }

    public async Task<IActionResult> OnGetAsync([FromQuery] ListQuery query, CancellationToken ct)
    {
        Now = time.GetUtcNow();
        var status = EmailRows.ParseStatus(Status);
        Status = status?.ToString();
        var rows = EmailRows.Rows(db).AsNoTracking();
        if (status is { } s)
        {
            rows = rows.Where(r => r.Status == s);
        }

        Kind = EmailRows.ParseKind(Kind);
        if (Kind is { } k)
        {
            rows = rows.Where(r => r.Kind == k);
        }

        Result = await rows.ToPagedResultAsync(EmailRows.Columns.Normalize(query), EmailRows.Columns, ct);
        List = ListView.For(Request, ListId, Result, EmailRows.Columns);
        return this.PageOrFragment(ListId, "_EmailsList");
    }
}
