using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace CertMgr.Core.Notifications;

/// <summary>What one digest contains; <see cref="IsEmpty"/> when there is nothing to report.</summary>
public sealed record DigestContent(
    IReadOnlyList<string> Expiring, IReadOnlyList<string> Waiting, IReadOnlyList<string> Failures, IReadOnlyList<string> Discovery)
{
    public bool IsEmpty => Expiring.Count == 0 && Waiting.Count == 0 && Failures.Count == 0 && Discovery.Count == 0;
}

/// <summary>
/// The daily digest to the administrator (a <see cref="NotificationKinds.Digest"/> notice, emailed like every other):
/// certificates expiring within their warning window, processes waiting for a person, monitoring failures and
/// discovery news since the last digest. Due once the configured UTC hour is reached; the day is recorded in the
/// <c>notifications.digest.last</c> setting in the same unit of work as the notice, and the notice's id is derived from
/// the date, so it is written exactly once per day, across restarts and nodes. An empty digest is not sent unless
/// configured (the day still counts as done).
/// </summary>
public sealed partial class DailyDigest(CertMgrDbContext db, TimeProvider time, ILogger<DailyDigest> logger)
{
    internal const string LastKey = "notifications.digest.last";
    private const int MaxLines = 50;

    /// <summary>Writes today's digest when it is due; returns the notice, or null when none was written.</summary>
    public async Task<Notification?> RunIfDueAsync(CancellationToken ct)
    {
        var prefs = await NotificationPreferences.ReadAsync(db, ct);
        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        if (!prefs.DigestEnabled || now.UtcDateTime.Hour < prefs.DigestHourUtc)
        {
            return null;
        }

        var last = await db.Settings.SingleOrDefaultAsync(s => s.Key == LastKey, ct);
        var (lastDay, lastAt) = ParseLast(last?.Value);
        if (lastDay is { } day && day >= today)
        {
            return null;
        }

        var content = await ComposeAsync(lastAt ?? now.AddDays(-1), now, ct);
        if (last is null)
        {
            last = new Setting { Key = LastKey };
            db.Settings.Add(last);
        }

        last.Value = $"{today:yyyy-MM-dd}|{now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}";
        last.UpdatedAt = now;
        Notification? notice = null;
        if (!content.IsEmpty || prefs.DigestWhenEmpty)
        {
            notice = await new AdminNotices(db).AddAsync(NotificationKinds.Digest, Values(today, content), now, ct, id: IdFor(today));
        }

        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another node wrote today's digest (same id, same setting key) first: nothing more to do.
            db.ChangeTracker.Clear();
            LogTakenElsewhere(logger, today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            return null;
        }

        LogDigest(logger, today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), notice is not null);
        return notice;
    }

    /// <summary>The digest's content now, with discovery news since <paramref name="since"/>.</summary>
    public async Task<DigestContent> ComposeAsync(DateTimeOffset since, DateTimeOffset now, CancellationToken ct)
    {
        var horizon = now.AddDays(3660);
        var expiring = (await db.Definitions.AsNoTracking()
                .Where(d => d.CurrentNotAfter != null && d.CurrentNotAfter <= horizon)
                .Select(d => new { d.Name, d.CommonName, d.CurrentNotAfter, d.ExpiryThresholdDays })
                .ToListAsync(ct))
            .Where(d => d.CurrentNotAfter!.Value <= now.AddDays(d.ExpiryThresholdDays))
            .OrderBy(d => d.CurrentNotAfter)
            .Select(d => d.CurrentNotAfter!.Value <= now
                ? $"  {d.CommonName} ({d.Name})   EXPIRED {Day(d.CurrentNotAfter.Value)}"
                : $"  {d.CommonName} ({d.Name})   expires {Day(d.CurrentNotAfter.Value)}, in {(int)Math.Ceiling((d.CurrentNotAfter.Value - now).TotalDays)} days")
            .ToList();

        var waiting = new List<string>();
        var interrupted = await db.UnattendedStates.AsNoTracking().Where(s => s.InterruptedStep != null)
            .Select(s => new { s.Definition.Name, s.InterruptedStep, s.InterruptReason }).ToListAsync(ct);
        waiting.AddRange(interrupted.OrderBy(s => s.Name, StringComparer.Ordinal)
            .Select(s => $"  {s.Name}: unattended process interrupted at {s.InterruptedStep}: {s.InterruptReason}"));
        var deployments = await db.Deployments.AsNoTracking()
            .Where(x => x.Status == DeploymentStatus.InstallRequested || x.Status == DeploymentStatus.CheckFailed)
            .Select(x => new { x.Certificate.Definition.Name, x.TargetServerName, x.Status, x.UpdatedAt }).ToListAsync(ct);
        waiting.AddRange(deployments.OrderBy(x => x.UpdatedAt).Select(x => x.Status == DeploymentStatus.InstallRequested
            ? $"  {x.Name}: install requested on {x.TargetServerName} since {Day(x.UpdatedAt)}, waiting for the server administrator"
            : $"  {x.Name}: deploy check on {x.TargetServerName} failed ({Day(x.UpdatedAt)}), waiting for a fix"));

        var failures = (await db.Definitions.AsNoTracking()
                .Where(d => d.MonitoringEnabled && (d.MonitorStatus == CheckStatus.Ng || d.MonitorStatus == CheckStatus.Unreachable))
                .Select(d => new { d.Name, d.CommonName, d.MonitorStatus, d.MonitorReason, d.MonitoredAt }).ToListAsync(ct))
            .OrderBy(d => d.Name, StringComparer.Ordinal)
            .Select(d => $"  {d.CommonName} ({d.Name}): {MonitorNotices.Word(d.MonitorStatus!.Value)}{(d.MonitoredAt is { } at ? $" at {Day(at)}" : "")}: {d.MonitorReason}")
            .ToList();

        var found = await db.DiscoveryFindings.AsNoTracking()
            .Where(f => f.Kind == FindingKind.Tls && !f.Managed && f.DiscoveryScan.EndedAt != null && f.DiscoveryScan.EndedAt > since)
            .Select(f => new { f.Host, f.Port, f.Subject, f.Sha256, f.Verdict, Scan = f.DiscoveryScan.Name })
            .ToListAsync(ct);
        var discovery = found.DistinctBy(f => f.Sha256).OrderBy(f => f.Host, StringComparer.Ordinal).ThenBy(f => f.Port)
            .Select(f => $"  {f.Host}:{f.Port}  {f.Subject}  (scan \"{f.Scan}\"){(string.IsNullOrEmpty(f.Verdict) ? "" : $": {f.Verdict}")}")
            .ToList();
        return new DigestContent(expiring, waiting, failures, discovery);
    }

    internal static Dictionary<string, string> Values(DateOnly day, DigestContent c) => new(StringComparer.Ordinal)
    {
        ["date"] = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ["expiring_count"] = c.Expiring.Count.ToString(CultureInfo.InvariantCulture),
        ["expiring"] = Lines(c.Expiring),
        ["waiting_count"] = c.Waiting.Count.ToString(CultureInfo.InvariantCulture),
        ["waiting"] = Lines(c.Waiting),
        ["failures_count"] = c.Failures.Count.ToString(CultureInfo.InvariantCulture),
        ["failures"] = Lines(c.Failures),
        ["discovery_count"] = c.Discovery.Count.ToString(CultureInfo.InvariantCulture),
        ["discovery"] = Lines(c.Discovery),
    };

    /// <summary>The digest notice's id for a day: the same on every node, so a second one for the day cannot be stored.</summary>
    internal static Guid IdFor(DateOnly day)
    {
        var hash = SHA256.HashData(Encoding.ASCII.GetBytes($"certmgr-digest|{day:yyyy-MM-dd}"));
        return new Guid(hash.AsSpan(0, 16));
    }

    private static string Lines(IReadOnlyList<string> lines) =>
        lines.Count == 0 ? "  none"
        : lines.Count <= MaxLines ? string.Join('\n', lines)
        : string.Join('\n', lines.Take(MaxLines)) + $"\n  ... and {lines.Count - MaxLines} more (see the console)";

    private static (DateOnly? Day, DateTimeOffset? At) ParseLast(string? value)
    {
        var parts = value?.Split('|');
        if (parts is not { Length: 2 } || !DateOnly.TryParseExact(parts[0], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var unix))
        {
            return (null, null);
        }

        return (day, DateTimeOffset.FromUnixTimeSeconds(unix));
    }

    private static string Day(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Information, Message = "Daily digest for {Day}: {Written}")]
    private static partial void LogDigest(ILogger logger, string day, bool written);

    [LoggerMessage(Level = LogLevel.Information, Message = "Daily digest for {Day} was written by another node")]
    private static partial void LogTakenElsewhere(ILogger logger, string day);
}
