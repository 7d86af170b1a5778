using CertMgr.Core.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CertMgr.Core.Notifications;

/// <summary>
/// Every <see cref="NotificationOptions.PollInterval"/> in the server process: queues Pending administrator notices as
/// emails (<see cref="NotificationSender"/>), runs <see cref="EmailOutbox.DeliverDueAsync"/>, then writes the daily
/// digest when due (<see cref="DailyDigest"/>; it goes out on the next tick). A digest fault never holds up delivery.
/// </summary>
public sealed partial class EmailOutboxWorker(IServiceScopeFactory scopes, NotificationOptions options, TimeProvider time, ILogger<EmailOutboxWorker> logger)
    : BackgroundService
{
    // The database may be briefly unavailable: the queued rows stay and the next tick tries again.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        TickLoop.RunAsync(options.PollInterval, time, DeliverDueAsync, e => LogPassFailed(logger, e), stoppingToken);

    private async Task DeliverDueAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<NotificationSender>().QueuePendingAsync(ct);
        await scope.ServiceProvider.GetRequiredService<EmailOutbox>().DeliverDueAsync(ct);
        await scope.ServiceProvider.GetRequiredService<DailyDigest>().RunIfDueAsync(ct);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Email outbox pass failed")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);
}
