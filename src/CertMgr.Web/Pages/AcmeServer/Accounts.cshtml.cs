using CertMgr.Data;
using CertMgr.Web.ConsoleUi;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Web.Pages.AcmeServer;

/// <summary>The ACME server's accounts: contact, status, allowed domains, orders, created; sort, search, status filter, pages.</summary>
[Authorize]
public sealed class AccountsModel(CertMgrDbContext db) : PageModel
{
    public const string ListId = "acme-accounts-list";

    [BindProperty(SupportsGet = true)]
    public string? Status { get; set; }

    public PagedResult<AcmeAccountListRow> Result { get; private set; } = null!;

    public ListView List { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync([FromQuery] ListQuery query, CancellationToken ct)
    {
        var status = AcmeServerRows.ParseStatus(Status);
        Status = status?.ToString();
        var rows = AcmeServerRows.Accounts(db).AsNoTracking();
        if (status is { } s)
        {
            rows = rows.Where(r => r.Status == s);
        }

        Result = await rows.ToPagedResultAsync(AcmeServerRows.AccountColumns.Normalize(query), AcmeServerRows.AccountColumns, ct);
        List = ListView.For(Request, ListId, Result, AcmeServerRows.AccountColumns);
        return this.PageOrFragment(ListId, "_AccountsList");
    }
}
