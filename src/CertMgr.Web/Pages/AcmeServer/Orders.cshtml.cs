using CertMgr.Data;
using CertMgr.Web.ConsoleUi;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Web.Pages.AcmeServer;

/// <summary>The ACME server's orders: names, status, account, the inventory definition of the issued certificate.</summary>
[Authorize]
public sealed class OrdersModel(CertMgrDbContext db) : PageModel
{
    public const string ListId = "acme-orders-list";

    [BindProperty(SupportsGet = true)]
    public string? Status { get; set; }

    public PagedResult<AcmeOrderListRow> Result { get; private set; } = null!;

    public ListView List { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync([FromQuery] ListQuery query, CancellationToken ct)
    {
        var status = AcmeServerRows.ParseStatus(Status);
        Status = status?.ToString();
        var rows = AcmeServerRows.Orders(db).AsNoTracking();
        if (status is { } s)
        {
            rows = rows.Where(r => r.Status == s);
        }

        Result = await rows.ToPagedResultAsync(AcmeServerRows.OrderColumns.Normalize(query), AcmeServerRows.OrderColumns, ct);
        List = ListView.For(Request, ListId, Result, AcmeServerRows.OrderColumns);
        return this.PageOrFragment(ListId, "_OrdersList");
    }
}
