using CertMgr.Data;
using CertMgr.Data.Model;

namespace CertMgr.Core.Deployments;

/// <summary>One row of the Deployment Processes screen and of <c>GET /api/v1/deployments</c>.</summary>
public sealed class DeploymentRow
{
    public Guid Id { get; set; }
    public Guid DefinitionId { get; set; }
    public string DefinitionName { get; set; } = "";
    public string CommonName { get; set; } = "";
    public Guid CertificateId { get; set; }
    public DateTimeOffset NotAfter { get; set; }
    public int ThresholdDays { get; set; }
    public int RenewalLeadDays { get; set; }
    public string? TargetServerName { get; set; }
    public ServerSoftware ServerSoftware { get; set; }
    public DeploymentStatus Status { get; set; }
    public bool MonitoringDisabled { get; set; }

    /// <summary>Whether the deployed certificate is still the definition's current one.</summary>
    public bool IsCurrent { get; set; }

    /// <summary>The definition's latest periodic monitoring verdict, if any.</summary>
    public CheckStatus? MonitorStatus { get; set; }
    public DateTimeOffset? MonitorAt { get; set; }
    public string? MonitorReason { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>The deployment list as one query the database answers (projection, then the caller's filters and order).</summary>
public static class DeploymentQueries
{
    public static IQueryable<DeploymentRow> Rows(CertMgrDbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.Deployments.Select(x => new DeploymentRow
        {
            Id = x.Id,
            DefinitionId = x.Certificate.DefinitionId,
            DefinitionName = x.Certificate.Definition.Name,
            CommonName = x.Certificate.Definition.CommonName,
            CertificateId = x.CertificateId,
            NotAfter = x.Certificate.NotAfter,
            ThresholdDays = x.Certificate.Definition.ExpiryThresholdDays,
            RenewalLeadDays = x.Certificate.Definition.RenewalLeadDays,
            TargetServerName = x.TargetServerName,
            ServerSoftware = x.ServerSoftware,
            Status = x.Status,
            MonitoringDisabled = x.MonitoringDisabled,
            IsCurrent = x.Certificate.Definition.CurrentCertificateId == x.CertificateId,
            // The definition's stored latest monitor result (Data/DefinitionState), not a subquery per row.
            MonitorStatus = x.Certificate.Definition.MonitorStatus,
            MonitorAt = x.Certificate.Definition.MonitoredAt,
            MonitorReason = x.Certificate.Definition.MonitorReason,
            CreatedAt = x.CreatedAt,
            UpdatedAt = x.UpdatedAt,
        });
    }

    /// <summary>The latest monitor result of a definition (its checks as JSON), for the detail page.</summary>
    public static IQueryable<MonitorResult> LatestMonitorResult(CertMgrDbContext db, Guid definitionId)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.MonitorResults.Where(r => r.DefinitionId == definitionId).OrderByDescending(r => r.CheckedAt).Take(1);
    }
}
