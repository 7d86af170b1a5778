using CertMgr.Data;
using CertMgr.Web.ConsoleUi;
using CertMgr.Web.ReadModels;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Web.Pages.Keys;

/// <summary>Private Keys (guide 4.2.5): the keys CertMgr holds, sealed at rest, and what uses them.</summary>
[Authorize]
public sealed class IndexModel(CertMgrDbContext db) : PageModel
{
    public const string ListId = "keys-list";

    public PagedResult<KeyRow> Result { get; private set; } = null!;

    public ListView List { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync([FromQuery] ListQuery query, CancellationToken cancellationToken)
    {
        Result = await KeyRows.Rows(db).AsNoTracking()
            .ToPagedResultAsync(KeyRows.Columns.Normalize(query), KeyRows.Columns, cancellationToken);
        List = ListView.For(Request, ListId, Result, KeyRows.Columns);
        return this.PageOrFragment(ListId, "_KeysList");
    }
}
