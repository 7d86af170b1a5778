using CertMgr.Core.Audit;
using CertMgr.Core.Common;
using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Core.Security;

/// <summary>A user as the Users screen and API show it: never the password hash or the security stamp.</summary>
public sealed record UserSummary(
    Guid Id, string UserName, string? DisplayName, string? Email, UserRole Role, bool Disabled, bool MustChangePassword,
    int FailedLoginCount, DateTimeOffset CreatedAt, DateTimeOffset? LastLoginAt, DateTimeOffset? PasswordChangedAt);

/// <summary>The changes an administrator can make to a user; null leaves a field as it is.</summary>
public sealed record UserChanges(UserRole? Role = null, string? Email = null, string? DisplayName = null, bool? Disabled = null);

/// <summary>
/// Users management (admin only, enforced by the callers' policy): edit, disable, enable, delete, reset password.
/// Rules: there is always at least one enabled admin; an admin cannot disable, demote or delete their own account;
/// disabling, a role change and a password reset end the user's sessions (new security stamp). Every change is audited
/// with what changed, never with a password.
/// </summary>
public sealed class UserAdministration(CertMgrDbContext db, TimeProvider time, SignInThrottle throttle)
{
    private static readonly PasswordHasher<User> Hasher = new();

    public async Task<IReadOnlyList<UserSummary>> ListAsync(CancellationToken ct) =>
        [.. (await db.Users.AsNoTracking().ToListAsync(ct)).OrderBy(u => u.NormalizedUserName, StringComparer.Ordinal).Select(Summary)];

