using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace CertMgr.Core.Notifications;

/// <summary>
/// Turns Pending <see cref="Notification"/> rows into emails to the administrator (Settings: administrator email)
/// through the outbox, so the outbox's retries and backoff apply. Each row is claimed with a conditional UPDATE
/// (Pending → Sent) in the same transaction that queues its email: a notice is emailed once, even with two nodes on
/// one database, and never lost (while no administrator email is set, rows stay Pending).
/// </summary>
public sealed partial class NotificationSender(CertMgrDbContext db, NotificationSettings settings, TimeProvider time, ILogger<NotificationSender> logger)
{
    public const string RelatedType = nameof(Notification);
    private const int BatchSize = 100;

    /// <summary>Queues an email for every Pending notice (up to a batch); returns how many were queued.</summary>
    public async Task<int> QueuePendingAsync(CancellationToken ct)
    {
        var admin = (await settings.GetAsync(ct)).AdminEmail;
        if (admin is null)
        {
            return 0;
        }

        var pending = await db.Notifications.AsNoTracking().Where(n => n.Status == NotificationStatus.Pending)
            .OrderBy(n => n.CreatedAt).ThenBy(n => n.Id).Take(BatchSize).ToListAsync(ct);
        var queued = 0;
        foreach (var n in pending)
        {
            var now = time.GetUtcNow();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var claimed = await db.Notifications.Where(x => x.Id == n.Id && x.Status == NotificationStatus.Pending)
                .ExecuteUpdateAsync(u => u.SetProperty(x => x.Status, NotificationStatus.Sent).SetProperty(x => x.Tries, x => x.Tries + 1)
                    .SetProperty(x => x.SentAt, now).SetProperty(x => x.LastError, (string?)null), ct);
            if (claimed == 0)
            {
                continue; // another node took it
            }

            var email = EmailOutbox.Queue(db, new OutgoingEmail([admin], [], n.Subject, n.Body), RelatedType, n.Id, now);
            email.Kind = n.Kind;
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            queued++;
            LogQueued(logger, n.Id, n.Kind);
        }

        return queued;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Notification {NotificationId} ({Kind}) queued as an email to the administrator")]
    private static partial void LogQueued(ILogger logger, Guid notificationId, string kind);
}
