using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Core.Unattended;

/// <summary>A process waiting for a person: which definition, at which step, why, since when.</summary>
public sealed record WaitingProcess(Guid DefinitionId, string Name, string Step, string Reason, DateTimeOffset? Since);

/// <summary>One definition's outcome in a pass.</summary>
public sealed record UnattendedItemRow(Guid DefinitionId, string? Name, UnattendedOutcome Outcome, string? Step, string? Detail, int DurationMs, string? TimingsJson, DateTimeOffset At);

/// <summary>The engine as the console and the API show it.</summary>
public sealed record UnattendedStatus(
    UnattendedScheduleState Schedule, UnattendedRun? LastRun, UnattendedProgress? Running, IReadOnlyList<WaitingProcess> Waiting, int WaitingTotal);

/// <summary>Read side of the unattended engine: status, passes, their items, processes waiting for a person.</summary>
public sealed class UnattendedQueries(CertMgrDbContext db, UnattendedSchedules schedules, UnattendedActivity activity)
{
    public const int MaxWaiting = 50;

    public async Task<UnattendedStatus> StatusAsync(CancellationToken ct)
    {
        var schedule = await schedules.GetAsync(ct);
        var last = await db.UnattendedRuns.AsNoTracking().OrderByDescending(r => r.StartedAt).FirstOrDefaultAsync(ct);
        var waiting = db.UnattendedStates.AsNoTracking().Where(s => s.InterruptedStep != null);
        var total = await waiting.CountAsync(ct);
        var rows = await waiting.OrderBy(s => s.DefinitionId).Take(MaxWaiting)
            .Select(s => new WaitingProcess(s.DefinitionId, s.Definition.Name, s.InterruptedStep!, s.InterruptReason ?? "", s.InterruptedAt))
            .ToListAsync(ct);
        return new UnattendedStatus(schedule, last, activity.Current, [.. rows.OrderByDescending(r => r.Since)], total);
    }

    /// <summary>The latest passes, newest first.</summary>
    public Task<List<UnattendedRun>> RunsAsync(int take, CancellationToken ct) =>
        db.UnattendedRuns.AsNoTracking().OrderByDescending(r => r.StartedAt).Take(Math.Clamp(take, 1, 200)).ToListAsync(ct);

    public Task<UnattendedRun?> RunAsync(Guid id, CancellationToken ct) =>
        db.UnattendedRuns.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, ct);

    /// <summary>A pass's items with the definitions' names, interrupted and failed first.</summary>
    public async Task<List<UnattendedItemRow>> ItemsAsync(Guid runId, CancellationToken ct)
    {
        var rows = await db.UnattendedRunItems.AsNoTracking().Where(i => i.RunId == runId)
            .Select(i => new UnattendedItemRow(i.DefinitionId, db.Definitions.Where(d => d.Id == i.DefinitionId).Select(d => d.Name).FirstOrDefault(),
                i.Outcome, i.Step, i.Detail, i.DurationMs, i.TimingsJson, i.At))
            .ToListAsync(ct);
        return [.. rows.OrderBy(r => Rank(r.Outcome)).ThenBy(r => r.Name, StringComparer.Ordinal)];
    }

    /// <summary>The definition's unattended state, or null when the engine never touched it.</summary>
    public Task<UnattendedState?> StateAsync(Guid definitionId, CancellationToken ct) =>
        db.UnattendedStates.AsNoTracking().SingleOrDefaultAsync(s => s.DefinitionId == definitionId, ct);

    private static int Rank(UnattendedOutcome outcome) => outcome switch
    {
        UnattendedOutcome.Failed => 0,
        UnattendedOutcome.Interrupted => 1,
        UnattendedOutcome.Waiting => 2,
        UnattendedOutcome.Skipped => 3,
        _ => 4,
    };
}
