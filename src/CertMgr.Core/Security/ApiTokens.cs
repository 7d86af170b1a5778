using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using CertMgr.Core.Audit;
using CertMgr.Core.Common;
using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Core.Security;

/// <summary>A token as its owner sees it in the list: never the secret, only its prefix.</summary>
public sealed record ApiTokenInfo(
    Guid Id, string Name, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? LastUsedAt,
    DateTimeOffset? RevokedAt)
{
    public bool IsActive(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > now);
}

/// <summary>A freshly created token: <see cref="Secret"/> is shown once and never stored.</summary>
public sealed record CreatedApiToken(ApiTokenInfo Token, string Secret);

/// <summary>
/// Personal API tokens (guide 3.6): <c>cmt_</c> + 32 random bytes (base64url), only the SHA-256 stored. A token acts
/// as its user with the user's current role; it stops working when revoked, expired, or the user is disabled or
/// must change the password (an admin-forced reset cannot be bypassed with a token made before it).
/// </summary>
public sealed class ApiTokens(CertMgrDbContext db, TimeProvider time)
{
    public const string TokenPrefix = "cmt_";
    public const int MaxNameLength = 100;
    public const int MaxTokensPerUser = 50;

    /// <summary>Longest lifetime a token may be given; longer or open-ended tokens may be created only without expiry.</summary>
    public const int MaxExpiryDays = 3650;

    /// <summary>LastUsedAt is written at most this often per token, so that API calls do not each cost a write.</summary>
    public static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    private const int SecretBytes = 32;
    private const int ShownPrefixLength = 12;

    /// <summary>Creates a token for <paramref name="userId"/>; <paramref name="expiresInDays"/> null = no expiry.</summary>
    public async Task<Result<CreatedApiToken>> CreateAsync(Guid userId, string? name, int? expiresInDays, CancellationToken ct)
    {
        var trimmed = name?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return new Error("token-name-required", "Give the token a name that says where it is used.");
        }

        if (trimmed.Length > MaxNameLength || trimmed.Any(char.IsControl))
        {
            return new Error("token-name-invalid", $"The token name must be at most {MaxNameLength} printable characters.");
        }

        if (expiresInDays is < 1 or > MaxExpiryDays)
        {
            return new Error("token-expiry-invalid", $"The expiry must be between 1 and {MaxExpiryDays} days, or none.");
        }

        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == userId, ct);
        if (user is null || user.Disabled)
        {
            return new Error("user-not-found", "The user does not exist or is disabled.");
        }

        var now = time.GetUtcNow();
        var active = await db.ApiTokens.CountAsync(t => t.UserId == userId && t.RevokedAt == null, ct);
        if (active >= MaxTokensPerUser)
        {
            return new Error("token-limit", $"A user may hold at most {MaxTokensPerUser} tokens; revoke unused ones first.");
        }

        var secret = TokenPrefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(SecretBytes));
        var token = new ApiToken
        {
            UserId = userId,
            Name = trimmed,
            Prefix = secret[..ShownPrefixLength],
            TokenHash = Hash(secret),
            CreatedAt = now,
            ExpiresAt = expiresInDays is { } days ? now.AddDays(days) : null,
        };
        db.ApiTokens.Add(token);
        db.Record(now, user.UserName, "ApiToken", token.Id.ToString(), "create", detail: $"{trimmed} ({token.Prefix}…)");
        await db.SaveChangesAsync(ct);
        return new CreatedApiToken(Info(token), secret);
    }

    /// <summary>A user's tokens, newest first, revoked ones included.</summary>
    public async Task<IReadOnlyList<ApiTokenInfo>> ListAsync(Guid userId, CancellationToken ct) =>
        await db.ApiTokens.AsNoTracking().Where(t => t.UserId == userId)
            .OrderByDescending(t => t.CreatedAt).ThenByDescending(t => t.Id)
            .Select(t => new ApiTokenInfo(t.Id, t.Name, t.Prefix, t.CreatedAt, t.ExpiresAt, t.LastUsedAt, t.RevokedAt))
            .ToListAsync(ct);

    /// <summary>Revokes one of the user's own tokens; revoking twice is not an error.</summary>
    public async Task<Result> RevokeAsync(Guid userId, Guid tokenId, CancellationToken ct)
    {
        var token = await db.ApiTokens.Include(t => t.User).SingleOrDefaultAsync(t => t.Id == tokenId && t.UserId == userId, ct);
        if (token is null)
        {
            return new Error("token-not-found", "No such token.");
        }

        if (token.RevokedAt is null)
        {
            var now = time.GetUtcNow();
            token.RevokedAt = now;
            db.Record(now, token.User.UserName, "ApiToken", token.Id.ToString(), "revoke", detail: $"{token.Name} ({token.Prefix}…)");
            await db.SaveChangesAsync(ct);
        }

        return Result.Success();
    }

    /// <summary>
    /// The user a presented token acts for, or an error when it is unknown, revoked, expired, or its user is disabled.
    /// The lookup is by SHA-256 of the presented value (an index), so the secret is never compared byte by byte.
    /// </summary>
    public async Task<Result<User>> ValidateAsync(string? presented, CancellationToken ct)
    {
        var invalid = new Error("token-invalid", "The API token is not valid.");
        if (string.IsNullOrEmpty(presented) || !presented.StartsWith(TokenPrefix, StringComparison.Ordinal) || presented.Length > 200)
        {
            return invalid;
        }

        var hash = Hash(presented);
        var token = await db.ApiTokens.Include(t => t.User).SingleOrDefaultAsync(t => t.TokenHash == hash, ct);
        if (token is null || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(token.TokenHash), Encoding.ASCII.GetBytes(hash)))
        {
            return invalid;
        }

        var now = time.GetUtcNow();
        if (token.RevokedAt is not null)
        {
            return new Error("token-revoked", "The API token has been revoked.");
        }

        if (token.ExpiresAt is { } expires && expires <= now)
        {
            return new Error("token-expired", "The API token has expired.");
        }

        if (token.User.Disabled)
        {
            return new Error("user-disabled", "The token's user is disabled.");
        }

        if (token.LastUsedAt is not { } last || now - last >= LastUsedResolution)
        {
            // A set-based update: concurrent requests do not conflict, and nothing else of the token is written.
            await db.ApiTokens.Where(t => t.Id == token.Id).ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAt, now), ct);
        }

        return token.User;
    }

    /// <summary>SHA-256 of the token text, upper-case hex: what is stored and looked up.</summary>
    public static string Hash(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
    }

    private static ApiTokenInfo Info(ApiToken t) => new(t.Id, t.Name, t.Prefix, t.CreatedAt, t.ExpiresAt, t.LastUsedAt, t.RevokedAt);
}
