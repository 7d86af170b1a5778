using CertMgr.Core.Monitoring;
using CertMgr.Data;
using CertMgr.Web.ConsoleUi;
using CertMgr.Web.ReadModels;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Web.Pages.Monitor;

/// <summary>The report of one monitor run: every endpoint's verdict with its reason and checks.</summary>
[Authorize]
public sealed class RunModel(CertMgrDbContext db, MonitorActivity activity, TimeProvider time) : PageModel
{
    public const string ListId = "results-list";

    [BindProperty(SupportsGet = true)]
    public string? Status { get; set; }

    public RunRow Run { get; private set; } = null!;

    /// <summary>Endpoints checked so far, while this run is in progress in this process.</summary>
    public MonitorProgress? Progress { get; private set; }

    public PagedResult<ResultRow> Result { get; private set; } = null!;

    public ListView List { get; private set; } = null!;

    public DateTimeOffset Now { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid id, [FromQuery] ListQuery query, CancellationToken ct)
    {
        var run = await MonitorRows.Runs(db).AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, ct);
        if (run is null)
        {
            return NotFound();
        }

        Run = run;
        Now = time.GetUtcNow();
        Progress = activity.ProgressOf(id, run.Status);
        Status = MonitorRows.NormalizeResultStatus(Status);
        var rows = MonitorRows.Results(db, id).AsNoTracking().WhereStatus(Status);
        Result = await rows.ToPagedResultAsync(MonitorRows.ResultColumns.Normalize(query), MonitorRows.ResultColumns, ct);
        List = ListView.For(Request, ListId, Result, MonitorRows.ResultColumns);
        return this.PageOrFragment(ListId, "_ResultsList");
    }
}
