using System.ComponentModel.DataAnnotations;
using CertMgr.Core.Security;
using CertMgr.Data.Model;
using CertMgr.Web.Api;
using CertMgr.Web.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CertMgr.Web.Pages.Users;

/// <summary>
/// Add a user: name, role, email, and an initial password the administrator chooses (checked against the password
/// policy) or leaves empty for a random one shown once. Either way the user must change it at the first sign-in.
/// </summary>
[Authorize(Policy = CertMgrClaims.AdminPolicy)]
public sealed class NewModel(UserAccounts accounts) : PageModel
{
    [BindProperty]
    [Display(Name = "User name")]
    public string UserName { get; set; } = "";

    [BindProperty]
    public UserRole Role { get; set; } = UserRole.User;

    [BindProperty]
    [Display(Name = "Email (optional)")]
    public string? Email { get; set; }

    [BindProperty]
    [DataType(DataType.Password)]
    [Display(Name = "Initial password (optional)")]
    public string? InitialPassword { get; set; }

    [BindProperty]
    [DataType(DataType.Password)]
    [Display(Name = "Repeat initial password")]
    public string? ConfirmPassword { get; set; }

    /// <summary>The generated password, shown once after the user was added.</summary>
    public string? GeneratedPassword { get; private set; }

    public Guid? CreatedId { get; private set; }

    public static int MinLength => PasswordPolicy.MinLength;

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        ModelState.Clear();
        if (!string.IsNullOrEmpty(InitialPassword) && !string.Equals(InitialPassword, ConfirmPassword, StringComparison.Ordinal))
        {
            ModelState.AddModelError(nameof(ConfirmPassword), "The two passwords differ.");
        }

        if (!Enum.IsDefined(Role))
        {
            ModelState.AddModelError(nameof(Role), "The role must be Admin or User.");
        }

        if (!ModelState.IsValid)
        {
            return Cleared();
        }

        var created = await accounts.CreateUserAsync(new NewUser(UserName, Role, Email, InitialPassword), UsersApi.Actor(User), UsersApi.Address(HttpContext), ct);
        if (!created.IsSuccess)
        {
            if (created.Error.Code == "user-exists")
            {
                ModelState.AddModelError(nameof(UserName), created.Error.Message);
            }
            else
            {
                UserForms.AddError(ModelState, created.Error);
            }

            return Cleared();
        }

        if (!string.IsNullOrEmpty(InitialPassword))
        {
            TempData["Flash"] = $"User {created.Value.User.UserName} was added; they must change the initial password at the first sign-in.";
            return Redirect($"/users/{created.Value.User.Id}");
        }

        // Shown in this response only: never in a redirect, a cookie or the audit.
        GeneratedPassword = created.Value.Password;
        CreatedId = created.Value.User.Id;
        return Cleared();
    }

    private PageResult Cleared()
    {
        InitialPassword = null;
        ConfirmPassword = null;
        return Page();
    }
}
