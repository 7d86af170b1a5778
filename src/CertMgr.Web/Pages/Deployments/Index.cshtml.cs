using System.Diagnostics.CodeAnalysis;
using System.Linq.Expressions;
using CertMgr.Core.Deployments;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Web.ConsoleUi;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Web.Pages.Deployments;

/// <summary>
/// Deployment Processes (guide 4.2.3, 4.3.4): every deployment with its status and the definition's latest monitor
/// result, so that "Install requested" rows whose result became OK and "Confirmed" rows whose result is NG stand out.
/// </summary>
[Authorize]
public sealed class IndexModel(CertMgrDbContext db, TimeProvider time) : PageModel
{
    public const string ListId = "deployments-list";

    public static ListColumns<DeploymentRow> Columns { get; } = new ListColumns<DeploymentRow>("updated")
        .Sortable("definition", r => r.DefinitionName.ToLower())
        .Sortable("expiry", r => r.NotAfter)
        .Sortable("server", r => r.TargetServerName, nullsLast: true)
        .Sortable("software", r => r.ServerSoftware)
        .Sortable("status", r => r.Status)
        .Sortable("monitor", r => r.MonitorStatus, nullsLast: true)
        .Sortable("updated", r => r.UpdatedAt, descendingFirst: true)
        .UniqueKey(r => r.Id)
        .SearchWith(Search);

    public static ListFilter StatusFilter { get; } = new("status", "Status",
        [new(null, "Any status"), new("open", "In progress"), .. Enum.GetValues<DeploymentStatus>().Select(s => new FilterOption(s.ToString(), StatusBadges.For(s).Text))]);

    public static ListFilter MonitorFilter { get; } = new("monitor", "Monitor result",
        [new(null, "Any monitor result"), new("ok", "Monitor OK"), new("ng", "Monitor NG or unreachable"), new("none", "Not monitored yet")]);

    [BindProperty(SupportsGet = true)]
    public string? Status { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Monitor { get; set; }

    public DateTimeOffset Now { get; private set; }
    public PagedResult<DeploymentRow> Result { get; private set; } = null!;
    public ListView List { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync([FromQuery] ListQuery query, CancellationToken ct)
    {
        Now = time.GetUtcNow();
        var rows = DeploymentQueries.Rows(db).AsNoTracking();
        if (string.Equals(Status, "open", StringComparison.OrdinalIgnoreCase))
        {
            Status = "open";
            rows = rows.Where(r => r.Status == DeploymentStatus.Prepared || r.Status == DeploymentStatus.InstallRequested
                || r.Status == DeploymentStatus.AutoInstalled || r.Status == DeploymentStatus.CheckFailed);
        }
        else if (Enum.TryParse<DeploymentStatus>(Status, ignoreCase: true, out var status) && Enum.IsDefined(status) && !int.TryParse(Status, out _))
        {
            Status = status.ToString();
            rows = rows.Where(r => r.Status == status);
        }
        else
        {
            Status = null;
        }

        switch (Monitor?.ToLowerInvariant())
        {
            case "ok":
                rows = rows.Where(r => r.MonitorStatus == CheckStatus.Ok);
                break;
            case "ng":
                rows = rows.Where(r => r.MonitorStatus == CheckStatus.Ng || r.MonitorStatus == CheckStatus.Unreachable);
                break;
            case "none":
                rows = rows.Where(r => r.MonitorStatus == null);
                break;
            default:
                Monitor = null;
                break;
        }

        Result = await rows.ToPagedResultAsync(Columns.Normalize(query), Columns, ct);
        List = ListView.For(Request, ListId, Result, Columns);
        return this.PageOrFragment(ListId, "_DeploymentsList");
    }

    [SuppressMessage("Performance", "CA1862", Justification = "Translated to SQL.")]
    private static Expression<Func<DeploymentRow, bool>> Search(string text)
    {
        var t = text.ToLowerInvariant();
        return r => r.DefinitionName.ToLower().Contains(t) || r.CommonName.ToLower().Contains(t)
            || (r.TargetServerName != null && r.TargetServerName.ToLower().Contains(t));
    }
}
