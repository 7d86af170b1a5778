using System.Globalization;
using System.Text.Json;
using CertMgr.Core.Common;

namespace CertMgr.Core.Monitoring;

/// <summary>
/// When the monitor runs by itself (guide 4.4): every N minutes, or once a day at a time of day (UTC), or never.
/// Stored as JSON in the settings table under <see cref="SettingKey"/>.
/// </summary>
public sealed record MonitorSchedule(MonitorScheduleKind Kind, int IntervalMinutes, TimeOnly DailyAtUtc)
{
    public const string SettingKey = "monitor.schedule";

    /// <summary>The default: daily at 06:00 UTC, before most people start work.</summary>
    public static readonly MonitorSchedule Default = new(MonitorScheduleKind.Daily, 1440, new TimeOnly(6, 0));

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// When the next pass is due, given when the last scheduled pass started (or, before the first one, when the
    /// scheduler started); null when the schedule is off.
    /// </summary>
    public DateTimeOffset? NextRun(DateTimeOffset now, DateTimeOffset since)
    {
        switch (Kind)
        {
            case MonitorScheduleKind.Interval:
                return since.AddMinutes(IntervalMinutes);
            case MonitorScheduleKind.Daily:
                var today = new DateTimeOffset(DateOnly.FromDateTime(now.UtcDateTime).ToDateTime(DailyAtUtc), TimeSpan.Zero);
                var due = today <= now ? today : today.AddDays(-1); // the most recent due time
                return since < due ? due : due.AddDays(1);
            default:
                return null;
        }
    }

    public static Result<MonitorSchedule> Create(string kind, int? intervalMinutes, string? dailyAt)
    {
        switch (kind?.Trim().ToUpperInvariant())
        {
            case "INTERVAL":
                return intervalMinutes is >= 5 and <= 10080
                    ? new MonitorSchedule(MonitorScheduleKind.Interval, intervalMinutes.Value, Default.DailyAtUtc)
                    : new Error("interval-invalid", "The interval must be between 5 minutes and 7 days (10080 minutes).");
            case "DAILY":
                return TimeOnly.TryParseExact(dailyAt ?? "", "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
                    ? new MonitorSchedule(MonitorScheduleKind.Daily, 1440, at)
                    : new Error("time-invalid", "The daily time must be HH:mm (24-hour, UTC), e.g. 06:00.");
            case "OFF":
                return Default with { Kind = MonitorScheduleKind.Off };
            default:
                return new Error("schedule-invalid", "The schedule is 'interval', 'daily' or 'off'.");
        }
    }

    public string ToJson() => JsonSerializer.Serialize(new { kind = Kind.ToString(), intervalMinutes = IntervalMinutes, dailyAtUtc = DailyAtUtc.ToString("HH:mm", CultureInfo.InvariantCulture) }, Json);

    public static MonitorSchedule FromJson(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return Default;
        }

        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            var kind = root.TryGetProperty("kind", out var k) ? k.GetString() ?? "" : "";
            int? interval = root.TryGetProperty("intervalMinutes", out var i) && i.TryGetInt32(out var n) ? n : null;
            var at = root.TryGetProperty("dailyAtUtc", out var a) ? a.GetString() : null;
            var parsed = Create(kind, interval, at);
            return parsed.IsSuccess ? parsed.Value : Default;
        }
        catch (JsonException)
        {
            return Default;
        }
    }

    public override string ToString() => Kind switch
    {
        MonitorScheduleKind.Interval => $"every {IntervalMinutes} minutes",
        MonitorScheduleKind.Daily => $"daily at {DailyAtUtc:HH\\:mm} UTC",
        _ => "off",
    };
}

public enum MonitorScheduleKind
{
    Off,
    Interval,
    Daily,
}
