using System.Security.Cryptography;
using CertMgr.Core.Audit;
using CertMgr.Core.Common;
using CertMgr.Core.Setup;
using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace CertMgr.Core.Security;

/// <summary>A user to add: name, role, optional email, and an optional initial password (otherwise a random one).</summary>
public sealed record NewUser(string UserName, UserRole Role, string? Email = null, string? InitialPassword = null);

/// <summary>Users: the initial admin, sign-in with lockout, password changes.</summary>
public sealed partial class UserAccounts(CertMgrDbContext db, DataDirectory home, TimeProvider time, SignInThrottle throttle, ILogger<UserAccounts> logger)
{
    public const string InitialAdminName = "admin";
    public const string TooManyAttemptsCode = "too-many-attempts";

    private static readonly PasswordHasher<User> Hasher = new();

    public static string Normalize(string userName) => userName.Trim().ToUpperInvariant();

    /// <summary>
    /// Creates user <c>admin</c> with a random password when there are no users, and writes that password to an
    /// owner-only file in the data directory. Returns the password only when it was created now.
    /// </summary>
    public async Task<string?> EnsureInitialAdminAsync(CancellationToken ct)
    {
        if (await db.Users.AnyAsync(ct))
        {
            return null;
        }

        var password = GeneratePassword();
        var now = time.GetUtcNow();
        var admin = new User
        {
            UserName = InitialAdminName,
            NormalizedUserName = Normalize(InitialAdminName),
            DisplayName = "Administrator",
            Role = UserRole.Admin,
            PasswordHash = "",
            MustChangePassword = true,
            CreatedAt = now,
        };
        admin.PasswordHash = Hasher.HashPassword(admin, password);
        db.Users.Add(admin);
        db.Record(now, AuditLog.System, "User", admin.Id.ToString(), "create-initial-admin");
        await db.SaveChangesAsync(ct);

        WriteOwnerOnly(home.InitialPasswordPath, $"{password}\n");
        LogInitialAdmin(logger, InitialAdminName, home.InitialPasswordPath);
        return password;
    }

    /// <summary>
    /// Adds a user with a random initial password that must be changed at the first sign-in, and returns that password
    /// (shown once; only its hash is stored). Names are 1-64 characters of letters, digits and <c>. _ @ -</c>, unique
    /// regardless of case.
    /// </summary>
    public Task<Result<(User User, string Password)>> CreateUserAsync(
        string userName, UserRole role, string? email, string actor, CancellationToken ct) =>
        CreateUserAsync(new NewUser(userName, role, email), actor, null, ct);

    /// <summary>
    /// Adds a user; with <see cref="NewUser.InitialPassword"/> that password (checked against <see cref="PasswordPolicy"/>,
    /// errors on the field <c>initialPassword</c>), otherwise a random one. Either way it must be changed at the first
    /// sign-in. The audit records who added whom, from where, never the password.
    /// </summary>
    public async Task<Result<(User User, string Password)>> CreateUserAsync(NewUser request, string actor, string? address, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (userName, role, email) = (request.UserName, request.Role, request.Email);
        var name = (userName ?? "").Trim();
        if (name.Length is 0 or > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '@' or '-'))
        {
            return Error.Invalid("user-name-invalid", "A user name is 1-64 characters of letters, digits, '.', '_', '@' and '-'.", "userName");
        }

        if (!Enum.IsDefined(role))
        {
            return Error.Invalid("role-invalid", "The role must be Admin or User.", "role");
        }

        var normalized = Normalize(name);
        if (await db.Users.AnyAsync(u => u.NormalizedUserName == normalized, ct))
        {
            return Error.Conflict("user-exists", $"A user named '{name}' already exists.");
        }

        var trimmedEmail = email?.Trim();
        if (!string.IsNullOrEmpty(trimmedEmail) && (trimmedEmail.Length > 254 || !UserAdministration.IsEmail(trimmedEmail)))
        {
            return Error.Invalid("email-invalid", "Enter an email address like name@example.com, or leave it empty.", "email");
        }

        if (request.InitialPassword is { Length: > 0 } chosen && PasswordPolicy.Check(chosen, name) is { IsSuccess: false } weak)
        {
            return Error.Invalid(weak.Error!.Code, weak.Error.Message, "initialPassword");
        }

