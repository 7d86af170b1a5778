using CertMgr.Core.Audit;
using CertMgr.Core.Common;
using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Core.Monitoring;

/// <summary>The stored schedule, when it was last changed, and when the next scheduled pass is due.</summary>
public sealed record MonitorScheduleState(MonitorSchedule Schedule, DateTimeOffset? UpdatedAt, DateTimeOffset? LastScheduledRun, DateTimeOffset? NextRun);

/// <summary>
/// Reads and changes the monitor's schedule (a <see cref="Setting"/> row). The scheduler reads the row on every tick,
/// so a change applies without a restart. A change restarts the count: an interval runs one interval after the
/// change at the earliest, and a daily time that has already passed today waits for tomorrow.
/// </summary>
public sealed class MonitorSchedules(CertMgrDbContext db, MonitorScheduler scheduler, TimeProvider time)
{
    public const string ObjectType = "MonitorSchedule";

    public async Task<MonitorScheduleState> GetAsync(CancellationToken ct) =>
        await StateAsync(db, scheduler.Started, time.GetUtcNow(), ct);

    /// <summary>Validates and stores a schedule (<see cref="MonitorSchedule.Create"/> codes on bad input), audited.</summary>
    public async Task<Result<MonitorScheduleState>> SaveAsync(string? kind, int? intervalMinutes, string? dailyAtUtc, string actor, CancellationToken ct)
    {
        var parsed = MonitorSchedule.Create(kind ?? "", intervalMinutes, dailyAtUtc);
        if (!parsed.IsSuccess)
        {
            return parsed.Error;
        }

        var now = time.GetUtcNow();
        var row = await db.Settings.SingleOrDefaultAsync(s => s.Key == MonitorSchedule.SettingKey, ct);
        if (row is null)
        {
            row = new Setting { Key = MonitorSchedule.SettingKey };
            db.Settings.Add(row);
        }

        var before = MonitorSchedule.FromJson(row.Value);
        row.Value = parsed.Value.ToJson();
        row.UpdatedAt = now;
        db.Record(now, actor, ObjectType, null, "update", detail: $"{before} → {parsed.Value}");
        await db.SaveChangesAsync(ct);
        return await StateAsync(db, scheduler.Started, now, ct);
    }

    /// <summary>The schedule as stored (the default when none or an unreadable one is), and when it is next due.</summary>
    internal static async Task<MonitorScheduleState> StateAsync(CertMgrDbContext db, DateTimeOffset schedulerStarted, DateTimeOffset now, CancellationToken ct)
    {
        var setting = await db.Settings.AsNoTracking().Where(s => s.Key == MonitorSchedule.SettingKey)
            .Select(s => new { s.Value, s.UpdatedAt }).SingleOrDefaultAsync(ct);
        var schedule = MonitorSchedule.FromJson(setting?.Value);
        var last = await db.MonitorRuns.AsNoTracking().Where(r => r.Trigger == RunTrigger.Scheduled)
            .OrderByDescending(r => r.StartedAt).Select(r => (DateTimeOffset?)r.StartedAt).FirstOrDefaultAsync(ct);
        var since = Latest(last ?? schedulerStarted, setting?.UpdatedAt);
        return new MonitorScheduleState(schedule, setting?.UpdatedAt, last, schedule.NextRun(now, since));
    }

    private static DateTimeOffset Latest(DateTimeOffset a, DateTimeOffset? b) => b is { } v && v > a ? v : a;
}
