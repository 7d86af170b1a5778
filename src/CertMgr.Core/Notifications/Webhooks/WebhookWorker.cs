using CertMgr.Core.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CertMgr.Core.Notifications.Webhooks;

/// <summary>Runs <see cref="WebhookDispatcher.RunAsync"/> every <see cref="WebhookOptions.PollInterval"/> in the server process.</summary>
public sealed partial class WebhookWorker(IServiceScopeFactory scopes, WebhookOptions options, TimeProvider time, ILogger<WebhookWorker> logger)
    : BackgroundService
{
    // The database may be briefly unavailable: the rows stay and the next tick tries again.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        TickLoop.RunAsync(options.PollInterval, time, RunAsync, e => LogPassFailed(logger, e), stoppingToken);

    private async Task RunAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<WebhookDispatcher>().RunAsync(ct);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook delivery pass failed")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);
}
