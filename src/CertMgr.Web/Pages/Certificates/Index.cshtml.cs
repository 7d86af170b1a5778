using CertMgr.Data;
using CertMgr.Web.ConsoleUi;
using CertMgr.Web.ReadModels;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Web.Pages.Certificates;

/// <summary>Certificates (guide 4.2.3): every certificate CertMgr has recorded, with validity and thumbprints.</summary>
[Authorize]
public sealed class IndexModel(CertMgrDbContext db, TimeProvider time) : PageModel
{
    public const string ListId = "certificates-list";

    [BindProperty(SupportsGet = true)]
    public string? Expiry { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Current { get; set; }

    public DateTimeOffset Now { get; private set; }

    public PagedResult<CertificateRow> Result { get; private set; } = null!;

    public ListView List { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync([FromQuery] ListQuery query, CancellationToken cancellationToken)
    {
        Now = time.GetUtcNow();
        Expiry = CertificateRows.NormalizeExpiry(Expiry);
        Current = string.Equals(Current?.Trim(), "current", StringComparison.OrdinalIgnoreCase) ? "current" : null;
        var rows = CertificateRows.Rows(db).AsNoTracking().WhereExpiry(Expiry, Now);
        if (Current is not null)
        {
            rows = rows.Where(r => r.IsCurrent);
        }

        Result = await rows.ToPagedResultAsync(CertificateRows.Columns.Normalize(query), CertificateRows.Columns, cancellationToken);
        List = ListView.For(Request, ListId, Result, CertificateRows.Columns);
        return this.PageOrFragment(ListId, "_CertificatesList");
    }
}
