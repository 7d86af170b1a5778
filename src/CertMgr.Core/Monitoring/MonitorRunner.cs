using CertMgr.Core.Common;
using CertMgr.Data.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CertMgr.Core.Monitoring;

/// <summary>
/// "Run Now" (guide 4.2.6): starts a pass in the background and answers as soon as its run row exists, so a request
/// never waits for the endpoints. One pass at a time: a second start while one runs is refused with
/// <c>run-in-progress</c>. Passes still running when the server stops are cancelled (their run ends Cancelled).
/// </summary>
public sealed partial class MonitorRunner(IServiceScopeFactory scopes, MonitorActivity activity, ILogger<MonitorRunner> logger) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lock = new();
    private Task _last = Task.CompletedTask;
    private int _disposed;

    /// <summary>The most recently started background pass (completed when none runs); tests wait on it.</summary>
    public Task LastPass
    {
        get
        {
            lock (_lock)
            {
                return _last;
            }
        }
    }

    /// <summary>Starts a manual pass; the run's id, or <c>run-in-progress</c>.</summary>
    public async Task<Result<Guid>> StartAsync(string actor, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        if (activity.Current is not null)
        {
            return Error.Conflict("run-in-progress", "A monitoring pass is already running.");
        }

        var started = new TaskCompletionSource<Result<Guid>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var pass = Task.Run(() => RunAsync(actor, started), CancellationToken.None);
        var outcome = await started.Task.WaitAsync(ct);
        if (outcome.IsSuccess)
        {
            lock (_lock)
            {
                _last = pass;
            }
        }

        return outcome;
    }

    private async Task RunAsync(string actor, TaskCompletionSource<Result<Guid>> started)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var result = await scope.ServiceProvider.GetRequiredService<MonitorService>()
                .RunAsync(RunTrigger.Manual, actor, id => started.TrySetResult(id), _stopping.Token);
            if (!result.IsSuccess)
            {
                started.TrySetResult(result.Error);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            started.TrySetCanceled();
        }
        catch (Exception ex)
        {
            // A background task has no caller to throw to: log it, and fail the start if it had not started yet.
            LogFailed(logger, ex);
            started.TrySetException(ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync();
        await LastPass.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A monitoring pass started with Run Now failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
