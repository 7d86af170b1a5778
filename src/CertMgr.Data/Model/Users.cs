namespace CertMgr.Data.Model;

/// <summary>A console and API user (guide 3.6).</summary>
public sealed class User
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public required string UserName { get; set; }
    /// <summary>Case-insensitive key for look-ups.</summary>
    public required string NormalizedUserName { get; set; }
    public string? DisplayName { get; set; }
    public string? Email { get; set; }
    public UserRole Role { get; set; } = UserRole.User;
    public required string PasswordHash { get; set; }
    public bool MustChangePassword { get; set; }
    public int FailedLoginCount { get; set; }
    public DateTimeOffset? LockoutEnd { get; set; }
    public bool Disabled { get; set; }
    /// <summary>Changes whenever the password or role changes: sign-in cookies carrying an old stamp die.</summary>
    public string SecurityStamp { get; set; } = Guid.NewGuid().ToString("N");
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? LastLoginAt { get; set; }
    public DateTimeOffset? PasswordChangedAt { get; set; }
    public List<ApiToken> ApiTokens { get; } = [];
}

/// <summary>A personal API token; only its hash is stored.</summary>
public sealed class ApiToken
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid UserId { get; set; }
    public User User { get; set; } = null!;
    public required string Name { get; set; }
    /// <summary>First characters of the token, shown so a person can tell tokens apart.</summary>
    public required string Prefix { get; set; }
    /// <summary>SHA-256 of the token, upper-case hex.</summary>
    public required string TokenHash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}
