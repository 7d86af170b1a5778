using System.Globalization;
using CertMgr.Data;
using CertMgr.Web.Api;
using CertMgr.Web.Auth;
using CertMgr.Web.ConsoleUi;
using CertMgr.Web.ReadModels;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Web.Pages.Audit;

/// <summary>
/// The Audit Log, admins only: every audit event searched by actor, action, object type and id, outcome, text and date
/// range (whole UTC days, both ends included); sorted and paged like every list, and exported as CSV or JSON with the
/// same filter through <c>GET /api/v1/audit?format=</c>.
/// </summary>
[Authorize(Policy = CertMgrClaims.AdminPolicy)]
public sealed class IndexModel(CertMgrDbContext db, TimeProvider time) : PageModel
{
    public const string ListId = "audit-list";
    private const string DateFormat = "yyyy-MM-dd";

    [BindProperty(SupportsGet = true)]
    public string? Actor { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Action { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Type { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Outcome { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? From { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? To { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Q { get; set; }

    public ListFilter TypeFilter { get; private set; } = null!;

    public IReadOnlyList<string> Actions { get; private set; } = [];

    public IReadOnlyList<string> Actors { get; private set; } = [];

    public PagedResult<EventRow> Result { get; private set; } = null!;

    public ListView List { get; private set; } = null!;

    public DateTimeOffset Now { get; private set; }

    /// <summary>The current filter as the export endpoint takes it.</summary>
    public string ExportUrl(string format)
    {
        var parts = new List<string> { "format=" + format };
        void Add(string key, string? value)
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                parts.Add(key + "=" + Uri.EscapeDataString(value.Trim()));
            }
        }

        Add("actor", Actor);
        Add("action", Action);
        Add("objectType", Type);
        Add("outcome", Outcome);
        Add("q", Q);
        Add("since", Since?.ToString("O", CultureInfo.InvariantCulture));
        Add("until", Until?.ToString("O", CultureInfo.InvariantCulture));
        Add("sort", List.State.Sort);
        Add("dir", List.State.Descending ? "desc" : "asc");
        return $"{ApiRoutes.Prefix}/audit?{string.Join('&', parts)}";
    }

    private DateTimeOffset? Since { get; set; }

    private DateTimeOffset? Until { get; set; }

    public async Task<IActionResult> OnGetAsync([FromQuery] ListQuery query, CancellationToken ct)
    {
        Now = time.GetUtcNow();
        TypeFilter = EventRows.TypeFilter(await db.AuditEvents.AsNoTracking().Select(e => e.ObjectType).Distinct().ToListAsync(ct));
        Actions = [.. (await db.AuditEvents.AsNoTracking().Select(e => e.Action).Distinct().ToListAsync(ct)).Order(StringComparer.Ordinal)];
        Actors = [.. (await db.AuditEvents.AsNoTracking().Select(e => e.Actor).Distinct().Take(500).ToListAsync(ct)).Order(StringComparer.OrdinalIgnoreCase)];
        Since = ParseDay(From, nameof(From));
        Until = ParseDay(To, nameof(To))?.AddDays(1);
        if (!string.IsNullOrWhiteSpace(Outcome) && EventRows.NormalizeOutcome(Outcome) is null)
        {
            ModelState.AddModelError(nameof(Outcome), "The outcome is success or failure.");
        }

        IQueryable<EventRow> rows;
        if (ModelState.ErrorCount > 0)
        {
            rows = EventRows.Rows(db).Where(_ => false);
        }
        else
        {
            var filtered = AuditApi.Query(db, new AuditFilter(Actor, Type, Action, Outcome, Since, Until, Q));
            if (!filtered.IsSuccess)
            {
                ModelState.AddModelError(nameof(To), "The end date must not be before the start date.");
                rows = EventRows.Rows(db).Where(_ => false);
            }
            else
            {
                rows = filtered.Value;
            }
        }

        // The text search is applied by the filter above, not by the list toolkit's q.
        var state = EventRows.Columns.Normalize(new ListQuery { Page = query.Page, Size = query.Size, Sort = query.Sort, Dir = query.Dir });
        Result = await rows.ToPagedResultAsync(state, EventRows.Columns, ct);
        List = ListView.For(Request, ListId, Result, EventRows.Columns);
        return this.PageOrFragment(ListId, "_AuditList");
    }

    private DateTimeOffset? ParseDay(string? text, string field)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (DateOnly.TryParseExact(text.Trim(), DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        }

        ModelState.AddModelError(field, "Enter a date like 2026-12-31.");
        return null;
    }
}
