using CertMgr.Core.Security;
using CertMgr.Web.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CertMgr.Web.Pages.Account;

[AllowAnonymous]
public sealed class LogoutModel(UserAccounts users) : PageModel
{
    public IActionResult OnGet() => RedirectToPage("/Account/Login");

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        // Revoked server-side, not only deleted in this browser: a copy of the cookie is dead too.
        if (User.Identity?.IsAuthenticated == true && User.UserId() is { } id)
        {
            await users.SignOutAsync(id, HttpContext.Connection.RemoteIpAddress?.ToString(), ct);
        }

        await HttpContext.SignOutAsync(CertMgrClaims.Scheme);
        return RedirectToPage("/Account/Login");
    }
}
