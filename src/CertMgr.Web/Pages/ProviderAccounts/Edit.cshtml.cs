using CertMgr.Core.Catalog;
using CertMgr.Web.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CertMgr.Web.Pages.ProviderAccounts;

/// <summary>Admins add, edit or delete a provider account. The password field is write-only.</summary>
[Authorize(Policy = CertMgrClaims.AdminPolicy)]
public sealed class EditModel(ProviderAccountService accounts) : PageModel
{
    [BindProperty]
    public string? Provider { get; set; }

    [BindProperty]
    public string? Username { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    [BindProperty]
    public bool ClearPassword { get; set; }

    [BindProperty]
    public string? RegisteredEmail { get; set; }

    [BindProperty]
    public string? Notes { get; set; }

    public Guid? Id { get; private set; }
    public bool PasswordSet { get; private set; }
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid? id, CancellationToken ct)
    {
        Id = id;
        if (id is null)
        {
            return Page();
        }

        var a = await accounts.FindAsync(id.Value, ct);
        if (a is null)
        {
            return NotFound();
        }

        (Provider, Username, RegisteredEmail, Notes, PasswordSet) = (a.Provider, a.Username, a.RegisteredEmail, a.Notes, a.EncryptedPassword is not null);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(Guid? id, CancellationToken ct)
    {
        Id = id;
        var input = new ProviderAccountInput(Provider, Username, Password, RegisteredEmail, Notes, ClearPassword);
        var actor = User.Identity?.Name ?? "console";
        var saved = id is null ? await accounts.CreateAsync(input, actor, ct) : await accounts.UpdateAsync(id.Value, input, actor, ct);
        if (saved.IsSuccess)
        {
            return Redirect(Url.Content($"~/provider-accounts?done={Uri.EscapeDataString($"Saved {saved.Value.Provider} / {saved.Value.Username}.")}"));
        }

        if (saved.Error.Code == "provider-account-not-found")
        {
            return NotFound();
        }

        Error = saved.Error.Message;
        Password = null; // never echoed back into the form
        PasswordSet = id is not null && (await accounts.FindAsync(id.Value, ct))?.EncryptedPassword is not null;
        return Page();
    }

    public async Task<IActionResult> OnPostDeleteAsync(Guid id, CancellationToken ct)
    {
        var deleted = await accounts.DeleteAsync(id, User.Identity?.Name ?? "console", ct);
        return deleted.IsSuccess
            ? Redirect(Url.Content($"~/provider-accounts?done={Uri.EscapeDataString($"Deleted {deleted.Value.Provider} / {deleted.Value.Username}.")}"))
            : NotFound();
    }
}
