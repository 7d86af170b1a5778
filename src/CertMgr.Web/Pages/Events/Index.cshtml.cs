using CertMgr.Data;
using CertMgr.Web.ConsoleUi;
using CertMgr.Web.ReadModels;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Web.Pages.Events;

/// <summary>The Event Log: every recorded action and lifecycle event, who or what did it, from where, and its outcome.</summary>
[Authorize]
public sealed class IndexModel(CertMgrDbContext db, TimeProvider time) : PageModel
{
    public const string ListId = "events-list";

    [BindProperty(SupportsGet = true)]
    public string? Outcome { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Type { get; set; }

    public ListFilter TypeFilter { get; private set; } = null!;

    public PagedResult<EventRow> Result { get; private set; } = null!;

    public ListView List { get; private set; } = null!;

    public DateTimeOffset Now { get; private set; }

    public async Task<IActionResult> OnGetAsync([FromQuery] ListQuery query, CancellationToken ct)
    {
        Now = time.GetUtcNow();
        var types = await db.AuditEvents.AsNoTracking().Select(e => e.ObjectType).Distinct().ToListAsync(ct);
        TypeFilter = EventRows.TypeFilter(types);
        Outcome = EventRows.NormalizeOutcome(Outcome);
        Type = TypeFilter.Options.FirstOrDefault(o => o.Value is not null && string.Equals(o.Value, Type?.Trim(), StringComparison.OrdinalIgnoreCase))?.Value;
        var rows = EventRows.Rows(db).AsNoTracking();
        if (Outcome is { } outcome)
        {
            rows = rows.Where(r => r.Outcome == outcome);
        }

        if (Type is { } type)
        {
            rows = rows.Where(r => r.ObjectType == type);
        }

        Result = await rows.ToPagedResultAsync(EventRows.Columns.Normalize(query), EventRows.Columns, ct);
        List = ListView.For(Request, ListId, Result, EventRows.Columns);
        return this.PageOrFragment(ListId, "_EventsList");
    }
}
