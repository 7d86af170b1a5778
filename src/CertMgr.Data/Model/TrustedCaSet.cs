namespace CertMgr.Data.Model;

/// <summary>Root CAs a monitored certificate is validated against (guide 2.12); never the OS store.</summary>
public sealed class TrustedCaSet
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public required string Name { get; set; }
    public bool IsDefault { get; set; }
    /// <summary>File names under <c>trusted-cas/system-list/</c>.</summary>
    public List<string> SystemFiles { get; set; } = [];
    public List<TrustedCaCertificate> Certificates { get; } = [];
    /// <summary>When the effective set was last merged ("save and merge").</summary>
    public DateTimeOffset? MergedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A user-defined CA certificate in a set.</summary>
public sealed class TrustedCaCertificate
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TrustedCaSetId { get; set; }
    public TrustedCaSet TrustedCaSet { get; set; } = null!;
    public required byte[] Der { get; set; }
    public required string Subject { get; set; }
    public required string Sha256 { get; set; }
    public DateTimeOffset NotAfter { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