    public async Task<Result<UserSummary>> GetAsync(Guid id, CancellationToken ct) =>
        await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == id, ct) is { } user
            ? Summary(user)
            : NotFound();

    public async Task<Result<UserSummary>> UpdateAsync(Guid id, UserChanges changes, Guid actorId, string actor, string? address, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == id, ct);
        if (user is null)
        {
            return NotFound();
        }

        if (changes.Role is { } role && !Enum.IsDefined(role))
        {
            return Error.Invalid("role-invalid", "The role must be Admin or User.", "role");
        }

        var email = changes.Email?.Trim();
        if (!string.IsNullOrEmpty(email) && (email.Length > 254 || !IsEmail(email)))
        {
            return Error.Invalid("email-invalid", "Enter an email address like name@example.com, or leave it empty.", "email");
        }

        var displayName = changes.DisplayName?.Trim();
        if (displayName is { Length: > 100 })
        {
            return Error.Invalid("display-name-too-long", "The display name is at most 100 characters.", "displayName");
        }

        var losesAdmin = user.Role == UserRole.Admin && !user.Disabled &&
            (changes.Role is UserRole.User || changes.Disabled == true);
        if (losesAdmin && user.Id == actorId)
        {
            return Error.Conflict("own-account", "You cannot disable or demote your own account; ask another administrator.");
        }

        if (losesAdmin && !await OtherEnabledAdminExistsAsync(user.Id, ct))
        {
            return Error.Conflict("last-admin", "This is the last enabled administrator; make another user an administrator first.");
        }

        var changed = new List<string>();
        var endSessions = false;
        if (changes.Role is { } newRole && newRole != user.Role)
        {
            changed.Add($"role {user.Role} -> {newRole}");
            user.Role = newRole;
            endSessions = true;
        }

        if (changes.Email is not null && (string.IsNullOrEmpty(email) ? null : email) != user.Email)
        {
            changed.Add($"email '{user.Email}' -> '{email}'");
            user.Email = string.IsNullOrEmpty(email) ? null : email;
        }

        if (changes.DisplayName is not null && (string.IsNullOrEmpty(displayName) ? null : displayName) != user.DisplayName)
        {
            changed.Add($"display name '{user.DisplayName}' -> '{displayName}'");
            user.DisplayName = string.IsNullOrEmpty(displayName) ? null : displayName;
        }

        if (changes.Disabled is { } disabled && disabled != user.Disabled)
        {
            changed.Add(disabled ? "disabled" : "enabled");
            user.Disabled = disabled;
            endSessions |= disabled;
        }

        if (changed.Count == 0)
        {
            return Summary(user);
        }

        if (endSessions)
        {
            user.SecurityStamp = Guid.NewGuid().ToString("N");
        }

        var action = changes.Disabled switch
        {
            true when changed.Contains("disabled") => "disable-user",
            false when changed.Contains("enabled") => "enable-user",
            _ => "update-user",
        };
        db.Record(time.GetUtcNow(), actor, "User", user.Id.ToString(), action, true, $"{user.UserName}: {string.Join("; ", changed)}", address);
        await db.SaveChangesAsync(ct);
        return Summary(user);
    }

    /// <summary>Deletes a user and their API tokens; the audit trail keeps the name.</summary>
    public async Task<Result> DeleteAsync(Guid id, Guid actorId, string actor, string? address, CancellationToken ct)
    {
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == id, ct);
        if (user is null)
        {
            return NotFound().Error!;
        }

        if (user.Id == actorId)
        {
            return Error.Conflict("own-account", "You cannot delete your own account; ask another administrator.");
        }

        if (user.Role == UserRole.Admin && !user.Disabled && !await OtherEnabledAdminExistsAsync(user.Id, ct))
        {
            return Error.Conflict("last-admin", "This is the last enabled administrator; make another user an administrator first.");
        }

        await db.ApiTokens.Where(t => t.UserId == id).ExecuteDeleteAsync(ct);
        db.Users.Remove(user);
        db.Record(time.GetUtcNow(), actor, "User", user.Id.ToString(), "delete-user", true, $"{user.UserName} ({user.Role})", address);
        await db.SaveChangesAsync(ct);
        return Result.Success();
    }

    /// <summary>
    /// Gives the user a new random password that must be changed at the next sign-in, ends their sessions, and returns
    /// the password (shown once to the administrator; only its hash is stored, the audit says only that it was reset).
    /// </summary>
    public async Task<Result<string>> ResetPasswordAsync(Guid id, string actor, string? address, CancellationToken ct)
    {
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == id, ct);
        if (user is null)
        {
            return Error.NotFound("user-not-found", "There is no such user.");
        }

        var password = UserAccounts.GeneratePassword();
        var now = time.GetUtcNow();
        user.PasswordHash = Hasher.HashPassword(user, password);
        user.MustChangePassword = true;
        user.PasswordChangedAt = now;
        user.SecurityStamp = Guid.NewGuid().ToString("N");
        db.Record(now, actor, "User", user.Id.ToString(), "reset-password", true, user.UserName, address);
        await db.SaveChangesAsync(ct);
        return password;
    }

    /// <summary>The addresses the user is locked out from now (repeated wrong passwords), for the Users screen.</summary>
    public IReadOnlyList<string> LockedAddresses(string userName) => throttle.LockedAddresses(UserAccounts.Normalize(userName));

    /// <summary>
    /// Lets a locked-out user sign in again: forgets their failed sign-ins and those of the addresses they came from
    /// (<see cref="SignInThrottle.Unlock"/>), resets the failure count, and audits which addresses were unlocked.
    /// </summary>
    public async Task<Result<UserSummary>> UnlockAsync(Guid id, string actor, string? address, CancellationToken ct)
    {
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == id, ct);
        if (user is null)
        {
            return NotFound();
        }

        var addresses = throttle.Unlock(user.NormalizedUserName);
        user.FailedLoginCount = 0;
        user.LockoutEnd = null;
        var from = addresses.Count == 0 ? "no recent failures" : "failures from " + string.Join(", ", addresses.Select(a => a.Length == 0 ? "(local)" : a));
        db.Record(time.GetUtcNow(), actor, "User", user.Id.ToString(), "unlock-user", true, $"{user.UserName}: {from}", address);
        await db.SaveChangesAsync(ct);
        return Summary(user);
    }

    public static UserSummary Summary(User u)
    {
        ArgumentNullException.ThrowIfNull(u);
        return new(u.Id, u.UserName, u.DisplayName, u.Email, u.Role, u.Disabled, u.MustChangePassword, u.FailedLoginCount,
            u.CreatedAt, u.LastLoginAt, u.PasswordChangedAt);
    }

    internal static bool IsEmail(string text)
    {
        var at = text.IndexOf('@', StringComparison.Ordinal);
        return at > 0 && at == text.LastIndexOf('@') && at < text.Length - 3 && text.IndexOf('.', at) > at + 1 &&
            !text.Any(char.IsWhiteSpace) && !text.EndsWith('.');
    }

    private Task<bool> OtherEnabledAdminExistsAsync(Guid userId, CancellationToken ct) =>
        db.Users.AnyAsync(u => u.Id != userId && u.Role == UserRole.Admin && !u.Disabled, ct);

    private static Result<UserSummary> NotFound() => Error.NotFound("user-not-found", "There is no such user.");
}
