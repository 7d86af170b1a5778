using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.Common;
using CertMgr.Core.Inventory;
using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Core.Discovery;

/// <summary>Which findings of a scan to show or import: by verdict, text, or import state.</summary>
public sealed record FindingFilter
{
    /// <summary>all, trusted, untrusted, expired, expiring, self-signed, mismatch, weak, managed, unmanaged, problems, ok, non-tls, failed.</summary>
    public string? Verdict { get; init; }

    /// <summary>Case-insensitive text in the address, common name, subject or issuer.</summary>
    public string? Text { get; init; }

    public static readonly IReadOnlyList<string> Verdicts =
        ["all", "problems", "ok", "trusted", "untrusted", "expired", "expiring", "self-signed", "mismatch", "weak", "managed", "unmanaged", "non-tls", "failed"];

    /// <summary>The filter applied to a query of one scan's findings (certificates only unless the verdict asks for the others).</summary>
    public IQueryable<DiscoveryFinding> Apply(IQueryable<DiscoveryFinding> q)
    {
        ArgumentNullException.ThrowIfNull(q);
        q = (Verdict ?? "all") switch
        {
            "non-tls" => q.Where(f => f.Kind == FindingKind.NonTls),
            "failed" => q.Where(f => f.Kind == FindingKind.Timeout || f.Kind == FindingKind.HandshakeFailed),
            var v => q.Where(f => f.Kind == FindingKind.Tls) is var tls ? v switch
            {
                "problems" => tls.Where(f => f.Verdict != null && f.Verdict != ""),
                "ok" => tls.Where(f => f.Verdict == null || f.Verdict == ""),
                "trusted" => tls.Where(f => f.Trusted),
                "untrusted" => tls.Where(f => !f.Trusted),
                "expired" => tls.Where(f => f.Expired),
                "expiring" => tls.Where(f => f.Expiring),
                "self-signed" => tls.Where(f => f.SelfSigned),
                "mismatch" => tls.Where(f => !f.HostnameMatch),
                "weak" => tls.Where(f => f.WeakKey || f.WeakSignature),
                "managed" => tls.Where(f => f.DefinitionId != null),
                "unmanaged" => tls.Where(f => f.DefinitionId == null),
                _ => tls,
            } : q,
        };
        if (!string.IsNullOrWhiteSpace(Text))
        {
            var text = Text.Trim().ToLowerInvariant();
#pragma warning disable CA1862 // EF translates ToLower().Contains to SQL on both providers; the overload with StringComparison does not translate
            q = q.Where(f => f.Address.Contains(text) || (f.CommonName != null && f.CommonName.ToLower().Contains(text))
                || (f.Subject != null && f.Subject.ToLower().Contains(text)) || (f.Issuer != null && f.Issuer.ToLower().Contains(text)));
#pragma warning restore CA1862
        }

        return q;
    }
}

/// <summary>What an import did: definitions made, certificates already known, findings that are not certificates.</summary>
public sealed record DiscoveryImportOutcome(int Imported, int AlreadyKnown, int Skipped, IReadOnlyList<Guid> DefinitionIds);

/// <summary>
/// Brings found certificates under management (guide 4.5): one definition per distinct certificate, as
/// Monitored-Only or Lifecycle-Managed, with the server name for check (and check port) where it was found and the
/// certificate as its current certificate. A certificate the inventory already holds is not imported again; its
/// findings point at its definition.
/// </summary>
public sealed class DiscoveryImport(CertMgrDbContext db, TimeProvider time)
{
    /// <summary>The import mode as the API, the console and the CLI spell it; null when it is none of them.</summary>
    public static OperationMode? ParseMode(string? mode) => mode?.Trim().ToLowerInvariant() switch
    {
        null or "" or "monitored-only" or "monitoredonly" => OperationMode.MonitoredOnly,
        "lifecycle-managed" or "lifecyclemanaged" => OperationMode.LifecycleManaged,
        _ => null,
    };

    public const int MaxPerImport = 10_000;

    /// <summary>Imports the findings with these ids (of this scan).</summary>
    public Task<Result<DiscoveryImportOutcome>> ImportAsync(Guid scanId, IReadOnlyCollection<long> findingIds, OperationMode mode, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(findingIds);
        if (findingIds.Count == 0)
        {
            return Task.FromResult<Result<DiscoveryImportOutcome>>(new Error("nothing-selected", "Select at least one finding to import."));
        }

        var ids = findingIds.Distinct().ToList();
        return ImportAsync(scanId, q => q.Where(f => ids.Contains(f.Id)), mode, actor, ct);
    }

