using System.ComponentModel.DataAnnotations;
using CertMgr.Core.Security;
using CertMgr.Web.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CertMgr.Web.Pages.Account;

public sealed class LoginModel(UserAccounts users) : PageModel
{
    [BindProperty]
    [Required(ErrorMessage = "Enter your user name.")]
    [Display(Name = "User name")]
    public string UserName { get; set; } = "";

    [BindProperty]
    [Required(ErrorMessage = "Enter your password.")]
    [DataType(DataType.Password)]
    public string Password { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string? ErrorMessage { get; private set; }

    public IActionResult OnGet() =>
        User.Identity?.IsAuthenticated == true ? LocalRedirect(SafeReturnUrl()) : Page();

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }

        var result = await users.SignInAsync(UserName, Password, HttpContext.Connection.RemoteIpAddress?.ToString(), ct);
        if (!result.IsSuccess)
        {
            if (result.Error.Code == UserAccounts.TooManyAttemptsCode)
            {
                Response.StatusCode = StatusCodes.Status429TooManyRequests;
            }

            ErrorMessage = result.Error.Message;
            Password = "";
            return Page();
        }

        await HttpContext.SignInAsync(CertMgrClaims.Scheme, CertMgrClaims.PrincipalFor(result.Value));
        return result.Value.MustChangePassword
            ? RedirectToPage("/Account/ChangePassword", new { returnUrl = SafeReturnUrl() })
            : LocalRedirect(SafeReturnUrl());
    }

    private string SafeReturnUrl() =>
        !string.IsNullOrEmpty(ReturnUrl) && Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/";
}
