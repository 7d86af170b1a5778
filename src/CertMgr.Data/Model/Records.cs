namespace CertMgr.Data.Model;

/// <summary>Every email CertMgr sent or tried to send (guide 4.2.7).</summary>
public sealed class SentEmail
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public List<string> To { get; set; } = [];
    public List<string> Cc { get; set; } = [];
    public required string Subject { get; set; }
    public required string Body { get; set; }
    public EmailStatus Status { get; set; } = EmailStatus.Queued;
    public int Tries { get; set; }
    public string? LastError { get; set; }
    public string? RelatedType { get; set; }
    public Guid? RelatedId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? SentAt { get; set; }
    /// <summary>When the outbox worker may try (again); null once Sent or Failed.</summary>
    public DateTimeOffset? NextAttemptAt { get; set; }
    /// <summary>When the last try ended (sent or refused).</summary>
    public DateTimeOffset? LastAttemptAt { get; set; }
    /// <summary>The email's kind (an email template kind, e.g. install-request, monitor-ng, digest, test); null for older rows.</summary>
    public string? Kind { get; set; }
    /// <summary>A document (the install package) attached when the email is sent; read from the document folder at each try.</summary>
    public Guid? AttachmentDocumentId { get; set; }
}

/// <summary>One action or lifecycle event, with who did it and from where.</summary>
public sealed class AuditEvent
{
    public long Id { get; set; }
    public DateTimeOffset At { get; set; }
    /// <summary>User name, or "system" for background work.</summary>
    public required string Actor { get; set; }
    public string? Address { get; set; }
    public required string ObjectType { get; set; }
    public string? ObjectId { get; set; }
    public required string Action { get; set; }
    /// <summary>"success" or "failure".</summary>
    public required string Outcome { get; set; }
    public string? Detail { get; set; }
}

/// <summary>A file in a definition's document folder; the bytes live under <c>docs/</c>.</summary>
public sealed class Document
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid DefinitionId { get; set; }
    public CertificateDefinition Definition { get; set; } = null!;
    public required string FileName { get; set; }
    public string? ContentType { get; set; }
    public long Size { get; set; }
    public required string Sha256 { get; set; }
    /// <summary>Path relative to the data directory's <c>docs/</c>.</summary>
    public required string StoredPath { get; set; }
    public DocumentKind Kind { get; set; }
    public string? UploadedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A setting; secret values are sealed in <see cref="ProtectedValue"/> and never in <see cref="Value"/>.</summary>
public sealed class Setting
{
    public required string Key { get; set; }
    public string? Value { get; set; }
    public byte[]? ProtectedValue { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
