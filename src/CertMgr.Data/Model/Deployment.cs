namespace CertMgr.Data.Model;

/// <summary>Deployment of one certificate to its target server, with its history.</summary>
public sealed class Deployment
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid CertificateId { get; set; }
    public Certificate Certificate { get; set; } = null!;
    public DeploymentStatus Status { get; set; } = DeploymentStatus.Prepared;
    public string? TargetServerName { get; set; }
    public ServerSoftware ServerSoftware { get; set; }
    public DeliveryMethod Delivery { get; set; } = DeliveryMethod.Download;
    public string? ServerAdminEmail { get; set; }
    /// <summary>Another name to check instead of the definition's, for this deployment.</summary>
    public string? AlternativeCheckName { get; set; }
    public bool MonitoringDisabled { get; set; }
    public List<DeploymentEvent> Events { get; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed class DeploymentEvent
{
    public long Id { get; set; }
    public Guid DeploymentId { get; set; }
    public Deployment Deployment { get; set; } = null!;
    public DateTimeOffset At { get; set; }
    public required string Action { get; set; }
    public required string Outcome { get; set; }
    public string? Detail { get; set; }
    public string? Actor { get; set; }
}
