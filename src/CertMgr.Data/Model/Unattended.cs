namespace CertMgr.Data.Model;

/// <summary>
/// A message for the administrators, recorded in the outbox: an unattended process that waits for a person, and why.
/// Sending (email, webhook) picks up <see cref="NotificationStatus.Pending"/> rows later; recording never waits for it.
/// </summary>
public sealed class Notification
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    /// <summary>What happened, e.g. "unattended-interrupted".</summary>
    public required string Kind { get; set; }
    public required string Subject { get; set; }
    /// <summary>Plain text; never a key, password or token.</summary>
    public required string Body { get; set; }
    public Guid? DefinitionId { get; set; }
    public Guid? RequestId { get; set; }
    public Guid? DeploymentId { get; set; }
    public NotificationStatus Status { get; set; } = NotificationStatus.Pending;
    public int Tries { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? SentAt { get; set; }
}

public enum NotificationStatus
{
    Pending,
    Sent,
    Failed,
}

/// <summary>
/// Where the unattended process of one definition stands, and who works on it. The lease (<see cref="LeaseOwner"/>
/// until <see cref="LeaseExpiresAt"/>) is taken and renewed only with an atomic conditional UPDATE, so two passes, or
/// two nodes on one PostgreSQL database, never work on the same definition at once.
/// </summary>
public sealed class UnattendedState
{
    public Guid DefinitionId { get; set; }
    public CertificateDefinition Definition { get; set; } = null!;
    /// <summary>"node/pass" holding the lease, or null when free.</summary>
    public string? LeaseOwner { get; set; }
    public DateTimeOffset? LeaseExpiresAt { get; set; }
    /// <summary>The certificate the engine completed and still has to deploy; null when nothing is left to deploy.</summary>
    public Guid? DeployCertificateId { get; set; }
    /// <summary>The step the process waits at (e.g. product, install, check), while interrupted.</summary>
    public string? InterruptedStep { get; set; }
    public string? InterruptReason { get; set; }
    public DateTimeOffset? InterruptedAt { get; set; }
    /// <summary>The interruption the administrators were last notified of (step and reason), so an unchanged one is not repeated.</summary>
    public string? NotifiedKey { get; set; }
    /// <summary>When a pending order at the CA is next asked about.</summary>
    public DateTimeOffset? NextPollAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>One unattended pass over the definitions that need work.</summary>
public sealed class UnattendedRun
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public RunTrigger Trigger { get; set; }
    /// <summary>The node (server process) that ran it.</summary>
    public required string Node { get; set; }
    public RunStatus Status { get; set; } = RunStatus.Running;
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public int Total { get; set; }
    public int CompletedCount { get; set; }
    public int InterruptedCount { get; set; }
    public int WaitingCount { get; set; }
    public int SkippedCount { get; set; }
    public int FailedCount { get; set; }
    public List<UnattendedRunItem> Items { get; } = [];
}

/// <summary>What one pass did with one definition.</summary>
public sealed class UnattendedRunItem
{
    public long Id { get; set; }
    public Guid RunId { get; set; }
    public UnattendedRun Run { get; set; } = null!;
    public Guid DefinitionId { get; set; }
    public UnattendedOutcome Outcome { get; set; }
    /// <summary>The last step reached.</summary>
    public string? Step { get; set; }
    public string? Detail { get; set; }
    /// <summary>Milliseconds per step, as JSON <c>{step: ms}</c> (the benchmark reads it).</summary>
    public string? TimingsJson { get; set; }
    public int DurationMs { get; set; }
    public DateTimeOffset At { get; set; }
}

public enum UnattendedOutcome
{
    /// <summary>Renewed (or acquired), installed and confirmed.</summary>
    Completed,

    /// <summary>Some steps done; waiting for the CA (a pending order).</summary>
    Waiting,

    /// <summary>Stopped at a step that needs a person; the administrators were notified.</summary>
    Interrupted,

    /// <summary>Another pass or node holds the definition's lease.</summary>
    Skipped,

    /// <summary>An unexpected fault; the next pass tries again.</summary>
    Failed,
}
