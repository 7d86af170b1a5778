using System.Linq.Expressions;
using CertMgr.Core.Acquisition;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Web.ConsoleUi;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Web.Pages.Acquisitions;

/// <summary>
/// Acquisition Processes (guide 4.2.2): the processes in progress, and the lifecycle-managed definitions due for
/// renewal (current certificate within the renewal lead time, no process started).
/// </summary>
[Authorize]
public sealed class IndexModel(CertMgrDbContext db, TimeProvider time) : PageModel
{
    public const string OngoingListId = "acquisitions-list";
    public const string DueListId = "renewals-due-list";
    public const string DueView = "due";

    public static ListColumns<OngoingAcquisitionRow> OngoingColumns { get; } = new ListColumns<OngoingAcquisitionRow>("updated")
        .Sortable("definition", r => r.DefinitionName.ToLower())
        .Sortable("status", r => r.Status)
        .Sortable("kind", r => r.Kind)
        .Sortable("started", r => r.CreatedAt, descendingFirst: true)
        .Sortable("updated", r => r.UpdatedAt, descendingFirst: true)
        .UniqueKey(r => r.Id); // searched through AcquisitionQueries.Search

    public static ListColumns<RenewalDueRow> DueColumns { get; } = new ListColumns<RenewalDueRow>("expiry")
        .Sortable("name", r => r.Name.ToLower())
        .Sortable("expiry", r => r.NotAfter)
        .UniqueKey(r => r.DefinitionId)
        .SearchWith(SearchDue);

    [BindProperty(SupportsGet = true, Name = "view")]
    public string? View { get; set; }

    public bool ShowDue => string.Equals(View, DueView, StringComparison.OrdinalIgnoreCase);
    public DateTimeOffset Now { get; private set; }
    public PagedResult<OngoingAcquisitionRow>? Ongoing { get; private set; }
    public PagedResult<RenewalDueRow>? Due { get; private set; }
    public ListView List { get; private set; } = null!;
    public int OngoingCount { get; private set; }
    public int DueCount { get; private set; }

    public async Task<IActionResult> OnGetAsync([FromQuery] ListQuery query, CancellationToken ct)
    {
        Now = time.GetUtcNow();
        View = ShowDue ? DueView : null;
        var ongoing = AcquisitionQueries.Ongoing(db).AsNoTracking();
        var due = (await AcquisitionQueries.RenewalDueAsync(db, Now, ct)).AsNoTracking();
        if (ShowDue)
        {
            Due = await due.ToPagedResultAsync(DueColumns.Normalize(query), DueColumns, ct);
            List = ListView.For(Request, DueListId, Due, DueColumns);
        }
        else
        {
            var state = OngoingColumns.Normalize(query);
            Ongoing = await (state.Search is { } text ? AcquisitionQueries.Search(db, ongoing, text) : ongoing)
                .ToPagedResultAsync(state, OngoingColumns, ct);
            List = ListView.For(Request, OngoingListId, Ongoing, OngoingColumns);
        }

        var target = ShowDue ? DueListId : OngoingListId;
        if (!Request.IsFragmentRequestFor(target))
        {
            OngoingCount = ShowDue ? await ongoing.CountAsync(ct) : Ongoing!.TotalCount;
            DueCount = ShowDue ? Due!.TotalCount : await due.CountAsync(ct);
        }

        return this.PageOrFragment(target, ShowDue ? "_DueList" : "_OngoingList");
    }

    private static Expression<Func<RenewalDueRow, bool>> SearchDue(string text)
    {
        var t = SearchTexts.Term(text);
        return r => r.SearchText.Contains(t);
    }
}
