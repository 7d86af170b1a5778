using CertMgr.Data;
using CertMgr.Web.ConsoleUi;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Web.Pages.Definitions;

/// <summary>Certificate Definitions: the overall status of all certificates (guide 4.2.1, 4.3.4).</summary>
[Authorize]
public sealed class IndexModel(CertMgrDbContext db, TimeProvider time) : PageModel
{
    public const string ListId = "definitions-list";

    [BindProperty(SupportsGet = true)]
    public string? Mode { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Status { get; set; }

    public DateTimeOffset Now { get; private set; }

    public PagedResult<DefinitionRow> Result { get; private set; } = null!;

    public ListView List { get; private set; } = null!;

    /// <summary>Counts over the whole inventory; null on htmx fragment requests, which do not show them.</summary>
    public DefinitionSummary? Summary { get; private set; }

    /// <summary>No definitions at all (as opposed to none matching the filters).</summary>
    public bool InventoryEmpty => Result.TotalCount == 0 && !List.IsFiltered;

    public async Task<IActionResult> OnGetAsync([FromQuery] ListQuery query, CancellationToken cancellationToken)
    {
        Now = time.GetUtcNow();
        Mode = DefinitionFilters.NormalizeMode(Mode);
        Status = DefinitionFilters.NormalizeStatus(Status);

        var all = DefinitionFilters.Rows(db).AsNoTracking();
        var state = DefinitionFilters.Columns.Normalize(query);
        Result = await all.WhereMode(Mode).WhereStatus(Status, Now)
            .ToPagedResultAsync(state, DefinitionFilters.Columns, cancellationToken);
        List = ListView.For(Request, ListId, Result, DefinitionFilters.Columns);

        if (!Request.IsFragmentRequestFor(ListId) && !InventoryEmpty)
        {
            Summary = await DefinitionSummary.ReadAsync(all, Now, cancellationToken);
        }

        return this.PageOrFragment(ListId, "_DefinitionsList");
    }
}
