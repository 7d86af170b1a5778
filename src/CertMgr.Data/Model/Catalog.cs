namespace CertMgr.Data.Model;

/// <summary>An automatable CA (built-in CA, ACME CA, AD CS) and how to reach it.</summary>
public sealed class CaConnection
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public required string Name { get; set; }
    public CaConnectionKind Kind { get; set; }
    /// <summary>ACME directory URL or AD CS server string; null for the built-in CA.</summary>
    public string? Endpoint { get; set; }
    public string? AccountEmail { get; set; }
    /// <summary>Account key, EAB secret or password, sealed (purpose "ca-connection").</summary>
    public byte[]? EncryptedSecret { get; set; }
    /// <summary>Backend-specific options as JSON.</summary>
    public string? SettingsJson { get; set; }
    public List<Product> Products { get; } = [];
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A certificate product a CA or reseller sells, or one an automatable CA offers.</summary>
public sealed class Product
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public required string Provider { get; set; }
    public required string Name { get; set; }
    public ValidationLevel ValidationLevel { get; set; }
    public bool Wildcard { get; set; }
    /// <summary>Number of names it may carry; 1 means single-domain.</summary>
    public int MaxSans { get; set; } = 1;
    public int MaxValidityDays { get; set; }
    public string? ProductUrl { get; set; }
    /// <summary>Set when an automatable CA issues this product.</summary>
    public Guid? CaConnectionId { get; set; }
    public CaConnection? CaConnection { get; set; }
    /// <summary>AD CS template name or ACME profile, when the CA needs one.</summary>
    public string? Template { get; set; }
    public bool Enabled { get; set; } = true;
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>Login records for a commercial CA or reseller site (guide 4.2.4).</summary>
public sealed class ProviderAccount
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public required string Provider { get; set; }
    public required string Username { get; set; }
    /// <summary>Sealed (purpose "provider-password").</summary>
    public byte[]? EncryptedPassword { get; set; }
    public string? RegisteredEmail { get; set; }
    public string? Notes { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A request sent to an automatable CA for one acquisition.</summary>
public sealed class CaSubmission
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid RequestId { get; set; }
    public CertificateRequest Request { get; set; } = null!;
    public Guid CaConnectionId { get; set; }
    public CaConnection CaConnection { get; set; } = null!;
    public SubmissionStatus Status { get; set; }
    /// <summary>The CA's handle for it (ACME order URL, AD CS request id).</summary>
    public string? ExternalId { get; set; }
    public string? Detail { get; set; }
    public DateTimeOffset SubmittedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
}
