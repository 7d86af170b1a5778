using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using CertMgr.Core.Audit;
using CertMgr.Core.Common;
using CertMgr.Core.Probe;
using CertMgr.Core.TrustedCas;
using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace CertMgr.Core.Monitoring;

/// <summary>Settings of the monitor (certmgr.json "Monitor" section, later the Monitor Control screen).</summary>
public sealed record MonitorOptions
{
    public int Degree { get; init; } = MonitorPass.DefaultDegree;
    public ProbeOptions Probe { get; init; } = ProbeOptions.Default;
}

/// <summary>
/// One monitoring pass (guide 2.5, 4.4): every monitored-only definition and every lifecycle-managed definition whose
/// current certificate is deployed (Confirmed or Install Requested), except those with monitoring disabled, checked
/// concurrently; a <see cref="MonitorRun"/> with one <see cref="MonitorResult"/> per definition.
/// </summary>
public sealed partial class MonitorService(
    CertMgrDbContext db, TrustedCaSets trustedCaSets, MonitorOptions options, MonitorActivity activity, TimeProvider time, ILogger<MonitorService> logger)
{
    private static readonly Error InProgress = Error.Conflict("run-in-progress", "A monitoring pass is already running.");

    // Deployed, or at least handed over: "Continue without Checking" is watched too, since the guide (4.3.3) expects
    // the monitor to raise the alert the skipped check would have; only Prepared and CheckFailed are not (yet) served.
    private static readonly DeploymentStatus[] Monitored =
    [
        DeploymentStatus.Confirmed, DeploymentStatus.InstallRequested, DeploymentStatus.AutoInstalled,
        DeploymentStatus.ManuallyConfirmed, DeploymentStatus.CompletedWithoutCheck,
    ];
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Where a definition is checked: host, port, SNI name.</summary>
    public static (string Host, int Port, string Sni) EndpointOf(CertificateDefinition d, string? alternativeName = null)
    {
        ArgumentNullException.ThrowIfNull(d);
        var host = alternativeName ?? d.ServerNameForCheck ?? d.TargetServerName ?? d.CommonName;
        var sni = alternativeName ?? d.CommonName;
        if (sni.StartsWith("*.", StringComparison.Ordinal))
        {
            sni = host; // a wildcard is not a name to send; check the host it is served on
        }

        return (host, d.CheckPort ?? d.Port, sni);
    }

    public Task<Result<MonitorRun>> RunAsync(RunTrigger trigger, string actor, CancellationToken ct) =>
        RunAsync(trigger, actor, started: null, ct);

    /// <summary>
    /// Runs one pass now, unless one is already running (in this process, or recently started by another one).
    /// <paramref name="started"/> is told the run's id as soon as its row is stored, before any endpoint is checked;
    /// progress is visible in <see cref="PassActivity{TProgress}.Current"/> of <see cref="MonitorActivity"/> meanwhile.
    /// </summary>
    public async Task<Result<MonitorRun>> RunAsync(RunTrigger trigger, string actor, Action<Guid>? started, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var progress = activity.TryBegin(trigger, actor, now);
        if (progress is null)
        {
            return InProgress;
        }

        try
        {
            return await RunAsync(trigger, actor, progress, started, now, ct);
        }
        finally
        {
            activity.End(progress);
        }
    }

    private async Task<Result<MonitorRun>> RunAsync(
        RunTrigger trigger, string actor, MonitorProgress progress, Action<Guid>? started, DateTimeOffset now, CancellationToken ct)
    {
        // Another process (the CLI beside the server) may be running one: its row says so.
        if (await db.MonitorRuns.AnyAsync(r => r.Status == RunStatus.Running && r.StartedAt > now.AddHours(-1), ct))
        {
            return InProgress;
        }

        var definitions = await db.Definitions.AsNoTracking()
            .Include(d => d.CurrentCertificate).ThenInclude(c => c!.Deployments)
            .Where(d => d.MonitoringEnabled)
            .Where(d => d.OperationMode == OperationMode.MonitoredOnly ||
                (d.CurrentCertificate != null && d.CurrentCertificate.Deployments.Any(x => !x.MonitoringDisabled && Monitored.Contains(x.Status))))
            .ToListAsync(ct);

        var run = new MonitorRun { Trigger = trigger, StartedAt = now };
        db.MonitorRuns.Add(run);
        db.Record(now, actor, nameof(MonitorRun), run.Id.ToString(), "start", detail: $"{trigger}: {Plural.Of(definitions.Count, "endpoint")}");
        await db.SaveChangesAsync(ct);
        LogStarted(logger, run.Id, definitions.Count);
        progress.Started(run.Id, definitions.Count);
        started?.Invoke(run.Id);
        try
        {
            await CheckAndStoreAsync(run, definitions, actor, progress, ct);
        }
        catch (Exception ex)
        {
            // Never leave the row Running: it would refuse every pass for an hour.
            var cancelled = ex is OperationCanceledException;
            db.ChangeTracker.Clear();
            db.MonitorRuns.Attach(run);
            run.Status = cancelled ? RunStatus.Cancelled : RunStatus.Failed;
            run.EndedAt = time.GetUtcNow();
            db.Record(run.EndedAt.Value, actor, nameof(MonitorRun), run.Id.ToString(), cancelled ? "cancel" : "fail", success: false,
                detail: cancelled ? "Cancelled (the server is stopping)" : ex.GetType().Name);
            await db.SaveChangesAsync(CancellationToken.None);
            throw;
        }

        LogCompleted(logger, run.Id, run.OkCount, run.NgCount, run.UnreachableCount);
        return run;
    }

    private async Task CheckAndStoreAsync(MonitorRun run, List<CertificateDefinition> definitions, string actor, MonitorProgress progress, CancellationToken ct)
    {
        // One load per Trusted CA Set in the pass, not one per definition.
        var anchorsBySet = new Dictionary<Guid, X509Certificate2Collection?>();
        foreach (var setId in definitions.Select(d => d.TrustedCaSetId).Distinct())
        {
            var loaded = await trustedCaSets.AnchorsAsync(setId, ct);
            anchorsBySet[setId ?? Guid.Empty] = loaded.IsSuccess ? loaded.Value : null;
        }

        var targets = new List<MonitorTarget>(definitions.Count);
        foreach (var d in definitions)
        {
            var anchors = anchorsBySet[d.TrustedCaSetId ?? Guid.Empty];
            var (host, port, sni) = EndpointOf(d);
            var managed = d.OperationMode == OperationMode.LifecycleManaged && d.CurrentCertificate is not null;
            targets.Add(new MonitorTarget(d.Id.ToString(), host, port, sni, new CheckExpectations
            {
                NameToCheck = sni,
                ExpectedSha1 = managed ? d.CurrentCertificate!.Sha1 : null,
                ExpectedSha256 = managed ? d.CurrentCertificate!.Sha256 : null,
                TrustAnchors = anchors,
                CommonName = managed ? null : d.CommonName,
                Organization = managed ? null : d.Organization,
                Country = managed ? null : d.Country,
                ThresholdDays = d.ExpiryThresholdDays,
            }));
        }

        var reports = await MonitorPass.RunAsync(targets, options.Degree, options.Probe, time, ct, progress);

        var ended = time.GetUtcNow();
        var notices = new Notifications.AdminNotices(db);
        for (var i = 0; i < reports.Length; i++)
        {
            var r = reports[i];
            await Notifications.MonitorNotices.AddIfChangedAsync(notices, definitions[i], r.Status, r.Target, r.Summary, ended, CancellationToken.None);
            db.MonitorResults.Add(new MonitorResult
            {
                MonitorRunId = run.Id,
                DefinitionId = definitions[i].Id,
                Status = r.Status,
                Endpoint = r.Target,
                ServedSha1 = r.Sha1,
                ServedSha256 = r.Sha256,
                Reason = r.Status == CheckStatus.Ok ? null : Truncate(r.Summary, 1000),
                ChecksJson = JsonSerializer.Serialize(r.Checks, Json),
                CheckedAt = ended,
                DurationMs = (int)Math.Min(int.MaxValue, r.Timings.Total.TotalMilliseconds),
            });
        }

        run.OkCount = reports.Count(r => r.Status == CheckStatus.Ok);
        run.NgCount = reports.Count(r => r.Status == CheckStatus.Ng);
        run.UnreachableCount = reports.Count(r => r.Status == CheckStatus.Unreachable);
        run.Status = RunStatus.Completed;
        run.EndedAt = ended;
        db.Record(ended, actor, nameof(MonitorRun), run.Id.ToString(), "complete",
            detail: $"OK {run.OkCount}, NG {run.NgCount}, Unreachable {run.UnreachableCount}");
        await db.SaveChangesAsync(CancellationToken.None); // every endpoint is checked: keep the work even when stopping now
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : string.Concat(text.AsSpan(0, max - 3), "...");

    [LoggerMessage(Level = LogLevel.Information, Message = "Monitor run {RunId} started: {Count} endpoint(s)")]
    private static partial void LogStarted(ILogger logger, Guid runId, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Monitor run {RunId} completed: OK {Ok}, NG {Ng}, Unreachable {Unreachable}")]
    private static partial void LogCompleted(ILogger logger, Guid runId, int ok, int ng, int unreachable);
}
