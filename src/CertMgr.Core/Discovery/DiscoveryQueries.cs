using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Core.Discovery;

/// <summary>A scan as lists show it, with live counters when it runs in this process.</summary>
public sealed record ScanSummary(
    Guid Id, string Name, string Ports, ScanStatus Status, DateTimeOffset StartedAt, DateTimeOffset? EndedAt, string CreatedBy,
    int Targets, int Done, int Found, int NonTls, int Unreachable, double Rate, string? Failure, IReadOnlyList<string> SniNames, IReadOnlyList<string> Excludes);

/// <summary>One page of a scan's findings.</summary>
public sealed record FindingPage(int Total, int Skip, int Take, IReadOnlyList<DiscoveryFinding> Items);

/// <summary>Reads stored scans and findings for the console and the API (stale Running scans are marked first).</summary>
public sealed class DiscoveryQueries(CertMgrDbContext db, DiscoveryService service, DiscoveryRunner runner)
{
    public const int MaxTake = 500;

    public static readonly IReadOnlyList<string> Sorts = ["address", "port", "cn", "issuer", "expires", "trusted", "problems", "key"];

    public async Task<(int Total, IReadOnlyList<ScanSummary> Items)> ListAsync(int skip, int take, CancellationToken ct)
    {
        await service.MarkInterruptedAsync(ct);
        var total = await db.DiscoveryScans.CountAsync(ct);
        var rows = await db.DiscoveryScans.AsNoTracking().OrderByDescending(s => s.StartedAt)
            .Skip(Math.Max(0, skip)).Take(Math.Clamp(take, 1, MaxTake)).ToListAsync(ct);
        return (total, [.. rows.Select(Summary)]);
    }

    public async Task<ScanSummary?> GetAsync(Guid id, CancellationToken ct)
    {
        await service.MarkInterruptedAsync(ct);
        var row = await db.DiscoveryScans.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, ct);
        return row is null ? null : Summary(row);
    }

    /// <summary>Findings of a scan: filtered, sorted (a <see cref="Sorts"/> name, "-" first for descending), paged.</summary>
    public async Task<FindingPage> FindingsAsync(Guid scanId, FindingFilter filter, string? sort, int skip, int take, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var q = filter.Apply(db.DiscoveryFindings.AsNoTracking().Where(f => f.DiscoveryScanId == scanId));
        var total = await q.CountAsync(ct);
        var descending = sort?.StartsWith('-') == true;
        var key = sort?.TrimStart('-') ?? "address";
        q = key switch
        {
            "port" => descending ? q.OrderByDescending(f => f.Port).ThenBy(f => f.Id) : q.OrderBy(f => f.Port).ThenBy(f => f.Id),
            "cn" => descending ? q.OrderByDescending(f => f.CommonName).ThenBy(f => f.Id) : q.OrderBy(f => f.CommonName).ThenBy(f => f.Id),
            "issuer" => descending ? q.OrderByDescending(f => f.Issuer).ThenBy(f => f.Id) : q.OrderBy(f => f.Issuer).ThenBy(f => f.Id),
            "expires" => descending ? q.OrderByDescending(f => f.NotAfter).ThenBy(f => f.Id) : q.OrderBy(f => f.NotAfter).ThenBy(f => f.Id),
            "trusted" => descending ? q.OrderByDescending(f => f.Trusted).ThenBy(f => f.Id) : q.OrderBy(f => f.Trusted).ThenBy(f => f.Id),
            "problems" => descending ? q.OrderByDescending(f => f.Verdict).ThenBy(f => f.Id) : q.OrderBy(f => f.Verdict).ThenBy(f => f.Id),
            "key" => descending ? q.OrderByDescending(f => f.KeySize).ThenBy(f => f.Id) : q.OrderBy(f => f.KeySize).ThenBy(f => f.Id),
            _ => descending ? q.OrderByDescending(f => f.Id) : q.OrderBy(f => f.Id), // stored in address, port order
        };
        take = Math.Clamp(take, 1, MaxTake);
        skip = Math.Max(0, skip);
        return new FindingPage(total, skip, take, await q.Skip(skip).Take(take).ToListAsync(ct));
    }

    /// <summary>How many endpoints served each certificate in a scan, by SHA-256.</summary>
    public async Task<Dictionary<string, int>> EndpointCountsAsync(Guid scanId, IEnumerable<string> sha256, CancellationToken ct)
    {
        var list = sha256.Distinct(StringComparer.Ordinal).ToList();
        return await db.DiscoveryFindings.AsNoTracking().Where(f => f.DiscoveryScanId == scanId && f.Sha256 != null && list.Contains(f.Sha256))
            .GroupBy(f => f.Sha256!).Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Key, g => g.Count, StringComparer.Ordinal, ct);
    }

    /// <summary>A stored certificate finding in the report's shape (for the CSV and JSON exports).</summary>
    public static DiscoveredCertificate ToDiscovered(DiscoveryFinding f)
    {
        ArgumentNullException.ThrowIfNull(f);
        return new DiscoveredCertificate
        {
            Address = f.Address, Host = f.Host, Port = f.Port, Sni = f.Sni, Sha1 = f.Sha1 ?? "", Sha256 = f.Sha256 ?? "", Subject = f.Subject ?? "",
            CommonName = f.CommonName, Issuer = f.Issuer ?? "", NotAfter = f.NotAfter ?? default, KeyAlgorithm = f.KeyAlgorithm ?? "", KeySize = f.KeySize,
            SignatureAlgorithm = f.SignatureAlgorithm ?? "", ChainLength = f.ChainLength, ServedDer = f.LeafDer is null ? [] : [f.LeafDer],
            Trusted = f.Trusted, TrustDetail = f.TrustDetail ?? "", SelfSigned = f.SelfSigned, Expired = f.Expired, Expiring = f.Expiring,
            HostnameMatch = f.HostnameMatch, WeakKey = f.WeakKey, WeakSignature = f.WeakSignature, LongValidity = f.LongValidity,
            Known = f.DefinitionId is { } d ? new KnownCertificate(d, "", false, true) : null,
            Problems = string.IsNullOrEmpty(f.Verdict) ? [] : f.Verdict.Split("; "),
            DaysRemaining = 0,
        };
    }

    private ScanSummary Summary(DiscoveryScan s)
    {
        var live = s.Status == ScanStatus.Running ? runner.Running(s.Id)?.Progress : null;
        return new ScanSummary(s.Id, s.Name, s.PortsText ?? string.Join(',', s.Ports), s.Status, s.StartedAt, s.EndedAt, s.CreatedBy,
            s.TargetCount, live?.Done ?? s.EndpointsProbed, live?.Found ?? s.FoundCount, live?.NonTls ?? s.NonTlsCount,
            live is null ? s.UnreachableCount : live.Unreachable + live.Failed, live?.Rate ?? 0, s.Failure, s.SniNames, s.Excludes);
    }
}
