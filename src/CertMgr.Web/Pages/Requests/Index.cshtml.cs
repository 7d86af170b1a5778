using CertMgr.Core.Acquisition;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Web.ConsoleUi;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Web.Pages.Requests;

/// <summary>Certificate Requests (guide 4.2.3): every acquisition process, in progress or finished.</summary>
[Authorize]
public sealed class IndexModel(CertMgrDbContext db, TimeProvider time) : PageModel
{
    public const string ListId = "requests-list";

    public static ListColumns<OngoingAcquisitionRow> Columns { get; } = new ListColumns<OngoingAcquisitionRow>("started")
        .Sortable("definition", r => r.DefinitionName.ToLower())
        .Sortable("status", r => r.Status)
        .Sortable("kind", r => r.Kind)
        .Sortable("product", r => r.Product)
        .Sortable("started", r => r.CreatedAt, descendingFirst: true)
        .Sortable("updated", r => r.UpdatedAt, descendingFirst: true)
        .UniqueKey(r => r.Id); // searched through AcquisitionQueries.Search

    public static ListFilter StatusFilter { get; } = new("status", "Status",
        [new(null, "Any status"), .. Enum.GetValues<RequestStatus>().Select(s => new FilterOption(s.ToString(), StatusBadges.For(s).Text))]);

    [BindProperty(SupportsGet = true)]
    public string? Status { get; set; }

    public DateTimeOffset Now { get; private set; }
    public PagedResult<OngoingAcquisitionRow> Result { get; private set; } = null!;
    public ListView List { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync([FromQuery] ListQuery query, CancellationToken ct)
    {
        Now = time.GetUtcNow();
        var rows = AcquisitionQueries.AllRequests(db).AsNoTracking();
        if (Enum.TryParse<RequestStatus>(Status, ignoreCase: true, out var status) && Enum.IsDefined(status) && !int.TryParse(Status, out _))
        {
            Status = status.ToString();
            rows = rows.Where(r => r.Status == status);
        }
        else
        {
            Status = null;
        }

        // The search goes through AcquisitionQueries.Search (a subquery on the definitions), not the columns.
        var state = Columns.Normalize(query);
        if (state.Search is { } text)
        {
            rows = AcquisitionQueries.Search(db, rows, text);
        }

        Result = await rows.ToPagedResultAsync(state, Columns, ct);
        List = ListView.For(Request, ListId, Result, Columns);
        return this.PageOrFragment(ListId, "_RequestsList");
    }
}
