using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CertMgr.Core.Unattended;

/// <summary>Runs unattended passes when the schedule says so, in the server process; re-reads the schedule once a minute.</summary>
public sealed partial class UnattendedScheduler(IServiceScopeFactory scopes, TimeProvider time, ILogger<UnattendedScheduler> logger) : BackgroundService
{
    private static readonly TimeSpan Tick = TimeSpan.FromMinutes(1);

    /// <summary>When this scheduler was made: the reference for the first interval before any scheduled pass.</summary>
    public DateTimeOffset Started { get; } = time.GetUtcNow();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            using var timer = new PeriodicTimer(Tick, time);
            do
            {
                try
                {
                    await RunIfDueAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogFailed(logger, ex);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The server is stopping: nothing to report.
        }
    }

    /// <summary>One scheduler step: a pass when one is due. Returns whether it ran one.</summary>
    public async Task<bool> RunIfDueAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CertMgrDbContext>();
        var state = await UnattendedSchedules.StateAsync(db, Started, ct);
        if (state.NextRun is not { } due || due > time.GetUtcNow())
        {
            return false;
        }

        var result = await scope.ServiceProvider.GetRequiredService<UnattendedEngine>().RunPassAsync(RunTrigger.Scheduled, Audit.AuditLog.System, ct);
        return result.IsSuccess;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The scheduled unattended pass failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
