using CertMgr.Core.Acme.Server;
using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Web.Pages.AcmeServer;

/// <summary>One ACME account: its facts, its allow-list (admins edit it), deactivation (admins), and its orders.</summary>
[Authorize]
public sealed class AccountModel(CertMgrDbContext db, AcmeServerAdmin admin) : PageModel
{
    public AcmeServerAccount Account { get; private set; } = null!;
    public IReadOnlyList<AcmeOrderListRow> Orders { get; private set; } = [];

    [BindProperty]
    public string? AllowedDomains { get; set; }

    public string? Done { get; private set; }
    public string? Error { get; private set; }
    public bool IsAdmin => User.IsInRole(nameof(UserRole.Admin));

    public async Task<IActionResult> OnGetAsync(Guid id, string? done, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
        {
            return NotFound();
        }

        AllowedDomains = string.Join('\n', Account.AllowedDomains);
        Done = done switch
        {
            "allowed" => "Allowed domains saved.",
            "deactivated" => "Account deactivated: its requests are refused from now on.",
            _ => null,
        };
        return Page();
    }

    public async Task<IActionResult> OnPostAllowedAsync(Guid id, CancellationToken ct)
    {
        if (!IsAdmin)
        {
            return Forbid();
        }

        var saved = await admin.SetAllowedDomainsAsync(id, AcmeServerSettings.SplitDomains(AllowedDomains), User.Identity?.Name ?? "console", ct);
        if (saved.IsSuccess)
        {
            return Redirect(Url.Content($"~/acme-server/accounts/{id}?done=allowed"));
        }

        if (saved.Error!.Kind == Core.Common.ErrorKind.NotFound || !await LoadAsync(id, ct))
        {
            return NotFound();
        }

        ModelState.AddModelError(nameof(AllowedDomains), saved.Error.Message);
        Error = "The allowed domains were not saved: correct the marked field.";
        return Page();
    }

    public async Task<IActionResult> OnPostDeactivateAsync(Guid id, CancellationToken ct)
    {
        if (!IsAdmin)
        {
            return Forbid();
        }

        var done = await admin.DeactivateAccountAsync(id, User.Identity?.Name ?? "console", ct);
        if (done.IsSuccess)
        {
            return Redirect(Url.Content($"~/acme-server/accounts/{id}?done=deactivated"));
        }

        if (!await LoadAsync(id, ct))
        {
            return NotFound();
        }

        AllowedDomains = string.Join('\n', Account.AllowedDomains);
        Error = done.Error!.Message;
        return Page();
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        var account = await db.AcmeServerAccounts.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id, ct);
        if (account is null)
        {
            return false;
        }

        Account = account;
        Orders = await AcmeServerRows.Orders(db).AsNoTracking().Where(o => o.AccountId == id).OrderByDescending(o => o.CreatedAt).Take(100).ToListAsync(ct);
        return true;
    }
}
