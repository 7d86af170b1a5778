using System.Globalization;

namespace CertMgr.Web.ConsoleUi;

/// <summary>How times read in the console: ISO dates in UTC, and short relative ages.</summary>
public static class TimeText
{
    /// <summary><c>2026-03-14</c> (UTC).</summary>
    public static string Date(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary><c>2026-03-14 09:30 UTC</c>.</summary>
    public static string DateTime(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>"just now", "5 min ago", "3 h ago", "2 d ago"; a date beyond 60 days; "in the future" for clock skew.</summary>
    public static string Ago(DateTimeOffset value, DateTimeOffset now)
    {
        var age = now - value;
        if (age < TimeSpan.Zero)
        {
            return age > TimeSpan.FromMinutes(-1) ? "just now" : "in the future";
        }

        return age switch
        {
            { TotalMinutes: < 1 } => "just now",
            { TotalHours: < 1 } => $"{(int)age.TotalMinutes} min ago",
            { TotalDays: < 1 } => $"{(int)age.TotalHours} h ago",
            { TotalDays: < 60 } => $"{(int)age.TotalDays} d ago",
            _ => Date(value),
        };
    }
}
