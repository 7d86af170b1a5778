using CertMgr.Core.Notifications;
using CertMgr.Data;
using CertMgr.Data.Model;

namespace CertMgr.Core.Unattended;

/// <summary>The administrator notifications the engine records in the outbox (sent by email and webhook later).</summary>
public static class UnattendedNotifications
{
    public const string InterruptedKind = NotificationKinds.UnattendedInterrupted;

    /// <summary>Adds the notice that a definition's unattended process waits for a person, to the caller's unit of work (text from its template).</summary>
    public static Task<Notification> InterruptedAsync(
        CertMgrDbContext db, CertificateDefinition definition, string step, string reason, Guid? requestId, Guid? deploymentId, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(definition);
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["definition_name"] = definition.Name,
            ["common_name"] = definition.CommonName,
            ["step"] = step,
            ["reason"] = reason,
            ["definition_id"] = definition.Id.ToString(),
        };
        return new AdminNotices(db).AddAsync(InterruptedKind, values, now, ct, definitionId: definition.Id, requestId: requestId, deploymentId: deploymentId);
    }
}
