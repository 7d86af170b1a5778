using CertMgr.Core.Notifications;
using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Web.Pages.Emails;

/// <summary>One email: recipients, body, status, tries, the server's last answer, and Retry for a Failed one (admin).</summary>
[Authorize]
public sealed class DetailsModel(CertMgrDbContext db, TimeProvider time) : PageModel
{
    public SentEmail Email { get; private set; } = null!;
    public DateTimeOffset Now { get; private set; }
    public string? Error { get; private set; }
    public bool IsAdmin => User.IsInRole(nameof(UserRole.Admin));

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct) =>
        await LoadAsync(id, ct) ? Page() : NotFound();

    public async Task<IActionResult> OnPostRetryAsync(Guid id, [FromServices] EmailOutbox outbox, CancellationToken ct)
    {
        if (!IsAdmin)
        {
            return Forbid(); // handler-level [Authorize] is not applied by Razor Pages
        }

        var retried = await outbox.RetryAsync(id, User.Identity?.Name ?? "console", ct);
        if (retried.IsSuccess)
        {
            return Redirect(Url.Content($"~/emails/{id}"));
        }

        Error = retried.Error!.Message;
        return await LoadAsync(id, ct) ? Page() : NotFound();
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        Now = time.GetUtcNow();
        var email = await db.SentEmails.AsNoTracking().SingleOrDefaultAsync(e => e.Id == id, ct);
        if (email is null)
        {
            return false;
        }

        Email = email;
        return true;
    }
}
