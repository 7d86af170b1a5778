using System.ComponentModel.DataAnnotations;
using CertMgr.Core.Common;
using CertMgr.Core.Security;
using CertMgr.Data.Model;
using CertMgr.Web.Api;
using CertMgr.Web.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CertMgr.Web.Pages.Users;

/// <summary>
/// One user, admins only: edit role, display name and email; disable or enable, reset the password, unlock, delete —
/// each after a confirmation (<c>?confirm=</c>), with the last-admin and own-account guards' errors shown above.
/// </summary>
[Authorize(Policy = CertMgrClaims.AdminPolicy)]
public sealed class DetailsModel(UserAdministration users, TimeProvider time) : PageModel
{
    public static IReadOnlyList<string> Confirmations { get; } = ["disable", "enable", "reset", "unlock", "delete"];

    [BindProperty]
    public UserRole Role { get; set; }

    [BindProperty]
    [Display(Name = "Display name")]
    public string? DisplayName { get; set; }

    [BindProperty]
    public string? Email { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Confirm { get; set; }

    public UserSummary Account { get; private set; } = null!;

    public IReadOnlyList<string> LockedFrom { get; private set; } = [];

    public bool IsSelf => User.UserId() == Account.Id;

    public DateTimeOffset Now { get; private set; }

    [TempData]
    public string? Flash { get; set; }

    public string? ErrorMessage { get; private set; }

    /// <summary>A password reset's temporary password, shown in this response only.</summary>
    public string? TemporaryPassword { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
        {
            return NotFound();
        }

        Confirm = Confirmations.FirstOrDefault(c => string.Equals(c, Confirm, StringComparison.OrdinalIgnoreCase));
        Role = Account.Role;
        DisplayName = Account.DisplayName;
        Email = Account.Email;
        return Page();
    }

    public async Task<IActionResult> OnPostSaveAsync(Guid id, CancellationToken ct)
    {
        ModelState.Clear();
        if (!Enum.IsDefined(Role))
        {
            ModelState.AddModelError(nameof(Role), "The role must be Admin or User.");
            return await ReloadAsync(id, ct);
        }

        var result = await users.UpdateAsync(id, new UserChanges(Role, Email ?? "", DisplayName ?? ""), ActorId(), UsersApi.Actor(User), UsersApi.Address(HttpContext), ct);
        return await AfterAsync(id, result, "The user was saved.", ct);
    }

    public async Task<IActionResult> OnPostDisableAsync(Guid id, CancellationToken ct) =>
        await AfterAsync(id, await users.UpdateAsync(id, new UserChanges(Disabled: true), ActorId(), UsersApi.Actor(User), UsersApi.Address(HttpContext), ct),
            "The user was disabled; their sessions ended.", ct);

    public async Task<IActionResult> OnPostEnableAsync(Guid id, CancellationToken ct) =>
        await AfterAsync(id, await users.UpdateAsync(id, new UserChanges(Disabled: false), ActorId(), UsersApi.Actor(User), UsersApi.Address(HttpContext), ct),
            "The user was enabled.", ct);

    public async Task<IActionResult> OnPostUnlockAsync(Guid id, CancellationToken ct) =>
        await AfterAsync(id, await users.UnlockAsync(id, UsersApi.Actor(User), UsersApi.Address(HttpContext), ct),
            "The user was unlocked and may sign in again.", ct);

    public async Task<IActionResult> OnPostResetAsync(Guid id, CancellationToken ct)
    {
        var reset = await users.ResetPasswordAsync(id, UsersApi.Actor(User), UsersApi.Address(HttpContext), ct);
        if (!reset.IsSuccess)
        {
            return await FailedAsync(id, reset.Error, ct);
        }

        // Shown in this response only: never in a redirect, a cookie or the audit.
        TemporaryPassword = reset.Value;
        return await ReloadAsync(id, ct);
    }

    public async Task<IActionResult> OnPostDeleteAsync(Guid id, CancellationToken ct)
    {
        var deleted = await users.DeleteAsync(id, ActorId(), UsersApi.Actor(User), UsersApi.Address(HttpContext), ct);
        if (!deleted.IsSuccess)
        {
            return await FailedAsync(id, deleted.Error!, ct);
        }

        TempData["Flash"] = "The user was deleted.";
        return Redirect("/users");
    }

    private async Task<IActionResult> AfterAsync(Guid id, Result<UserSummary> result, string done, CancellationToken ct)
    {
        if (!result.IsSuccess)
        {
            return await FailedAsync(id, result.Error, ct);
        }

        Flash = done;
        return Redirect($"/users/{id}");
    }

    private async Task<IActionResult> FailedAsync(Guid id, Error error, CancellationToken ct)
    {
        if (error.Kind == ErrorKind.NotFound)
        {
            return NotFound();
        }

        if (error.Fields is { Count: > 0 })
        {
            UserForms.AddError(ModelState, error);
        }
        else
        {
            ErrorMessage = error.Message;
        }

        Response.StatusCode = error.Kind == ErrorKind.Conflict ? StatusCodes.Status409Conflict : StatusCodes.Status400BadRequest;
        return await ReloadAsync(id, ct);
    }

    private async Task<IActionResult> ReloadAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
        {
            return NotFound();
        }

        Confirm = null;
        if (!string.Equals(Request.Query["handler"], "Save", StringComparison.OrdinalIgnoreCase))
        {
            (Role, DisplayName, Email) = (Account.Role, Account.DisplayName, Account.Email);
        }

        return Page();
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        Now = time.GetUtcNow();
        var found = await users.GetAsync(id, ct);
        if (!found.IsSuccess)
        {
            return false;
        }

        Account = found.Value;
        LockedFrom = users.LockedAddresses(Account.UserName);
        return true;
    }

    private Guid ActorId() => User.UserId() ?? Guid.Empty;
}
