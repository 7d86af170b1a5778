using CertMgr.Core.Unattended;
using CertMgr.Data.Model;
using CertMgr.Web.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CertMgr.Web.Pages.Unattended;

/// <summary>
/// The unattended engine (guide 2.2): its interval (admins change it), Run now with live progress, the processes
/// waiting for a person with their reason, and the latest passes with their outcomes.
/// </summary>
[Authorize]
public sealed class IndexModel(UnattendedQueries queries, UnattendedSchedules schedules, UnattendedRunner runner, TimeProvider time, IAuthorizationService authorization)
    : PageModel
{
    public const int RunsShown = 50;

    [BindProperty]
    public string? Interval { get; set; }

    public UnattendedStatus Status { get; private set; } = null!;

    public IReadOnlyList<UnattendedRun> Runs { get; private set; } = [];

    public DateTimeOffset Now { get; private set; }

    public bool IsAdmin { get; private set; }

    public string? Flash { get; private set; }

    public string? Error { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        Flash = TempData["Flash"] as string;
        Error = TempData["Error"] as string;
        await LoadAsync(ct);
        Interval = Status.Schedule.Schedule.ToString();
    }

    public async Task<IActionResult> OnPostRunAsync(CancellationToken ct)
    {
        var started = await runner.StartAsync(Actor, ct);
        if (started.IsSuccess)
        {
            TempData["Flash"] = "Unattended pass started; its progress shows below.";
        }
        else
        {
            TempData["Error"] = started.Error.Code == "run-in-progress"
                ? "Not started: an unattended pass is already running. Wait for it to finish, then run again."
                : started.Error.Message;
        }

        return Redirect(Url.Content("~/unattended"));
    }

    public async Task<IActionResult> OnPostScheduleAsync(CancellationToken ct)
    {
        if (!(await authorization.AuthorizeAsync(User, CertMgrClaims.AdminPolicy)).Succeeded)
        {
            return Forbid();
        }

        var saved = await schedules.SaveAsync(Interval, Actor, ct);
        if (saved.IsSuccess)
        {
            TempData["Flash"] = $"Interval saved: {saved.Value.Schedule}.";
            return Redirect(Url.Content("~/unattended"));
        }

        ModelState.AddModelError(nameof(Interval), saved.Error.Message);
        await LoadAsync(ct);
        return Page();
    }

    /// <summary>The progress panel alone, polled by htmx while a pass runs.</summary>
    public async Task<IActionResult> OnGetProgressAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        return Partial("_Progress", this);
    }

    private string Actor => User.Identity?.Name ?? "console";

    private async Task LoadAsync(CancellationToken ct)
    {
        Now = time.GetUtcNow();
        IsAdmin = (await authorization.AuthorizeAsync(User, CertMgrClaims.AdminPolicy)).Succeeded;
        Status = await queries.StatusAsync(ct);
        Runs = await queries.RunsAsync(RunsShown, ct);
    }
}