    /// <summary>Imports every finding of the scan that the filter matches.</summary>
    public Task<Result<DiscoveryImportOutcome>> ImportMatchingAsync(Guid scanId, FindingFilter filter, OperationMode mode, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return ImportAsync(scanId, filter.Apply, mode, actor, ct);
    }

    private async Task<Result<DiscoveryImportOutcome>> ImportAsync(
        Guid scanId, Func<IQueryable<DiscoveryFinding>, IQueryable<DiscoveryFinding>> select, OperationMode mode, string actor, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        if (!await db.DiscoveryScans.AnyAsync(s => s.Id == scanId, ct))
        {
            return Error.NotFound("scan-not-found", "No discovery scan has that id.");
        }

        var selected = await select(db.DiscoveryFindings.AsNoTracking().Where(f => f.DiscoveryScanId == scanId))
            .OrderBy(f => f.Id).Take(MaxPerImport + 1)
            .Select(f => new { f.Id, f.Kind, f.Address, f.Port, f.Sha256, f.LeafDer, f.ChainPem })
            .ToListAsync(ct);
        if (selected.Count == 0)
        {
            return new Error("nothing-selected", "No finding of this scan matches the selection.");
        }

        if (selected.Count > MaxPerImport)
        {
            return new Error("too-many", $"At most {MaxPerImport} findings per import; narrow the filter.");
        }

        var certificates = selected.Where(f => f.Kind == FindingKind.Tls && f.LeafDer is not null && f.Sha256 is not null).ToList();
        var skipped = selected.Count - certificates.Count;
        var distinct = certificates.GroupBy(f => f.Sha256!, StringComparer.Ordinal).Select(g => g.First()).ToList();
        var hashes = distinct.Select(f => f.Sha256!).ToList();
        var known = new Dictionary<string, Guid>(StringComparer.Ordinal);
        foreach (var chunk in hashes.Chunk(500))
        {
            foreach (var row in await db.Certificates.AsNoTracking().Where(c => chunk.Contains(c.Sha256)).Select(c => new { c.Sha256, c.DefinitionId }).ToListAsync(ct))
            {
                known.TryAdd(row.Sha256, row.DefinitionId);
            }
        }

        var now = time.GetUtcNow();
        var made = new List<(CertificateDefinition Definition, Certificate Certificate)>();
        foreach (var f in distinct.Where(f => !known.ContainsKey(f.Sha256!)))
        {
            using var leaf = X509CertificateLoader.LoadCertificate(f.LeafDer!);
            var chain = new X509Certificate2Collection();
            if (f.ChainPem is { } pem)
            {
                chain.ImportFromPem(pem);
            }

            var definition = InventoryRecords.NewDefinitionFrom(leaf, mode, now);
            definition.ServerNameForCheck = f.Address;
            definition.CheckPort = f.Port;
            definition.Port = f.Port;
            var certificate = InventoryRecords.NewCertificate(leaf, chain, definition.Id, CertificateSource.Imported, now);
            foreach (var c in chain)
            {
                c.Dispose();
            }

            definition.Certificates.Add(certificate);
            made.Add((definition, certificate));
            DefinitionHistory.Record(db, now, actor, definition.Id, "import",
                $"Imported from discovery as {DefinitionService.ModeText(mode)}: found on {f.Address}:{f.Port}, SHA-256 {f.Sha256}.");
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.Definitions.AddRange(made.Select(m => m.Definition));
        await db.SaveChangesAsync(ct);
        foreach (var (definition, certificate) in made)
        {
            definition.CurrentCertificateId = certificate.Id; // the definition ↔ current certificate cycle: rows first
            known[certificate.Sha256] = definition.Id;
        }

        await db.SaveChangesAsync(ct);
        foreach (var group in known.Where(k => hashes.Contains(k.Key)).GroupBy(k => k.Value))
        {
            var sha = group.Select(k => k.Key).ToList();
            await db.DiscoveryFindings.Where(f => f.DiscoveryScanId == scanId && f.Sha256 != null && sha.Contains(f.Sha256))
                .ExecuteUpdateAsync(s => s.SetProperty(f => f.DefinitionId, group.Key), ct);
        }

        await tx.CommitAsync(ct);
        db.ChangeTracker.Clear();
        return new DiscoveryImportOutcome(made.Count, distinct.Count - made.Count, skipped, [.. made.Select(m => m.Definition.Id)]);
    }
}
