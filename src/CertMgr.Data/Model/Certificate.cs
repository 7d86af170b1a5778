namespace CertMgr.Data.Model;

/// <summary>An issued certificate with its chain, belonging to one definition.</summary>
public sealed class Certificate
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid DefinitionId { get; set; }
    public CertificateDefinition Definition { get; set; } = null!;

    /// <summary>The acquisition that yielded it; null for imports.</summary>
    public Guid? RequestId { get; set; }
    public CertificateRequest? Request { get; set; }

    /// <summary>Its private key, when CertMgr holds it (re-deployable).</summary>
    public Guid? PrivateKeyId { get; set; }
    public PrivateKey? PrivateKey { get; set; }

    public CertificateSource Source { get; set; }
    public required byte[] Der { get; set; }
    /// <summary>Intermediates (and root when known), leaf excluded, ordered toward the root, as PEM.</summary>
    public string? ChainPem { get; set; }

    /// <summary>Upper-case hex, no separators.</summary>
    public required string Sha1 { get; set; }
    public required string Sha256 { get; set; }
    public required string Subject { get; set; }
    public required string Issuer { get; set; }
    public required string SerialNumber { get; set; }
    public string? CommonName { get; set; }
    public DateTimeOffset NotBefore { get; set; }
    public DateTimeOffset NotAfter { get; set; }
    public List<string> SubjectAlternativeNames { get; set; } = [];
    public KeyAlgorithm KeyAlgorithm { get; set; }
    public int KeySize { get; set; }

    /// <summary>What the Certificates list's search matches: subject, issuer and SANs, lower-case, one per line.</summary>
    /// <remarks>Derived on every read from the fields it joins; stored only to be searched.</remarks>
    public string SearchText
    {
        get => SearchTexts.Join([Subject, Issuer, .. SubjectAlternativeNames]);
        private set { }
    }

    public List<Deployment> Deployments { get; } = [];
    public DateTimeOffset CreatedAt { get; set; }
}
