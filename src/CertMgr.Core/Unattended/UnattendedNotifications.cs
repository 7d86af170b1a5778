using CertMgr.Data;
using CertMgr.Data.Model;

namespace CertMgr.Core.Unattended;

/// <summary>The administrator notifications the engine records in the outbox (sent by email and webhook later).</summary>
public static class UnattendedNotifications
{
    public const string InterruptedKind = "unattended-interrupted";

    /// <summary>Adds the notice that a definition's unattended process waits for a person, to the caller's unit of work.</summary>
    public static Notification Interrupted(
        CertMgrDbContext db, CertificateDefinition definition, string step, string reason, Guid? requestId, Guid? deploymentId, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(definition);
        var body = $"""
            The unattended process of certificate definition "{definition.Name}" ({definition.CommonName}) stopped at the {step} step and waits for a person.

            Reason: {reason}

            Fix the cause and the next unattended pass resumes the process from that step, or continue it by hand in the console (definition {definition.Id}).
            """;
        var notification = new Notification
        {
            Kind = InterruptedKind,
            Subject = Truncate($"Unattended renewal of {definition.Name} interrupted at {step}", 400),
            Body = body,
            DefinitionId = definition.Id,
            RequestId = requestId,
            DeploymentId = deploymentId,
            Status = NotificationStatus.Pending,
            CreatedAt = now,
        };
        db.Notifications.Add(notification);
        return notification;
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max];
}
