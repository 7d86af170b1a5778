using System.Collections.Concurrent;
using CertMgr.Core.Acme.Client;
using CertMgr.Core.Common;
using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CertMgr.Core.Unattended;

/// <summary>
/// The unattended engine (guide 2.2, 4.1 scenarios 2 and 3): a pass finds the lifecycle-managed definitions in
/// Unattended mode that need work — no certificate yet, the current one within its renewal lead time, an open or
/// interrupted process, a certificate acquired but not yet deployed — and drives each (<see cref="UnattendedProcess"/>,
/// own database scope, own lease) with bounded concurrency. The pass and each definition's outcome are recorded.
/// </summary>
public sealed partial class UnattendedEngine(
    IServiceScopeFactory scopes, UnattendedOptions options, UnattendedActivity activity, TimeProvider time, ILogger<UnattendedEngine> logger)
{
    /// <summary>The actor of every step the engine takes, in the event log.</summary>
    public const string Actor = "unattended";

    private static readonly Error InProgress = Error.Conflict("run-in-progress", "An unattended pass is already running in this process.");

    /// <summary>One pass now; the stored run with its items. <paramref name="onStarted"/> gets the run's id once it is stored.</summary>
    public async Task<Result<UnattendedRun>> RunPassAsync(RunTrigger trigger, string actor, CancellationToken ct, Action<Guid>? onStarted = null)
    {
        var progress = activity.TryBegin(trigger, actor, time.GetUtcNow());
        if (progress is null)
        {
            return InProgress;
        }

        try
        {
            return await RunAsync(trigger, progress, onStarted, ct);
        }
        finally
        {
            activity.End(progress);
        }
    }

    private async Task<UnattendedRun> RunAsync(RunTrigger trigger, UnattendedProgress progress, Action<Guid>? onStarted, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var due = await DueAsync(now, ct);
        var run = new UnattendedRun { Trigger = trigger, Node = options.Node, StartedAt = now, Total = due.Count };
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CertMgrDbContext>();
            db.UnattendedRuns.Add(run);
            await db.SaveChangesAsync(ct);
        }

        progress.Started(run.Id, due.Count);
        onStarted?.Invoke(run.Id);
        LogStarted(logger, run.Id, due.Count);
        var owner = $"{options.Node}/{run.Id}";
        var items = new ConcurrentBag<UnattendedRunItem>();
        var status = RunStatus.Completed;
        try
        {
            await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = options.Degree, CancellationToken = ct }, async (definitionId, token) =>
            {
                var item = await OneAsync(run.Id, definitionId, owner, token);
                items.Add(item);
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<CertMgrDbContext>();
                db.UnattendedRunItems.Add(item);
                await db.SaveChangesAsync(CancellationToken.None);
                progress.Finished(item.Outcome);
            });
        }
        catch (OperationCanceledException)
        {
            status = RunStatus.Cancelled;
            throw;
        }
        finally
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<CertMgrDbContext>();
            db.Attach(run);
            run.Status = status;
            run.EndedAt = time.GetUtcNow();
            run.CompletedCount = items.Count(i => i.Outcome == UnattendedOutcome.Completed);
            run.InterruptedCount = items.Count(i => i.Outcome == UnattendedOutcome.Interrupted);
            run.WaitingCount = items.Count(i => i.Outcome == UnattendedOutcome.Waiting);
            run.SkippedCount = items.Count(i => i.Outcome == UnattendedOutcome.Skipped);
            run.FailedCount = items.Count(i => i.Outcome == UnattendedOutcome.Failed);
            await db.SaveChangesAsync(CancellationToken.None);
            LogEnded(logger, run.Id, run.CompletedCount, run.InterruptedCount, run.WaitingCount, run.SkippedCount, run.FailedCount);
        }

        run.Items.AddRange(items.OrderBy(i => i.At));
        return run;
    }

    private async Task<UnattendedRunItem> OneAsync(Guid runId, Guid definitionId, string owner, CancellationToken ct)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<UnattendedProcess>().RunAsync(runId, definitionId, owner, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // One definition's fault (a database error, a lost lease) must not stop the others; the next pass retries it.
            LogDefinitionFailed(logger, definitionId, ex);
            return new UnattendedRunItem
            {
                RunId = runId, DefinitionId = definitionId, Outcome = UnattendedOutcome.Failed,
                Detail = ex.Message.Length > 2000 ? ex.Message[..2000] : ex.Message, At = time.GetUtcNow(),
            };
        }
    }

    /// <summary>The definitions a pass at <paramref name="now"/> works on, the soonest expiring first.</summary>
    public async Task<List<Guid>> DueAsync(DateTimeOffset now, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CertMgrDbContext>();
        var candidates = await db.Definitions.AsNoTracking()
            .Where(d => d.OperationMode == OperationMode.LifecycleManaged && d.ExecutionMode == ExecutionMode.Unattended)
            .Select(d => new { d.Id, d.CurrentCertificateId, d.CurrentNotAfter, d.RenewalLeadDays, d.NextStatus })
            .ToListAsync(ct);
        var pending = (await db.UnattendedStates.AsNoTracking()
            .Where(s => s.DeployCertificateId != null || s.InterruptedStep != null)
            .Select(s => s.DefinitionId).ToListAsync(ct)).ToHashSet();
        // The CA's ARI windows, where it gave any, decide renewal instead of the lead time.
        var suggested = await scope.ServiceProvider.GetRequiredService<AcmeRenewalWindows>().SuggestedStartsAsync(ct);
        return [.. candidates
            .Where(d => d.NextStatus is not null || pending.Contains(d.Id)
                || UnattendedAcquisition.NeedsCertificate(d.CurrentCertificateId, d.CurrentNotAfter, d.RenewalLeadDays, now,
                    d.CurrentCertificateId is { } current && suggested.TryGetValue(current, out var start) ? start : null))
            .OrderBy(d => d.CurrentNotAfter ?? DateTimeOffset.MinValue)
            .Select(d => d.Id)];
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Unattended pass {RunId} started: {Count} definition(s) need work")]
    private static partial void LogStarted(ILogger logger, Guid runId, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Unattended pass {RunId} ended: {Completed} completed, {Interrupted} interrupted, {Waiting} waiting, {Skipped} skipped, {Failed} failed")]
    private static partial void LogEnded(ILogger logger, Guid runId, int completed, int interrupted, int waiting, int skipped, int failed);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unattended process of definition {DefinitionId} failed")]
    private static partial void LogDefinitionFailed(ILogger logger, Guid definitionId, Exception exception);
}
