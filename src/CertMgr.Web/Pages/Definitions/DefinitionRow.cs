using CertMgr.Data.Model;

namespace CertMgr.Web.Pages.Definitions;

/// <summary>One line of the Certificate Definitions overview, projected in SQL (never a loaded entity graph).</summary>
public sealed class DefinitionRow
{
    public Guid Id { get; init; }
    public required string Name { get; init; }
    public required string CommonName { get; init; }

    /// <summary>The stored search text (for the search predicate; not shown).</summary>
    public string SearchText { get; init; } = "";
    public OperationMode OperationMode { get; init; }
    public ExecutionMode ExecutionMode { get; init; }
    public List<string> Tags { get; init; } = [];

    /// <summary>Expiry of the current certificate; null when the definition has none yet.</summary>
    public DateTimeOffset? NotAfter { get; init; }
    public int ExpiryThresholdDays { get; init; }
    public int RenewalLeadDays { get; init; }

    /// <summary>The latest acquisition that is neither completed nor cancelled: the next certificate.</summary>
    public RequestStatus? NextStatus { get; init; }
    public RequestKind? NextKind { get; init; }
    public string? NextInterruptReason { get; init; }

    /// <summary>Severity ranks of the three statuses for sorting, worst first (0); no status sorts last.</summary>
    public int NextRank { get; init; }
    public int DeployRank { get; init; }
    public int MonitorRank { get; init; }

    /// <summary>The latest deployment of the current certificate.</summary>
    public DeploymentStatus? DeployStatus { get; init; }

    public bool MonitoringEnabled { get; init; }
    public CheckStatus? MonitorStatus { get; init; }
    public string? MonitorReason { get; init; }
    public DateTimeOffset? MonitoredAt { get; init; }
}
