using System.ComponentModel.DataAnnotations;
using CertMgr.Core.Security;
using CertMgr.Web.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CertMgr.Web.Pages.Account;

public sealed class ChangePasswordModel(UserAccounts users) : PageModel
{
    [BindProperty]
    [Required(ErrorMessage = "Enter your current password.")]
    [DataType(DataType.Password)]
    [Display(Name = "Current password")]
    public string CurrentPassword { get; set; } = "";

    [BindProperty]
    [Required(ErrorMessage = "Enter a new password.")]
    [DataType(DataType.Password)]
    [Display(Name = "New password")]
    public string NewPassword { get; set; } = "";

    [BindProperty]
    [Required(ErrorMessage = "Repeat the new password.")]
    [DataType(DataType.Password)]
    [Compare(nameof(NewPassword), ErrorMessage = "The two new passwords differ.")]
    [Display(Name = "Repeat new password")]
    public string ConfirmPassword { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public bool Forced => User.MustChangePasswordNow();

    public static int MinLength => PasswordPolicy.MinLength;

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }

        var id = User.UserId();
        if (id is null)
        {
            return Challenge();
        }

        var result = await users.ChangePasswordAsync(id.Value, CurrentPassword, NewPassword, HttpContext.Connection.RemoteIpAddress?.ToString(), ct);
        if (!result.IsSuccess)
        {
            var field = result.Error.Code == "wrong-current-password" ? nameof(CurrentPassword) : nameof(NewPassword);
            ModelState.AddModelError(field, result.Error.Message);
            return Page();
        }

        // The security stamp changed: issue a fresh session without the forced-change mark.
        var user = await users.FindByIdAsync(id.Value, ct);
        if (user is null)
        {
            return Challenge();
        }

        await HttpContext.SignInAsync(CertMgrClaims.Scheme, CertMgrClaims.PrincipalFor(user));
        TempData["Flash"] = "Your password was changed.";
        return LocalRedirect(!string.IsNullOrEmpty(ReturnUrl) && Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/");
    }
}
