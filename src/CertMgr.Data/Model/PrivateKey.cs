namespace CertMgr.Data.Model;

/// <summary>
/// An independent, reusable private key. The PKCS#8 bytes are only ever stored sealed by
/// <see cref="Secrets.SecretProtector"/>; nothing else in the model holds key material.
/// </summary>
public sealed class PrivateKey
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public string? Name { get; set; }
    public KeyAlgorithm Algorithm { get; set; }
    public int KeySize { get; set; }
    public PrivateKeySource Source { get; set; }

    /// <summary>SHA-256 of the SubjectPublicKeyInfo, upper-case hex: finds the key for a certificate.</summary>
    public required string PublicKeySha256 { get; set; }

    /// <summary>PKCS#8 sealed with the master key (purpose "private-key").</summary>
    public required byte[] EncryptedPkcs8 { get; set; }

    public List<CertificateRequest> Requests { get; } = [];
    public DateTimeOffset CreatedAt { get; set; }
}
