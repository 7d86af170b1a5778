namespace CertMgr.Data.Model;

/// <summary>One acquisition process (New or Renewal): key and CSR, product, order, received certificate.</summary>
public sealed class CertificateRequest
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid DefinitionId { get; set; }
    public CertificateDefinition Definition { get; set; } = null!;
    public RequestKind Kind { get; set; }
    public RequestStatus Status { get; set; } = RequestStatus.Draft;

    /// <summary>A key may serve several requests (reuse).</summary>
    public Guid? PrivateKeyId { get; set; }
    public PrivateKey? PrivateKey { get; set; }
    public byte[]? CsrDer { get; set; }

    public Guid? ProductId { get; set; }
    public Product? Product { get; set; }
    public Guid? ProviderAccountId { get; set; }
    public ProviderAccount? ProviderAccount { get; set; }
    public DateOnly? OrderDate { get; set; }
    public string? OrderNumber { get; set; }
    public string? OrderNotes { get; set; }

    /// <summary>Why the process waits for a person, when <see cref="Status"/> is Interrupted.</summary>
    public string? InterruptReason { get; set; }

    /// <summary>The certificate this request yielded, if any (at most one).</summary>
    public Certificate? Certificate { get; set; }
    public List<CaSubmission> Submissions { get; } = [];

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
}
