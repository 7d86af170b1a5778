using System.Diagnostics;
using System.Text.Json;
using CertMgr.Core.Inventory;
using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Core.Unattended;

/// <summary>
/// One definition in one pass, under its lease: the acquisition stage, then the deployment stage of the certificate it
/// acquired. An interruption is recorded on the definition's <see cref="UnattendedState"/> and in its history, and
/// notified once per distinct cause; the next pass resumes it.
/// </summary>
public sealed class UnattendedProcess(
    CertMgrDbContext db, UnattendedLeases leases, UnattendedAcquisition acquisition, UnattendedDeployment deployment, TimeProvider time)
{
    public const string InterruptedAction = "unattended-interrupted";
    public const string ResumedAction = "unattended-resumed";
    public const string CompletedAction = "unattended-completed";

    /// <summary>Works on the definition if its lease can be had; the item to record for the pass.</summary>
    public async Task<UnattendedRunItem> RunAsync(Guid runId, Guid definitionId, string owner, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        UnattendedRunItem Item(UnattendedOutcome outcome, string? step, string? detail, IReadOnlyDictionary<string, long>? timings = null) => new()
        {
            RunId = runId,
            DefinitionId = definitionId,
            Outcome = outcome,
            Step = step,
            Detail = detail is { Length: > 2000 } ? detail[..2000] : detail,
            TimingsJson = timings is { Count: > 0 } ? JsonSerializer.Serialize(timings) : null,
            DurationMs = (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds,
            At = time.GetUtcNow(),
        };

        if (!await leases.TryAcquireAsync(definitionId, owner, ct))
        {
            return Item(UnattendedOutcome.Skipped, null, "another pass or node holds this definition's lease");
        }

        try
        {
            var work = new UnattendedWork(definitionId, owner, async token =>
            {
                if (!await leases.RenewAsync(definitionId, owner, token))
                {
                    throw new InvalidOperationException($"The lease on definition {definitionId} was lost; another pass took over.");
                }
            });
            var (outcome, step, detail) = await DriveAsync(definitionId, work, ct);
            return Item(outcome, step, detail, work.Timings);
        }
        finally
        {
            db.ChangeTracker.Clear();
            await leases.ReleaseAsync(definitionId, owner, CancellationToken.None);
        }
    }

    private async Task<(UnattendedOutcome Outcome, string Step, string? Detail)> DriveAsync(Guid definitionId, UnattendedWork work, CancellationToken ct)
    {
        var definition = await db.Definitions.Include(d => d.Product).ThenInclude(p => p!.CaConnection)
            .SingleOrDefaultAsync(d => d.Id == definitionId, ct);
        var state = await db.UnattendedStates.SingleAsync(s => s.DefinitionId == definitionId, ct);
        if (definition is null || definition.OperationMode != OperationMode.LifecycleManaged || definition.ExecutionMode != ExecutionMode.Unattended)
        {
            return (UnattendedOutcome.Skipped, UnattendedSteps.Start, "not a lifecycle-managed definition in unattended mode");
        }

        if (state.DeployCertificateId is null)
        {
            var acquired = await acquisition.DriveAsync(definition, state, work, ct);
            switch (acquired.Status)
            {
                case StageStatus.Interrupted:
                    await InterruptAsync(definition, state, acquired, ct);
                    return (UnattendedOutcome.Interrupted, acquired.Step, acquired.Detail);
                case StageStatus.Waiting:
                    await ProgressAsync(definition, state, ct);
                    return (UnattendedOutcome.Waiting, acquired.Step, acquired.Detail);
                case StageStatus.Done when acquired.CertificateId is { } certificateId:
                    state.DeployCertificateId = certificateId;
                    await ProgressAsync(definition, state, ct);
                    break;
                case StageStatus.Done when UnattendedSteps.IsAcquisition(state.InterruptedStep) && definition.CurrentCertificateId is { } current:
                    // A person finished the interrupted acquisition by hand; its certificate still has to be deployed.
                    state.DeployCertificateId = current;
                    break;
                default:
                    await ProgressAsync(definition, state, ct);
                    return (UnattendedOutcome.Completed, acquired.Step, acquired.Detail);
            }

            await db.Entry(definition).ReloadAsync(ct);
        }

        var deployed = await deployment.DriveAsync(definition, work, ct);
        switch (deployed.Status)
        {
            case StageStatus.Interrupted:
                await InterruptAsync(definition, state, deployed, ct);
                return (UnattendedOutcome.Interrupted, deployed.Step, deployed.Detail);
            case StageStatus.Waiting:
                await ProgressAsync(definition, state, ct);
                return (UnattendedOutcome.Waiting, deployed.Step, deployed.Detail);
            default:
                var now = time.GetUtcNow();
                state.DeployCertificateId = null;
                state.NotifiedKey = null;
                state.NextPollAt = null;
                ClearInterruption(state);
                state.UpdatedAt = now;
                DefinitionHistory.Record(db, now, UnattendedEngine.Actor, definition.Id, CompletedAction, $"unattended process completed: {deployed.Detail}");
                await db.SaveChangesAsync(ct);
                return (UnattendedOutcome.Completed, deployed.Step, deployed.Detail);
        }
    }

    // Records the interruption once per distinct cause: an unchanged one on a later pass adds no history and no notice.
    private async Task InterruptAsync(CertificateDefinition definition, UnattendedState state, StageResult result, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var reason = result.Detail ?? "The process cannot proceed.";
        var key = $"{result.Step}|{reason}";
        if (state.InterruptedStep != result.Step || state.InterruptReason != reason)
        {
            state.InterruptedStep = result.Step;
            state.InterruptReason = reason is { Length: > 2000 } ? reason[..2000] : reason;
            state.InterruptedAt = now;
            DefinitionHistory.Record(db, now, UnattendedEngine.Actor, definition.Id, InterruptedAction, $"interrupted at {result.Step}: {reason}").Outcome = "failure";
        }

        if (!string.Equals(state.NotifiedKey, key[..Math.Min(key.Length, 2100)], StringComparison.Ordinal))
        {
            await UnattendedNotifications.InterruptedAsync(db, definition, result.Step, reason, result.RequestId, result.DeploymentId, now, ct);
            state.NotifiedKey = key[..Math.Min(key.Length, 2100)];
        }

        state.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
    }

    // The process moved on: an earlier interruption is over.
    private async Task ProgressAsync(CertificateDefinition definition, UnattendedState state, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (state.InterruptedStep is not null)
        {
            DefinitionHistory.Record(db, now, UnattendedEngine.Actor, definition.Id, ResumedAction, $"resumed after the interruption at {state.InterruptedStep}");
            ClearInterruption(state);
        }

        state.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
    }

    private static void ClearInterruption(UnattendedState state)
    {
        state.InterruptedStep = null;
        state.InterruptReason = null;
        state.InterruptedAt = null;
    }
}
