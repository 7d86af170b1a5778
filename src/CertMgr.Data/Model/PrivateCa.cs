namespace CertMgr.Data.Model;

/// <summary>The built-in CA: root or subordinate. One is current; retired ones stay on record.</summary>
public sealed class PrivateCa
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public PrivateCaMode Mode { get; set; }
    public PrivateCaStatus Status { get; set; }
    public bool IsCurrent { get; set; }
    public required string Subject { get; set; }
    public Guid PrivateKeyId { get; set; }
    public PrivateKey PrivateKey { get; set; } = null!;
    /// <summary>The CA certificate; null while a subordinate waits for its parent.</summary>
    public byte[]? CertificateDer { get; set; }
    /// <summary>Parent chain up to its root, for a subordinate.</summary>
    public string? ChainPem { get; set; }
    /// <summary>The CSR sent to the parent, for a subordinate.</summary>
    public byte[]? CsrDer { get; set; }
    public string? Sha256 { get; set; }
    public DateTimeOffset? NotBefore { get; set; }
    public DateTimeOffset? NotAfter { get; set; }
    public long NextCrlNumber { get; set; } = 1;
    public List<IssuedCertificate> Issued { get; } = [];
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>The private CA's own ledger: everything it ever signed, apart from the inventory.</summary>
public sealed class IssuedCertificate
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid PrivateCaId { get; set; }
    public PrivateCa PrivateCa { get; set; } = null!;
    /// <summary>Upper-case hex.</summary>
    public required string SerialNumber { get; set; }
    public IssuedCertificateProfile Profile { get; set; }
    public required string Subject { get; set; }
    public required byte[] Der { get; set; }
    public required string Sha256 { get; set; }
    public DateTimeOffset NotBefore { get; set; }
    public DateTimeOffset NotAfter { get; set; }
    public IssuedCertificateStatus Status { get; set; } = IssuedCertificateStatus.Valid;
    public DateTimeOffset? RevokedAt { get; set; }
    public int? RevocationReason { get; set; }
    public string? IssuedBy { get; set; }
    public DateTimeOffset IssuedAt { get; set; }
}
