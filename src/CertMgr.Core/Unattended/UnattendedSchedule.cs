using System.Globalization;
using CertMgr.Core.Audit;
using CertMgr.Core.Common;
using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Core.Unattended;

/// <summary>
/// How often the unattended engine runs: an interval (setting <see cref="SettingKey"/>, e.g. "60m", "2h", "90"
/// minutes) or "off". Default one hour.
/// </summary>
public sealed record UnattendedSchedule(TimeSpan? Interval)
{
    public const string SettingKey = "unattended.interval";
    public static readonly UnattendedSchedule Default = new(TimeSpan.FromHours(1));
    public static readonly TimeSpan Minimum = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan Maximum = TimeSpan.FromDays(7);

    public bool IsOff => Interval is null;

    /// <summary>Reads "off", "N" (minutes), "Nm" or "Nh"; a clear error otherwise.</summary>
    public static Result<UnattendedSchedule> Parse(string? text)
    {
        var value = text?.Trim().ToLowerInvariant();
        if (value is "off" or "disabled" or "none")
        {
            return new UnattendedSchedule((TimeSpan?)null);
        }

        var error = new Error("interval-invalid", $"The unattended interval must be \"off\", or minutes (\"90\", \"90m\") or hours (\"2h\") between {Minimum.TotalMinutes:0} minute and {Maximum.TotalDays:0} days.");
        if (string.IsNullOrEmpty(value) || value.Length > 12)
        {
            return error;
        }

        var unit = value[^1] switch { 'h' => 60, 'm' => 1, _ => 0 };
        var digits = unit == 0 ? value : value[..^1];
        if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            return error;
        }

        var interval = TimeSpan.FromMinutes((long)n * (unit == 0 ? 1 : unit));
        return interval < Minimum || interval > Maximum ? error : new UnattendedSchedule(interval);
    }

    /// <summary>The stored form: "off" or whole minutes with "m".</summary>
    public override string ToString() => Interval is { } i ? $"{(long)i.TotalMinutes}m" : "off";

    /// <summary>When the next pass is due, counted from <paramref name="since"/>; null when off.</summary>
    public DateTimeOffset? NextRun(DateTimeOffset since) => Interval is { } i ? since + i : null;
}

/// <summary>The stored schedule, the last scheduled pass and when the next one is due.</summary>
public sealed record UnattendedScheduleState(UnattendedSchedule Schedule, DateTimeOffset? LastScheduledRun, DateTimeOffset? NextRun);

/// <summary>Reads and changes the unattended schedule (a <see cref="Setting"/> row the scheduler re-reads every tick).</summary>
public sealed class UnattendedSchedules(CertMgrDbContext db, UnattendedScheduler scheduler, TimeProvider time)
{
    public const string ObjectType = "UnattendedSchedule";

    public Task<UnattendedScheduleState> GetAsync(CancellationToken ct) => StateAsync(db, scheduler.Started, ct);

    /// <summary>Validates and stores an interval, audited.</summary>
    public async Task<Result<UnattendedScheduleState>> SaveAsync(string? interval, string actor, CancellationToken ct)
    {
        var parsed = UnattendedSchedule.Parse(interval);
        if (!parsed.IsSuccess)
        {
            return parsed.Error;
        }

        var now = time.GetUtcNow();
        var row = await db.Settings.SingleOrDefaultAsync(s => s.Key == UnattendedSchedule.SettingKey, ct);
        if (row is null)
        {
            row = new Setting { Key = UnattendedSchedule.SettingKey };
            db.Settings.Add(row);
        }

        var before = Read(row.Value);
        row.Value = parsed.Value.ToString();
        row.UpdatedAt = now;
        db.Record(now, actor, ObjectType, null, "update", detail: $"{before} → {parsed.Value}");
        await db.SaveChangesAsync(ct);
        return await StateAsync(db, scheduler.Started, ct);
    }

    internal static async Task<UnattendedScheduleState> StateAsync(CertMgrDbContext db, DateTimeOffset schedulerStarted, CancellationToken ct)
    {
        var setting = await db.Settings.AsNoTracking().Where(s => s.Key == UnattendedSchedule.SettingKey)
            .Select(s => new { s.Value, s.UpdatedAt }).SingleOrDefaultAsync(ct);
        var schedule = Read(setting?.Value);
        var last = await db.UnattendedRuns.AsNoTracking().Where(r => r.Trigger == RunTrigger.Scheduled)
            .OrderByDescending(r => r.StartedAt).Select(r => (DateTimeOffset?)r.StartedAt).FirstOrDefaultAsync(ct);
        var since = last ?? schedulerStarted;
        if (setting?.UpdatedAt is { } changed && changed > since)
        {
            since = changed;
        }

        return new UnattendedScheduleState(schedule, last, schedule.NextRun(since));
    }

    private static UnattendedSchedule Read(string? value) =>
        value is null ? UnattendedSchedule.Default : UnattendedSchedule.Parse(value) is { IsSuccess: true } ok ? ok.Value : UnattendedSchedule.Default;
}
