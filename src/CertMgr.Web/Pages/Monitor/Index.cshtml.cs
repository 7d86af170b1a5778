using System.Globalization;
using CertMgr.Core.Monitoring;
using CertMgr.Data;
using CertMgr.Web.Auth;
using CertMgr.Web.ConsoleUi;
using CertMgr.Web.ReadModels;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Web.Pages.Monitor;

/// <summary>
/// Monitor Control (guide 4.2.6, 4.4): the schedule (admins edit it), Run Now with live progress, and the Monitor
/// Execution History with a report per run.
/// </summary>
[Authorize]
public sealed class IndexModel(
    CertMgrDbContext db, MonitorSchedules schedules, MonitorRunner runner, MonitorActivity activity, TimeProvider time, IAuthorizationService authorization)
    : PageModel
{
    public const string ListId = "runs-list";

    [BindProperty(SupportsGet = true)]
    public string? Status { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Trigger { get; set; }

    /// <summary>The schedule form (posted by admins).</summary>
    [BindProperty]
    public ScheduleForm Form { get; set; } = new();

    public MonitorScheduleState Schedule { get; private set; } = null!;

    public ProgressView Progress { get; private set; } = null!;

    public PagedResult<RunRow> Result { get; private set; } = null!;

    public ListView List { get; private set; } = null!;

    public DateTimeOffset Now { get; private set; }

    public bool IsAdmin { get; private set; }

    /// <summary>Whether the schedule form is open for editing (always after a refused save).</summary>
    public bool Editing { get; private set; }

    public string? Flash { get; private set; }

    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync([FromQuery] ListQuery query, bool edit, CancellationToken ct)
    {
        if (!Request.IsFragmentRequestFor(ListId))
        {
            Flash = TempData["Flash"] as string;
            Error = TempData["Error"] as string;
            await LoadAsync(TempData["FollowRun"] is string follow && Guid.TryParse(follow, out var id) ? id : null, ct);
            Form = ScheduleForm.From(Schedule.Schedule);
            Editing = edit && IsAdmin;
        }

        await LoadHistoryAsync(query, ct);
        return this.PageOrFragment(ListId, "_RunsList");
    }

    public async Task<IActionResult> OnPostScheduleAsync(CancellationToken ct)
    {
        if (!await IsAdminAsync())
        {
            return Forbid();
        }

        var minutes = Form.IntervalMinutes(out var intervalError);
        if (intervalError is not null && Form.Kind == "interval")
        {
            ModelState.AddModelError("Form.IntervalValue", intervalError);
        }
        else
        {
            var saved = await schedules.SaveAsync(Form.Kind, minutes, Form.DailyAt, Actor, ct);
            if (saved.IsSuccess)
            {
                TempData["Flash"] = $"Schedule saved: {saved.Value.Schedule}.";
                return Redirect(Url.Content("~/monitor"));
            }

            ModelState.AddModelError(saved.Error.Code switch
            {
                "interval-invalid" => "Form.IntervalValue",
                "time-invalid" => "Form.DailyAt",
                _ => "Form.Kind",
            }, saved.Error.Message);
        }

        await LoadAsync(null, ct);
        Editing = true;
        await LoadHistoryAsync(new ListQuery(), ct);
        return Page();
    }

    public async Task<IActionResult> OnPostRunAsync(CancellationToken ct)
    {
        var started = await runner.StartAsync(Actor, ct);
        if (started.IsSuccess)
        {
            TempData["Flash"] = "Monitoring pass started. Its progress shows below; the history lists it when it ends.";
            TempData["FollowRun"] = started.Value.ToString();
        }
        else
        {
            TempData["Error"] = started.Error.Code == "run-in-progress"
                ? "Not started: a monitoring pass is already running. Wait for it to finish, then run again."
                : started.Error.Message;
        }

        return Redirect(Url.Content("~/monitor"));
    }

    /// <summary>The progress panel alone, polled by htmx while a pass runs.</summary>
    public async Task<IActionResult> OnGetProgressAsync(Guid? run, CancellationToken ct)
    {
        Response.VaryOnHtmx();
        Now = time.GetUtcNow();
        Progress = await ProgressView.LoadAsync(db, activity, run, CurrentListUrl(), ct);
        return Partial("_Progress", Progress);
    }

    private string Actor => User.Identity?.Name ?? "console";

    private async Task<bool> IsAdminAsync() => (await authorization.AuthorizeAsync(User, CertMgrClaims.AdminPolicy)).Succeeded;

    private async Task LoadAsync(Guid? follow, CancellationToken ct)
    {
        Now = time.GetUtcNow();
        IsAdmin = await IsAdminAsync();
        Schedule = await schedules.GetAsync(ct);
        Progress = await ProgressView.LoadAsync(db, activity, follow, Url.Content("~/monitor"), ct);
    }

    private async Task LoadHistoryAsync(ListQuery query, CancellationToken ct)
    {
        Now = time.GetUtcNow();
        var state = MonitorRows.RunColumns.Normalize(query);
        var rows = MonitorRows.Runs(db).AsNoTracking();
        if (MonitorRows.ParseRunStatus(Status) is { } status)
        {
            rows = rows.Where(r => r.Status == status);
            Status = status.ToString().ToLowerInvariant();
        }
        else
        {
            Status = null;
        }

        if (MonitorRows.ParseTrigger(Trigger) is { } trigger)
        {
            rows = rows.Where(r => r.Trigger == trigger);
            Trigger = trigger.ToString().ToLowerInvariant();
        }
        else
        {
            Trigger = null;
        }

        Result = await rows.ToPagedResultAsync(state, MonitorRows.RunColumns, ct);
        // ?edit (the schedule form) and ?handler (a refused post) are not list state: keep them out of the list's links.
        var kept = new QueryCollection(Request.Query.Where(p => p.Key is not ("edit" or "handler")).ToDictionary(p => p.Key, p => p.Value));
        List = new ListView(Url.Content("~/monitor"), kept, ListId, Result.State, Result.TotalCount, Result.Items.Count,
            MonitorRows.RunColumns.DescendingFirst);
    }

    /// <summary>The Monitor Control URL the browser shows (with its sort and filters), for refreshing the history.</summary>
    private string CurrentListUrl()
    {
        var home = Url.Content("~/monitor");
        return Uri.TryCreate(Request.Headers["HX-Current-URL"].ToString(), UriKind.Absolute, out var current)
            && string.Equals(current.AbsolutePath, home, StringComparison.Ordinal)
            ? current.PathAndQuery
            : home;
    }

    /// <summary>The schedule as the form edits it: interval as a number and a unit.</summary>
    public sealed class ScheduleForm
    {
        public string Kind { get; set; } = "daily";

        public string? IntervalValue { get; set; }

        public string IntervalUnit { get; set; } = "hours";

        public string? DailyAt { get; set; }

        public static ScheduleForm From(MonitorSchedule schedule)
        {
            ArgumentNullException.ThrowIfNull(schedule);
            var hours = schedule.IntervalMinutes % 60 == 0;
            return new ScheduleForm
            {
                Kind = schedule.Kind.ToString().ToLowerInvariant(),
                IntervalValue = (hours ? schedule.IntervalMinutes / 60 : schedule.IntervalMinutes).ToString(CultureInfo.InvariantCulture),
                IntervalUnit = hours ? "hours" : "minutes",
                DailyAt = schedule.DailyAtUtc.ToString("HH:mm", CultureInfo.InvariantCulture),
            };
        }

        /// <summary>The interval in minutes; null with an error when the number is not a whole number.</summary>
        public int? IntervalMinutes(out string? error)
        {
            error = null;
            if (string.IsNullOrWhiteSpace(IntervalValue))
            {
                error = "Enter the interval: a whole number of hours or minutes.";
                return null;
            }

            if (!int.TryParse(IntervalValue.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value > 100_000)
            {
                error = "The interval must be a whole number, e.g. 6 (hours) or 30 (minutes).";
                return null;
            }

            return IntervalUnit == "minutes" ? value : value * 60;
        }
    }
}
