using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CertMgr.Core.Notifications;

/// <summary>Runs <see cref="EmailOutbox.DeliverDueAsync"/> every <see cref="NotificationOptions.PollInterval"/> in the server process.</summary>
public sealed partial class EmailOutboxWorker(IServiceScopeFactory scopes, NotificationOptions options, TimeProvider time, ILogger<EmailOutboxWorker> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            using var timer = new PeriodicTimer(options.PollInterval, time);
            do
            {
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    await scope.ServiceProvider.GetRequiredService<EmailOutbox>().DeliverDueAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The database may be briefly unavailable; the queued rows stay and the next tick tries again.
                    LogPassFailed(logger, e);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The server is stopping (or never started, e.g. its port was taken): nothing to report.
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Email outbox pass failed")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);
}
