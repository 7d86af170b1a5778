using CertMgr.Core.Common;
using CertMgr.Data.Model;
using Microsoft.Extensions.Logging;

namespace CertMgr.Core.Unattended;

/// <summary>"Run now": starts a pass in the background and answers once its run row exists. One pass at a time per process.</summary>
public sealed partial class UnattendedRunner(UnattendedEngine engine, UnattendedActivity activity, ILogger<UnattendedRunner> logger) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lock = new();
    private Task _last = Task.CompletedTask;
    private int _disposed;

    /// <summary>The most recently started background pass; tests wait on it.</summary>
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
            return Error.Conflict("run-in-progress", "An unattended pass is already running.");
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
            var result = await engine.RunPassAsync(RunTrigger.Manual, actor, _stopping.Token, id => started.TrySetResult(id));
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

    [LoggerMessage(Level = LogLevel.Error, Message = "An unattended pass started with Run now failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
