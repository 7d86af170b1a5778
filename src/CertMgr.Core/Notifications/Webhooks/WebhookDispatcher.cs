using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace CertMgr.Core.Notifications.Webhooks;

/// <summary>What one pass did.</summary>
public sealed record WebhookPassResult(int Queued, int Suppressed, int Sent, int Retrying, int Failed);

/// <summary>
/// Delivers the Notification rows to the webhook channels, independently of the email side (it never reads or writes
/// Notification.Status). Fan-out: each enabled channel gets one <see cref="WebhookDelivery"/> row per notification of its
/// kinds created since the channel was switched on, committed before any POST; a notice with the same kind,
/// definition and subject as one this channel got within <see cref="WebhookOptions.DuplicateWindow"/> is Suppressed.
/// Delivery: each due row is claimed (try counted and the next attempt moved out, by a conditional UPDATE that another
/// node cannot also win) before the POST, so a crash mid-send means one more try later, never none; network errors,
/// 408, 429 and 5xx are retried after the backoff or the receiver's Retry-After, other answers and the last try fail.
/// </summary>
public sealed partial class WebhookDispatcher(CertMgrDbContext db, WebhookChannels channels, WebhookSender sender, WebhookOptions options,
    TimeProvider time, ILogger<WebhookDispatcher> logger)
{
    public async Task<WebhookPassResult> RunAsync(CancellationToken ct)
    {
        var (queued, suppressed) = await FanOutAsync(ct);
        var (sent, retrying, failed) = await DeliverDueAsync(ct);
        return new WebhookPassResult(queued, suppressed, sent, retrying, failed);
    }

    /// <summary>Records a delivery row for every new notification each enabled channel should get.</summary>
    public async Task<(int Queued, int Suppressed)> FanOutAsync(CancellationToken ct)
    {
        int queued = 0, suppressed = 0;
        foreach (var channel in await db.WebhookChannels.Where(c => c.Enabled).ToListAsync(ct))
        {
            var now = time.GetUtcNow();
            var (id, from, kinds) = (channel.Id, channel.ScannedFrom, channel.Kinds);
            var fresh = await db.Notifications.AsNoTracking()
                .Where(n => n.CreatedAt >= from && kinds.Contains(n.Kind) && !db.WebhookDeliveries.Any(d => d.ChannelId == id && d.NotificationId == n.Id))
                .OrderBy(n => n.CreatedAt).ThenBy(n => n.Id).Take(options.BatchSize).ToListAsync(ct);
            var added = new List<Notification>();
            foreach (var n in fresh)
            {
                var earlier = n.CreatedAt - options.DuplicateWindow;
                var duplicate = added.Any(a => SameNotice(a, n) && a.CreatedAt >= earlier)
                    || await db.WebhookDeliveries.AnyAsync(d => d.ChannelId == id && d.Status != WebhookDeliveryStatus.Suppressed
                        && d.Notification.Kind == n.Kind && d.Notification.DefinitionId == n.DefinitionId && d.Notification.Subject == n.Subject
                        && d.Notification.CreatedAt >= earlier && d.Notification.CreatedAt <= n.CreatedAt, ct);
                db.WebhookDeliveries.Add(new WebhookDelivery
                {
                    ChannelId = id,
                    NotificationId = n.Id,
                    Status = duplicate ? WebhookDeliveryStatus.Suppressed : WebhookDeliveryStatus.Pending,
                    NextAttemptAt = duplicate ? null : now,
                    LastError = duplicate ? $"The same notice went to this channel less than {options.DuplicateWindow.TotalMinutes:0} minutes before." : null,
                    CreatedAt = now,
                });
                if (duplicate)
                {
                    suppressed++;
                }
                else
                {
                    added.Add(n);
                    queued++;
                }
            }

            // A full batch leaves the rest for the next pass; otherwise everything up to now was seen, and the cursor
            // follows the clock at a distance, so a notification whose transaction commits late is still found.
            if (fresh.Count < options.BatchSize && now - options.ScanLag > channel.ScannedFrom)
            {
                channel.ScannedFrom = now - options.ScanLag;
            }

            await db.SaveChangesAsync(ct);
        }

        return (queued, suppressed);
    }

    /// <summary>Tries every due delivery; after a network error the rest of that channel's waits for the next pass.</summary>
    public async Task<(int Sent, int Retrying, int Failed)> DeliverDueAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var due = await db.WebhookDeliveries.AsNoTracking().Include(d => d.Channel).Include(d => d.Notification)
            .Where(d => d.Status == WebhookDeliveryStatus.Pending && d.NextAttemptAt <= now && d.Channel.Enabled)
            .OrderBy(d => d.NextAttemptAt).ThenBy(d => d.Id).Take(options.BatchSize).ToListAsync(ct);
        int sent = 0, retrying = 0, failed = 0;
        var unreachable = new HashSet<Guid>();
        foreach (var d in due)
        {
            if (unreachable.Contains(d.ChannelId))
            {
                continue;
            }

            // Claim: the try is on record before the receiver sees the POST; a crash from here on means one more try.
            var tries = d.Tries + 1;
            var claimedAt = time.GetUtcNow();
            var claimed = await db.WebhookDeliveries
                .Where(x => x.Id == d.Id && x.Status == WebhookDeliveryStatus.Pending && x.Tries == d.Tries)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.Tries, tries)
                    .SetProperty(x => x.LastAttemptAt, claimedAt)
                    .SetProperty(x => x.NextAttemptAt, claimedAt + options.BackoffAfter(tries)), ct);
            if (claimed == 0)
            {
                continue; // another node took it
            }

            var answer = await sender.PostAsync(channels.Target(d.Channel), d.Channel.Format, channels.Secret(d.Channel),
                WebhookMessage.From(d.Notification), d.Id, ct);
            var at = time.GetUtcNow();
            var error = answer.Delivered ? null : Truncate(answer.Describe());
            WebhookDeliveryStatus status;
            DateTimeOffset? next = null;
            if (answer.Delivered)
            {
                status = WebhookDeliveryStatus.Sent;
                sent++;
                LogSent(logger, d.Id, d.Channel.Name, tries, answer.Status!.Value);
            }
            else if (answer.Retryable && tries < options.MaxTries)
            {
                status = WebhookDeliveryStatus.Pending;
                next = at + (answer.RetryAfter ?? options.BackoffAfter(tries));
                retrying++;
                LogRetry(logger, d.Id, d.Channel.Name, d.Channel.UrlDisplay, tries, next.Value, error!);
            }
            else
            {
                status = WebhookDeliveryStatus.Failed;
                failed++;
                LogFailed(logger, d.Id, d.Channel.Name, d.Channel.UrlDisplay, tries, error!);
            }

            if (answer.NetworkError is not null)
            {
                unreachable.Add(d.ChannelId);
            }

            await db.WebhookDeliveries.Where(x => x.Id == d.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.Status, status)
                    .SetProperty(x => x.NextAttemptAt, next)
                    .SetProperty(x => x.LastHttpStatus, answer.Status)
                    .SetProperty(x => x.LastError, error)
                    .SetProperty(x => x.SentAt, answer.Delivered ? at : null), ct);
        }

        return (sent, retrying, failed);
    }

    private static bool SameNotice(Notification a, Notification b) =>
        a.Kind == b.Kind && a.DefinitionId == b.DefinitionId && a.Subject == b.Subject;

    private static string Truncate(string s) => s.Length <= 2000 ? s : s[..2000];

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook delivery {DeliveryId} to {Channel} sent (try {Tries}, HTTP {HttpStatus})")]
    private static partial void LogSent(ILogger logger, Guid deliveryId, string channel, int tries, int httpStatus);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook delivery {DeliveryId} to {Channel} ({Endpoint}) not sent (try {Tries}): {Reason}; next try at {NextAttempt}")]
    private static partial void LogRetry(ILogger logger, Guid deliveryId, string channel, string endpoint, int tries, DateTimeOffset nextAttempt, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook delivery {DeliveryId} to {Channel} ({Endpoint}) failed after {Tries} tries: {Reason}")]
    private static partial void LogFailed(ILogger logger, Guid deliveryId, string channel, string endpoint, int tries, string reason);
}
