namespace CertMgr.Data.Model;

/// <summary>One monitoring pass over every monitored endpoint.</summary>
public sealed class MonitorRun
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public RunTrigger Trigger { get; set; }
    public RunStatus Status { get; set; } = RunStatus.Running;
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public int OkCount { get; set; }
    public int NgCount { get; set; }
    public int UnreachableCount { get; set; }
    public List<MonitorResult> Results { get; } = [];
}

/// <summary>The verdict for one definition in one run.</summary>
public sealed class MonitorResult
{
    public long Id { get; set; }
    public Guid MonitorRunId { get; set; }
    public MonitorRun MonitorRun { get; set; } = null!;
    public Guid DefinitionId { get; set; }
    public CertificateDefinition Definition { get; set; } = null!;
    public CheckStatus Status { get; set; }
    /// <summary>host:port checked, with the SNI name.</summary>
    public required string Endpoint { get; set; }
    public string? ServedSha1 { get; set; }
    public string? ServedSha256 { get; set; }
    /// <summary>The failed check and why, or the network error.</summary>
    public string? Reason { get; set; }
    /// <summary>Every check as JSON <c>[{name, ok, detail}]</c>.</summary>
    public string? ChecksJson { get; set; }
    public DateTimeOffset CheckedAt { get; set; }
    public int DurationMs { get; set; }
}
