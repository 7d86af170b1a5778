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
    /// <summary>The latest CRL this CA signed (DER), served at <c>/pki/ca.crl</c>.</summary>
    public byte[]? CrlDer { get; set; }
    public DateTimeOffset? CrlThisUpdate { get; set; }
    public DateTimeOffset? CrlNextUpdate { get; set; }
    public List<IssuedCertificate> Issued { get; } = [];
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>
/// The private CA's own ledger: everything it ever signed, apart from the inventory. A row is written as
/// <see cref="IssuedCertificateStatus.Pending"/> (serial, subject, names, validity, public key hash) before the signature
/// is made, and completed with the DER afterwards; a Pending row without DER means signing was interrupted.
/// </summary>
public sealed class IssuedCertificate
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid PrivateCaId { get; set; }
    public PrivateCa PrivateCa { get; set; } = null!;
    /// <summary>Upper-case hex.</summary>
    public required string SerialNumber { get; set; }
    public IssuedCertificateProfile Profile { get; set; }
    public required string Subject { get; set; }
    /// <summary>The intended subject alternative names (DNS names and IP addresses).</summary>
    public List<string> Names { get; set; } = [];
    /// <summary>SHA-256 of the intended SubjectPublicKeyInfo, upper-case hex.</summary>
    public required string PublicKeySha256 { get; set; }
    /// <summary>The signed certificate; null while Pending.</summary>
    public byte[]? Der { get; set; }
    /// <summary>SHA-256 of the signed certificate; null while Pending.</summary>
    public string? Sha256 { get; set; }
    public DateTimeOffset NotBefore { get; set; }
    public DateTimeOffset NotAfter { get; set; }
    public IssuedCertificateStatus Status { get; set; } = IssuedCertificateStatus.Pending;
    public DateTimeOffset? RevokedAt { get; set; }
    public int? RevocationReason { get; set; }
    public string? IssuedBy { get; set; }
    public DateTimeOffset IssuedAt { get; set; }
}
