using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using CertMgr.Core.Audit;
using CertMgr.Core.Common;
using CertMgr.Core.TrustedCas;
using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Core.Discovery;

/// <summary>
/// Stored discovery scans (guide 2.6): a scan row while it runs (heartbeat and counters every few seconds), the
/// findings when it ends, and the verdicts judged against the default Trusted CA Set and <see cref="CertificatePolicy"/>.
/// A Running scan whose heartbeat is older than <see cref="StaleAfter"/> belongs to a process that is gone and is
/// marked Interrupted the next time anyone looks.
/// </summary>
public sealed class DiscoveryService(CertMgrDbContext db, TrustedCaSets trustedCaSets, DiscoveryOptions options, TimeProvider time)
{
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan HeartbeatEvery = TimeSpan.FromSeconds(2);

    public DiscoveryOptions Options => options;

    public Result<DiscoveryPlan> Plan(DiscoveryInput input) => DiscoveryTargets.Parse(input, options.MaxTargets);

    /// <summary>Stores a new Running scan for a checked plan.</summary>
    public async Task<DiscoveryScan> CreateAsync(DiscoveryInput input, DiscoveryPlan plan, ScanOptions scan, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(scan);
        var now = time.GetUtcNow();
        var targets = input.Targets.SelectMany(t => t.Split([',', ' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries)).ToList();
        var row = new DiscoveryScan
        {
            Name = Truncate(string.Join(", ", targets), 255),
            Targets = targets,
            Ports = [.. plan.Ports.Take(1000)],
            PortsText = Truncate(input.Ports.Trim(), 2000),
            Excludes = [.. (input.Exclude ?? []).SelectMany(t => t.Split([',', ' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries))],
            SniNames = [.. plan.SniNames],
            OptionsJson = JsonSerializer.Serialize(new
            {
                scan.ConnectConcurrency, scan.HandshakeConcurrency,
                ConnectTimeoutMs = (int)scan.ConnectTimeout.TotalMilliseconds, HandshakeTimeoutMs = (int)scan.HandshakeTimeout.TotalMilliseconds,
            }),
            StartedAt = now,
            HeartbeatAt = now,
            CreatedBy = actor,
            TargetCount = plan.EndpointCount,
        };
        db.DiscoveryScans.Add(row);
        db.Record(now, actor, nameof(DiscoveryScan), row.Id.ToString(), "start", detail: $"{row.Name} ports {row.PortsText} ({plan.EndpointCount} endpoints)");
        await db.SaveChangesAsync(ct);
        return row;
    }

    /// <summary>
    /// Runs a stored scan to its end: scans, judges, stores the findings and the final status. Cancellation through
    /// <paramref name="ct"/> ends it Cancelled (its findings so far are not kept).
    /// </summary>
    public async Task<DiscoveryReport?> RunAsync(Guid scanId, DiscoveryPlan plan, ScanOptions scan, ScanProgress progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(progress);
        try
        {
            var anchors = await trustedCaSets.AnchorsAsync(null, ct);
            if (!anchors.IsSuccess)
            {
                await EndAsync(scanId, ScanStatus.Failed, progress, anchors.Error.Message);
                return null;
            }

            var scanning = DiscoveryScanner.ScanAsync(plan, scan, progress, ct);
            while (!scanning.IsCompleted)
            {
                await Task.WhenAny(scanning, Task.Delay(HeartbeatEvery, time, CancellationToken.None));
                if (!scanning.IsCompleted)
                {
                    await HeartbeatAsync(scanId, progress);
                }
            }

            var observations = await scanning;
            var report = await AnalyzeAsync(plan, observations, anchors.Value, progress, ct);
            await StoreAsync(scanId, report, progress);
            return report;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await EndAsync(scanId, ScanStatus.Cancelled, progress, null);
            return null;
        }
    }

    /// <summary>The verdicts for a scan's observations: trust, policy, and what the inventory already holds.</summary>
    public async Task<DiscoveryReport> AnalyzeAsync(
        DiscoveryPlan plan, IReadOnlyList<EndpointObservation> observations, X509Certificate2Collection anchors, ScanProgress progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(observations);
        var hashes = observations.Where(o => o.Kind == EndpointKind.Tls)
            .Select(o => Convert.ToHexString(SHA256.HashData(o.Probe.ServedDer[0]))).Distinct(StringComparer.Ordinal).ToList();
        var known = await KnownAsync(hashes, ct);
        using var analyzer = new FindingAnalyzer(anchors, options.Policy, time.GetUtcNow(), sha => known.GetValueOrDefault(sha));
        return DiscoveryReport.From(plan, observations, analyzer, progress);
    }

    /// <summary>The inventory's certificates among the given SHA-256 thumbprints, with their definitions.</summary>
    public async Task<Dictionary<string, KnownCertificate>> KnownAsync(IReadOnlyList<string> sha256, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sha256);
        var known = new Dictionary<string, KnownCertificate>(StringComparer.Ordinal);
        foreach (var chunk in sha256.Chunk(500))
        {
            var rows = await db.Certificates.AsNoTracking().Where(c => chunk.Contains(c.Sha256))
                .Select(c => new { c.Sha256, c.DefinitionId, c.Definition.Name, c.Definition.OperationMode, c.Definition.MonitoringEnabled })
                .ToListAsync(ct);
            foreach (var r in rows)
            {
                known.TryAdd(r.Sha256, new KnownCertificate(r.DefinitionId, r.Name, r.OperationMode == OperationMode.LifecycleManaged, r.MonitoringEnabled));
            }
        }

        return known;
    }

    /// <summary>Marks Running scans whose heartbeat is older than <see cref="StaleAfter"/> as Interrupted.</summary>
    public Task<int> MarkInterruptedAsync(CancellationToken ct) => MarkInterruptedAsync(db, time.GetUtcNow(), ct);

    /// <summary>The same, for start-up (the initializer): never "running" forever after a crash or restart.</summary>
    public static async Task<int> MarkInterruptedAsync(CertMgrDbContext db, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var stale = now - StaleAfter;
        return await db.DiscoveryScans.Where(s => s.Status == ScanStatus.Running && s.HeartbeatAt < stale)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.Status, ScanStatus.Interrupted).SetProperty(x => x.EndedAt, now), ct);
    }

    private async Task HeartbeatAsync(Guid scanId, ScanProgress progress)
    {
        var now = time.GetUtcNow();
        await db.DiscoveryScans.Where(s => s.Id == scanId && s.Status == ScanStatus.Running).ExecuteUpdateAsync(s => s
            .SetProperty(x => x.HeartbeatAt, now)
            .SetProperty(x => x.EndpointsProbed, progress.Done)
            .SetProperty(x => x.FoundCount, progress.Found)
            .SetProperty(x => x.NonTlsCount, progress.NonTls)
            .SetProperty(x => x.UnreachableCount, progress.Unreachable + progress.Failed), CancellationToken.None);
    }

    private async Task EndAsync(Guid scanId, ScanStatus status, ScanProgress progress, string? failure)
    {
        var now = time.GetUtcNow();
        await db.DiscoveryScans.Where(s => s.Id == scanId).ExecuteUpdateAsync(s => s
            .SetProperty(x => x.Status, status)
            .SetProperty(x => x.EndedAt, now)
            .SetProperty(x => x.HeartbeatAt, now)
            .SetProperty(x => x.Failure, failure)
            .SetProperty(x => x.EndpointsProbed, progress.Done)
            .SetProperty(x => x.FoundCount, progress.Found)
            .SetProperty(x => x.NonTlsCount, progress.NonTls)
            .SetProperty(x => x.UnreachableCount, progress.Unreachable + progress.Failed), CancellationToken.None);
    }

    private async Task StoreAsync(Guid scanId, DiscoveryReport report, ScanProgress progress)
    {
        // The scan's outcome is stored even when the caller stops waiting: it is already paid for.
        var rows = report.Found.Select(f => ToRow(scanId, f))
            .Concat(report.Others.Select(o => new DiscoveryFinding
            {
                DiscoveryScanId = scanId,
                Kind = o.Kind switch { EndpointKind.NonTls => FindingKind.NonTls, EndpointKind.Timeout => FindingKind.Timeout, _ => FindingKind.HandshakeFailed },
                Address = Truncate(o.Address, 64),
                Host = Truncate(o.Host, 255),
                Port = o.Port,
                Error = o.Reason,
            }));
        await using var tx = await db.Database.BeginTransactionAsync(CancellationToken.None);
        foreach (var chunk in rows.Chunk(500))
        {
            db.DiscoveryFindings.AddRange(chunk);
            await db.SaveChangesAsync(CancellationToken.None);
            db.ChangeTracker.Clear();
        }

        var now = time.GetUtcNow();
        await db.DiscoveryScans.Where(s => s.Id == scanId).ExecuteUpdateAsync(s => s
            .SetProperty(x => x.Status, ScanStatus.Completed)
            .SetProperty(x => x.EndedAt, now)
            .SetProperty(x => x.HeartbeatAt, now)
            .SetProperty(x => x.EndpointsProbed, progress.Done)
            .SetProperty(x => x.FoundCount, report.Found.Count)
            .SetProperty(x => x.NonTlsCount, report.NonTls)
            .SetProperty(x => x.UnreachableCount, report.Unreachable), CancellationToken.None);
        await tx.CommitAsync(CancellationToken.None);
    }

    private static DiscoveryFinding ToRow(Guid scanId, DiscoveredCertificate f)
    {
        var chain = new StringBuilder();
        foreach (var der in f.ServedDer.Skip(1))
        {
            chain.Append(PemEncoding.WriteString("CERTIFICATE", der)).Append('\n');
        }

        return new DiscoveryFinding
        {
            DiscoveryScanId = scanId,
            Kind = FindingKind.Tls,
            Address = Truncate(f.Address, 64),
            Host = Truncate(f.Host, 255),
            Port = f.Port,
            Sni = f.Sni,
            LeafDer = f.ServedDer[0],
            ChainPem = chain.Length == 0 ? null : chain.ToString(),
            Sha1 = f.Sha1,
            Sha256 = f.Sha256,
            Subject = f.Subject,
            CommonName = f.CommonName,
            Issuer = f.Issuer,
            NotAfter = f.NotAfter,
            KeyAlgorithm = Truncate(f.KeyAlgorithm, 64),
            KeySize = f.KeySize,
            SignatureAlgorithm = Truncate(f.SignatureAlgorithm, 64),
            ChainLength = f.ChainLength,
            Trusted = f.Trusted,
            TrustDetail = f.TrustDetail,
            SelfSigned = f.SelfSigned,
            Expired = f.Expired,
            Expiring = f.Expiring,
            HostnameMatch = f.HostnameMatch,
            WeakKey = f.WeakKey,
            WeakSignature = f.WeakSignature,
            LongValidity = f.LongValidity,
            Managed = f.Managed,
            Verdict = string.Join("; ", f.Problems),
            DefinitionId = f.Known?.DefinitionId,
        };
    }

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];
}