        var password = string.IsNullOrEmpty(request.InitialPassword) ? GeneratePassword() : request.InitialPassword;
        var now = time.GetUtcNow();
        var user = new User
        {
            UserName = name,
            NormalizedUserName = normalized,
            Email = string.IsNullOrWhiteSpace(email) ? null : email.Trim(),
            Role = role,
            PasswordHash = "",
            MustChangePassword = true,
            CreatedAt = now,
        };
        user.PasswordHash = Hasher.HashPassword(user, password);
        db.Users.Add(user);
        db.Record(now, actor, "User", user.Id.ToString(), "create-user", true,
            $"{name} ({role}){(string.IsNullOrEmpty(request.InitialPassword) ? "" : ", initial password set by the administrator")}", address);
        await db.SaveChangesAsync(ct);
        return (user, password);
    }

    /// <summary>
    /// Checks a user name and password. Unknown names, wrong passwords and an account locked for this address get the
    /// same answer after the same work (a password hash is verified every time); failures are throttled per address
    /// and per (account, address) by <see cref="SignInThrottle"/>, whose comment explains the design.
    /// </summary>
    public async Task<Result<User>> SignInAsync(string userName, string password, string? address, CancellationToken ct)
    {
        var invalid = new Error("invalid-credentials", "The user name or password is incorrect.");
        if (throttle.AddressBlockedFor(address) is { } wait)
        {
            var minutes = Math.Max(1, (int)Math.Ceiling(wait.TotalMinutes));
            if (throttle.FirstRefusalOfBlock(address, wait))
            {
                var actor = string.IsNullOrWhiteSpace(userName) ? "(no name)" : userName.Length > 100 ? userName[..100] : userName;
                db.Record(time.GetUtcNow(), actor, "User", null, "sign-in", false,
                    $"address blocked for {Plural.Of(minutes, "minute")} after {SignInThrottle.MaxFailuresPerAddress} failed sign-ins; further attempts during the block are refused without a record", address);
                await db.SaveChangesAsync(ct);
            }

            return new Error(TooManyAttemptsCode, $"Too many failed sign-ins from your address. Try again in {Plural.Of(minutes, "minute")}.");
        }

        if (string.IsNullOrWhiteSpace(userName) || string.IsNullOrEmpty(password))
        {
            return invalid;
        }

        var normalized = Normalize(userName);
        var user = await db.Users.SingleOrDefaultAsync(u => u.NormalizedUserName == normalized, ct);
        var now = time.GetUtcNow();
        // Always one hash verification, whatever the outcome, so that timing does not tell which names exist.
        var verdict = Hasher.VerifyHashedPassword(user ?? DummyUser, user?.PasswordHash ?? DummyHash, password);
        if (user is null)
        {
            throttle.RecordFailure(normalized, address);
            db.Record(now, userName.Length > 100 ? userName[..100] : userName, "User", null, "sign-in", false, "unknown user", address);
            await db.SaveChangesAsync(ct);
            return invalid;
        }

        if (throttle.IsAccountLocked(normalized, address))
        {
            // Refused even with the right password, and answered like a wrong one: locked for this address only.
            throttle.RecordFailure(null, address);
            db.Record(now, user.UserName, "User", user.Id.ToString(), "sign-in", false, "locked out for this address", address);
            await db.SaveChangesAsync(ct);
            return invalid;
        }

        if (verdict == PasswordVerificationResult.Failed)
        {
            throttle.RecordFailure(normalized, address);
            // Account-wide count of recent failures, for the audit trail and the log (not a lock: see SignInThrottle).
            user.FailedLoginCount++;
            var detail = "wrong password";
            if (throttle.IsAccountLocked(normalized, address))
            {
                detail = "wrong password; account locked for this address";
                LogLockedOut(logger, user.UserName, address);
            }

            db.Record(now, user.UserName, "User", user.Id.ToString(), "sign-in", false, detail, address);
            await db.SaveChangesAsync(ct);
            return invalid;
        }

        if (user.Disabled)
        {
            // Said only to someone who knows the password.
            db.Record(now, user.UserName, "User", user.Id.ToString(), "sign-in", false, "account disabled", address);
            await db.SaveChangesAsync(ct);
            return new Error("account-disabled", "This account is disabled. Ask an administrator.");
        }

        if (verdict == PasswordVerificationResult.SuccessRehashNeeded)
        {
            user.PasswordHash = Hasher.HashPassword(user, password);
        }

        throttle.RecordSuccess(normalized, address);
        user.FailedLoginCount = 0;
        user.LockoutEnd = null;
        user.LastLoginAt = now;
        db.Record(now, user.UserName, "User", user.Id.ToString(), "sign-in", true, null, address);
        await db.SaveChangesAsync(ct);
        return user;
    }

    /// <summary>
    /// Ends the user's sessions server-side: a new security stamp makes every cookie issued before it invalid
    /// (AuthSetup checks the stamp on each request), so a copied cookie replayed after sign-out gets nothing.
    /// </summary>
    public async Task SignOutAsync(Guid userId, string? address, CancellationToken ct)
    {
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == userId, ct);
        if (user is null)
        {
            return;
        }

        user.SecurityStamp = Guid.NewGuid().ToString("N");
        db.Record(time.GetUtcNow(), user.UserName, "User", user.Id.ToString(), "sign-out", true, null, address);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Changes a password after checking the current one and the policy.</summary>
    public async Task<Result> ChangePasswordAsync(Guid userId, string currentPassword, string newPassword, string? address, CancellationToken ct)
    {
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == userId, ct);
        if (user is null || user.Disabled)
        {
            return Result.Failure("user-not-found", "The account no longer exists or is disabled.");
        }

        var now = time.GetUtcNow();
        if (Hasher.VerifyHashedPassword(user, user.PasswordHash, currentPassword ?? "") == PasswordVerificationResult.Failed)
        {
            db.Record(now, user.UserName, "User", user.Id.ToString(), "change-password", false, "wrong current password", address);
            await db.SaveChangesAsync(ct);
            return Result.Failure("wrong-current-password", "The current password is incorrect.");
        }

        var policy = PasswordPolicy.Check(newPassword, user.UserName, currentPassword);
        if (!policy.IsSuccess)
        {
            return policy;
        }

        var wasInitial = user.MustChangePassword;
        user.PasswordHash = Hasher.HashPassword(user, newPassword);
        user.MustChangePassword = false;
        user.PasswordChangedAt = now;
        user.SecurityStamp = Guid.NewGuid().ToString("N");
        db.Record(now, user.UserName, "User", user.Id.ToString(), "change-password", true, null, address);
        await db.SaveChangesAsync(ct);

        if (wasInitial && user.UserName == InitialAdminName && File.Exists(home.InitialPasswordPath))
        {
            File.Delete(home.InitialPasswordPath);
            LogInitialPasswordFileDeleted(logger, home.InitialPasswordPath);
        }

        return Result.Success();
    }

    /// <summary>Whether the security stamp a session was issued with is still the user's (password unchanged).</summary>
    public async Task<User?> FindActiveAsync(Guid userId, string? securityStamp, CancellationToken ct)
    {
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, ct);
        return user is { Disabled: false } && user.SecurityStamp == securityStamp ? user : null;
    }

    public Task<User?> FindByIdAsync(Guid userId, CancellationToken ct) =>
        db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId && !u.Disabled, ct);

    /// <summary>A random password of 25 characters in five groups, without look-alike characters (~125 bits).</summary>
    public static string GeneratePassword()
    {
        const string alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        var groups = Enumerable.Range(0, 5).Select(_ => RandomNumberGenerator.GetString(alphabet, 5));
        return string.Join('-', groups);
    }

    private static readonly User DummyUser = new() { UserName = "", NormalizedUserName = "", PasswordHash = "" };
    private static readonly string DummyHash = Hasher.HashPassword(DummyUser, "not-a-real-password");

    private static void WriteOwnerOnly(string path, string content)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        using var writer = new StreamWriter(stream);
        writer.Write(content);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Created user {UserName} with a random initial password; it is in {PasswordFile} until the first password change")]
    private static partial void LogInitialAdmin(ILogger logger, string userName, string passwordFile);

    [LoggerMessage(Level = LogLevel.Warning, Message = "User {UserName} locked for sign-ins from {Address} after repeated wrong passwords")]
    private static partial void LogLockedOut(ILogger logger, string userName, string? address);

    [LoggerMessage(Level = LogLevel.Information, Message = "Initial password changed; deleted {PasswordFile}")]
    private static partial void LogInitialPasswordFileDeleted(ILogger logger, string passwordFile);
}
