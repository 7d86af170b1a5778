using System.Net.Mail;
using System.Text;
using CertMgr.Core.Audit;
using CertMgr.Core.Common;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Data.Secrets;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Core.Catalog;

/// <summary>What a person enters for a provider account. A null password keeps the stored one.</summary>
public sealed record ProviderAccountInput(string? Provider, string? Username, string? Password, string? RegisteredEmail, string? Notes, bool ClearPassword = false);

/// <summary>
/// Login records for commercial CA and reseller sites (guide 4.2.4). The password is sealed at rest and write-only:
/// nothing reads it back out, only whether one is set.
/// </summary>
public sealed class ProviderAccountService(CertMgrDbContext db, SecretProtector protector, TimeProvider time)
{
    public const string ObjectType = "ProviderAccount";
    public const int MaxTextLength = 200;
    public const int MaxPasswordLength = 1024;
    public const int MaxNotesLength = 4000;

    public Task<List<ProviderAccount>> ListAsync(CancellationToken ct) =>
        db.ProviderAccounts.AsNoTracking().OrderBy(a => a.Provider).ThenBy(a => a.Username).ToListAsync(ct);

    public Task<ProviderAccount?> FindAsync(Guid id, CancellationToken ct) =>
        db.ProviderAccounts.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id, ct);

    public async Task<Result<ProviderAccount>> CreateAsync(ProviderAccountInput input, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (Validate(input) is { } invalid)
        {
            return invalid;
        }

        var now = time.GetUtcNow();
        var account = new ProviderAccount { Provider = input.Provider!.Trim(), Username = input.Username!.Trim(), CreatedAt = now };
        Apply(account, input);
        db.ProviderAccounts.Add(account);
        db.Record(now, actor, ObjectType, account.Id.ToString(), "create", detail: $"{account.Provider} / {account.Username}");
        await db.SaveChangesAsync(ct);
        return account;
    }

    public async Task<Result<ProviderAccount>> UpdateAsync(Guid id, ProviderAccountInput input, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var account = await db.ProviderAccounts.SingleOrDefaultAsync(a => a.Id == id, ct);
        if (account is null)
        {
            return NotFound();
        }

        if (Validate(input) is { } invalid)
        {
            return invalid;
        }

        account.Provider = input.Provider!.Trim();
        account.Username = input.Username!.Trim();
        var passwordChanged = Apply(account, input);
        db.Record(time.GetUtcNow(), actor, ObjectType, account.Id.ToString(), "update",
            detail: $"{account.Provider} / {account.Username}{(passwordChanged ? "; password changed" : "")}");
        await db.SaveChangesAsync(ct);
        return account;
    }

    public async Task<Result<ProviderAccount>> DeleteAsync(Guid id, string actor, CancellationToken ct)
    {
        var account = await db.ProviderAccounts.SingleOrDefaultAsync(a => a.Id == id, ct);
        if (account is null)
        {
            return NotFound();
        }

        // Requests keep their order details; the link to the account is cleared by the database (SET NULL).
        db.ProviderAccounts.Remove(account);
        db.Record(time.GetUtcNow(), actor, ObjectType, account.Id.ToString(), "delete", detail: $"{account.Provider} / {account.Username}");
        await db.SaveChangesAsync(ct);
        return account;
    }

    /// <summary>Whether <paramref name="password"/> is the stored one (for tests and a future sign-in helper); never returns it.</summary>
    public bool PasswordMatches(ProviderAccount account, string password)
    {
        ArgumentNullException.ThrowIfNull(account);
        if (account.EncryptedPassword is null)
        {
            return false;
        }

        var stored = protector.Unprotect(account.EncryptedPassword, SecretPurposes.ProviderPassword);
        try
        {
            return System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(stored, Encoding.UTF8.GetBytes(password));
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(stored);
        }
    }

    private bool Apply(ProviderAccount account, ProviderAccountInput input)
    {
        account.RegisteredEmail = string.IsNullOrWhiteSpace(input.RegisteredEmail) ? null : input.RegisteredEmail.Trim();
        account.Notes = string.IsNullOrWhiteSpace(input.Notes) ? null : input.Notes.Trim();
        if (input.ClearPassword)
        {
            var had = account.EncryptedPassword is not null;
            account.EncryptedPassword = null;
            return had;
        }

        if (!string.IsNullOrEmpty(input.Password))
        {
            account.EncryptedPassword = protector.Protect(Encoding.UTF8.GetBytes(input.Password), SecretPurposes.ProviderPassword);
            return true;
        }

        return false;
    }

    public static Error? Validate(ProviderAccountInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!IsText(input.Provider))
        {
            return new Error("provider-invalid", $"The provider is required: 1 to {MaxTextLength} printable characters.");
        }

        if (!IsText(input.Username))
        {
            return new Error("username-invalid", $"The username is required: 1 to {MaxTextLength} printable characters.");
        }

        if (input.Password is { Length: > MaxPasswordLength })
        {
            return new Error("password-too-long", $"The password must be at most {MaxPasswordLength} characters.");
        }

        if (!string.IsNullOrWhiteSpace(input.RegisteredEmail) &&
            (input.RegisteredEmail.Trim().Length > MaxTextLength || !MailAddress.TryCreate(input.RegisteredEmail.Trim(), out var mail) || mail.Address != input.RegisteredEmail.Trim()))
        {
            return new Error("email-invalid", "The registered email is not a valid address.");
        }

        return input.Notes is { Length: > MaxNotesLength }
            ? new Error("notes-too-long", $"Notes must be at most {MaxNotesLength} characters.")
            : null;
    }

    private static bool IsText(string? value) =>
        !string.IsNullOrWhiteSpace(value) && value.Trim().Length <= MaxTextLength && !value.Any(char.IsControl);

    private static Result<ProviderAccount> NotFound() => Error.NotFound("provider-account-not-found", "No provider account has that id.");
}
