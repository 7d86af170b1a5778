using CertMgr.Data.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CertMgr.Core.Common;

/// <summary>
/// The one slot of a kind of pass (monitoring, unattended) in this process: one pass at a time, whatever started it,
/// and its progress for the console and the API while it runs.
/// </summary>
public abstract class PassActivity<TProgress>
    where TProgress : PassProgress
{
    private TProgress? _current;

    /// <summary>The pass in progress, or null.</summary>
    public TProgress? Current => Volatile.Read(ref _current);

    /// <summary>
    /// The progress of run <paramref name="runId"/> whose stored row says <paramref name="rowStatus"/>: only while the
    /// row says running. A pass stores its finished row a moment before it lets go of its progress, and the row is
    /// the truth, so a finished run never shows progress.
    /// </summary>
    public TProgress? ProgressOf(Guid runId, RunStatus rowStatus) =>
        rowStatus == RunStatus.Running && Current is { } current && current.RunId == runId ? current : null;

    /// <summary>Claims the slot with a new pass's progress; null when a pass already holds it.</summary>
    protected TProgress? TryBegin(TProgress progress) =>
        Interlocked.CompareExchange(ref _current, progress, null) is null ? progress : null;

    internal void End(TProgress progress) => Interlocked.CompareExchange(ref _current, null, progress);
}

/// <summary>What every pass's progress says: who started it and when, its run row once stored, and its size.</summary>
public abstract class PassProgress
{
    private readonly Lock _lock = new();
    private Guid? _runId;
    private int _total;

    protected PassProgress(RunTrigger trigger, string actor, DateTimeOffset startedAt)
    {
        Trigger = trigger;
        Actor = actor;
        StartedAt = startedAt;
    }

    public RunTrigger Trigger { get; }

    public string Actor { get; }

    public DateTimeOffset StartedAt { get; }

    /// <summary>The run's id once its row is stored; null while the pass is still choosing its work.</summary>
    public Guid? RunId
    {
        get
        {
            lock (_lock)
            {
                return _runId;
            }
        }
    }

    /// <summary>Items in the pass (0 until <see cref="RunId"/> is set).</summary>
    public int Total => Volatile.Read(ref _total);

    internal void Started(Guid runId, int total)
    {
        Volatile.Write(ref _total, total);
        lock (_lock)
        {
            _runId = runId;
        }
    }
}

/// <summary>
/// "Run Now" for a kind of pass: starts one in the background and answers as soon as its run row exists, so a request
/// never waits for the pass. One at a time: a second start while one runs is refused with <c>run-in-progress</c>.
/// Passes still running when the server stops are cancelled.
/// </summary>
public abstract partial class PassRunner(ILogger logger) : IAsyncDisposable
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

    /// <summary>What the pass is called in messages ("monitoring", "unattended").</summary>
    protected abstract string PassName { get; }

    /// <summary>Whether a pass of this kind runs in this process now.</summary>
    protected abstract bool IsRunning { get; }

    /// <summary>Runs one manual pass, calling <paramref name="started"/> with its run's id once the row exists; the error when it could not run.</summary>
    protected abstract Task<Error?> RunPassAsync(string actor, Action<Guid> started, CancellationToken ct);

    /// <summary>Starts a manual pass; the run's id, or <c>run-in-progress</c>.</summary>
    public async Task<Result<Guid>> StartAsync(string actor, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        if (IsRunning)
        {
            return Error.Conflict("run-in-progress", $"A {PassName} pass is already running.");
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
            if (await RunPassAsync(actor, id => started.TrySetResult(id), _stopping.Token) is { } error)
            {
                started.TrySetResult(error);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            started.TrySetCanceled();
        }
        catch (Exception ex)
        {
            // A background task has no caller to throw to: log it, and fail the start if it had not started yet.
            LogFailed(logger, PassName, ex);
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
        GC.SuppressFinalize(this);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A {Pass} pass started with Run Now failed")]
    private static partial void LogFailed(ILogger logger, string pass, Exception exception);
}

/// <summary>
/// Runs a kind of pass when its schedule says so, in the server process: checks once a minute, re-reading the
/// schedule each time, so a changed schedule takes effect without a restart.
/// </summary>
public abstract partial class PassScheduler(IServiceScopeFactory scopes, TimeProvider time, ILogger logger) : BackgroundService
{
    private static readonly TimeSpan Tick = TimeSpan.FromMinutes(1);

    /// <summary>When this scheduler was made: the reference for the first interval before any scheduled pass.</summary>
    public DateTimeOffset Started { get; } = time.GetUtcNow();

    /// <summary>What the pass is called in the log ("monitoring", "unattended").</summary>
    protected abstract string PassName { get; }

    /// <summary>When the next scheduled pass is due (null: never), read in <paramref name="services"/>' scope.</summary>
    protected abstract Task<DateTimeOffset?> NextRunAsync(IServiceProvider services, DateTimeOffset now, CancellationToken ct);

    /// <summary>Runs one scheduled pass in <paramref name="services"/>' scope; whether it ran.</summary>
    protected abstract Task<bool> RunScheduledAsync(IServiceProvider services, CancellationToken ct);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        TickLoop.RunAsync(Tick, time, RunIfDueAsync, ex => LogFailed(logger, PassName, ex), stoppingToken);

    /// <summary>One scheduler step: a pass when one is due. Returns whether it ran one.</summary>
    public async Task<bool> RunIfDueAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var now = time.GetUtcNow();
        if (await NextRunAsync(scope.ServiceProvider, now, ct) is not { } due || due > now)
        {
            return false;
        }

        return await RunScheduledAsync(scope.ServiceProvider, ct);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The scheduled {Pass} pass failed")]
    private static partial void LogFailed(ILogger logger, string pass, Exception exception);
}

/// <summary>
/// The loop of a background worker: do the work now and then every <c>period</c>; a failure is reported and the next
/// tick tries again; the server stopping (or never starting) ends the loop quietly.
/// </summary>
public static class TickLoop
{
    public static async Task RunAsync(TimeSpan period, TimeProvider time, Func<CancellationToken, Task> work, Action<Exception> failed, CancellationToken stoppingToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        ArgumentNullException.ThrowIfNull(failed);
        try
        {
            using var timer = new PeriodicTimer(period, time);
            do
            {
                try
                {
                    await work(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    failed(ex);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The server is stopping (or never started, e.g. its port was taken): nothing to report.
        }
    }
}
