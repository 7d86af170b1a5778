using System.Collections.Concurrent;
using CertMgr.Core.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CertMgr.Core.Discovery;

/// <summary>A scan running in this process: its live counters and how to stop it.</summary>
public sealed class RunningScan(Guid id, ScanProgress progress, CancellationTokenSource cancel)
{
    public Guid Id { get; } = id;
    public ScanProgress Progress { get; } = progress;
    internal CancellationTokenSource Cancel { get; } = cancel;
    public Task Completion { get; internal set; } = Task.CompletedTask;
}

/// <summary>
/// Starts scans in the background for the console and the API (like the monitor's Run Now): the request returns as
/// soon as the scan row exists. At most <see cref="MaxConcurrentScans"/> scans run at once in a process; scans still
/// running when the server stops are cancelled (they end Cancelled).
/// </summary>
public sealed partial class DiscoveryRunner(IServiceScopeFactory scopes, ILogger<DiscoveryRunner> logger) : IAsyncDisposable
{
    public const int MaxConcurrentScans = 2;
    private readonly ConcurrentDictionary<Guid, RunningScan> _running = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lock = new();

    /// <summary>The scan's live state while it runs in this process; null otherwise.</summary>
    public RunningScan? Running(Guid id) => _running.GetValueOrDefault(id);

    /// <summary>Checks the input, stores the scan and starts it; the scan's id, or why not.</summary>
    public async Task<Result<Guid>> StartAsync(DiscoveryInput input, ScanOptions scan, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(scan);
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        await using var scope = scopes.CreateAsyncScope();
        var service = scope.ServiceProvider.GetRequiredService<DiscoveryService>();
        var plan = service.Plan(input);
        if (!plan.IsSuccess)
        {
            return plan.Error;
        }

        RunningScan running;
        lock (_lock)
        {
            if (_running.Count >= MaxConcurrentScans)
            {
                return Error.Conflict("scan-limit", $"{MaxConcurrentScans} scans are already running; wait for one to finish or cancel one.");
            }

            running = new RunningScan(Guid.Empty, new ScanProgress(), CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token));
            _running[Guid.Empty] = running; // holds the slot while the row is stored
        }

        try
        {
            var row = await service.CreateAsync(input, plan.Value, scan, actor, ct);
            var started = new RunningScan(row.Id, running.Progress, running.Cancel);
            _running[row.Id] = started;
            started.Completion = Task.Run(() => RunAsync(started, plan.Value, scan), CancellationToken.None);
            return row.Id;
        }
        catch
        {
            running.Cancel.Dispose();
            throw;
        }
        finally
        {
            _running.TryRemove(Guid.Empty, out _);
        }
    }

    /// <summary>Asks a running scan to stop; false when it does not run in this process.</summary>
    public bool Cancel(Guid id)
    {
        if (_running.TryGetValue(id, out var scan))
        {
            try
            {
                scan.Cancel.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // it ended meanwhile
            }

            return true;
        }

        return false;
    }

    private async Task RunAsync(RunningScan scan, DiscoveryPlan plan, ScanOptions options)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<DiscoveryService>().RunAsync(scan.Id, plan, options, scan.Progress, scan.Cancel.Token);
        }
        catch (Exception ex)
        {
            // A background task has no caller to throw to: log it; the stale heartbeat marks the scan Interrupted.
            LogFailed(logger, scan.Id, ex);
        }
        finally
        {
            _running.TryRemove(scan.Id, out _);
            scan.Cancel.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await Task.WhenAll(_running.Values.Select(r => r.Completion)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Discovery scan {ScanId} failed")]
    private static partial void LogFailed(ILogger logger, Guid scanId, Exception exception);
}
