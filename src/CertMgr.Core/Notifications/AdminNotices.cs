using CertMgr.Data;
using CertMgr.Data.Model;

namespace CertMgr.Core.Notifications;

/// <summary>
/// Writes administrator notices: one <see cref="Notification"/> row per event, its subject and plain-text body rendered
/// from the kind's template, added to the caller's unit of work (so it commits with the change it reports). Callers
/// write one only when something changed. Templates are read once per instance (one producer pass).
/// </summary>
public sealed class AdminNotices(CertMgrDbContext db)
{
    private readonly Dictionary<string, EmailTemplate> _templates = new(StringComparer.Ordinal);

    public async Task<Notification> AddAsync(
        string kind, IReadOnlyDictionary<string, string> values, DateTimeOffset now, CancellationToken ct,
        Guid? definitionId = null, Guid? requestId = null, Guid? deploymentId = null, Guid? id = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (!_templates.TryGetValue(kind, out var template))
        {
            template = await EmailTemplates.LoadAsync(db, kind, ct);
            _templates[kind] = template;
        }

        var text = EmailTemplates.Render(template, values);
        var notification = new Notification
        {
            Kind = kind,
            Subject = text.Subject,
            Body = text.Body,
            DefinitionId = definitionId,
            RequestId = requestId,
            DeploymentId = deploymentId,
            Status = NotificationStatus.Pending,
            CreatedAt = now,
        };
        if (id is { } given)
        {
            notification.Id = given;
        }

        db.Notifications.Add(notification);
        return notification;
    }
}
