using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace CertMgr.Data;

/// <summary>
/// Keeps each definition's list state (<see cref="CertificateDefinition.CurrentNotAfter"/>, next request, latest
/// deployment of the current certificate, latest monitor result) in step with the rows it is derived from. The context
/// refreshes it in the same transaction as every SaveChanges that touches those rows; bulk paths that bypass
/// SaveChanges call <see cref="RefreshAsync(IQueryable{CertificateDefinition}, CancellationToken)"/> themselves. One statement, the same derivation everywhere.
/// </summary>
public static class DefinitionState
{
    /// <summary>The definitions (and current certificates) whose list state the pending changes may alter.</summary>
    public sealed class Touched
    {
        public HashSet<Guid> DefinitionIds { get; } = [];
        public HashSet<Guid> CertificateIds { get; } = [];
        public bool IsEmpty => DefinitionIds.Count == 0 && CertificateIds.Count == 0;
    }

    /// <summary>Reads the tracked changes before they are saved (afterwards deleted entries are gone).</summary>
    public static Touched Collect(ChangeTracker tracker)
    {
        ArgumentNullException.ThrowIfNull(tracker);
        var touched = new Touched();
        foreach (var entry in tracker.Entries())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified or EntityState.Deleted))
            {
                continue;
            }

            switch (entry.Entity)
            {
                case CertificateDefinition d when entry.State != EntityState.Deleted && IsStateInput(entry):
                    touched.DefinitionIds.Add(d.Id);
                    break;
                case CertificateRequest r:
                    touched.DefinitionIds.Add(r.DefinitionId);
                    break;
                case MonitorResult m:
                    touched.DefinitionIds.Add(m.DefinitionId);
                    break;
                case Certificate c when entry.State == EntityState.Deleted:
                    touched.DefinitionIds.Add(c.DefinitionId);
                    break;
                case Deployment x:
                    touched.CertificateIds.Add(x.CertificateId);
                    break;
            }
        }

        return touched;
    }

    /// <summary>Recomputes the list state of the touched definitions, then of the ones tracked in memory too.</summary>
    public static async Task RefreshAsync(CertMgrDbContext db, Touched touched, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(touched);
        if (touched.IsEmpty)
        {
            return;
        }

        var definitionIds = touched.DefinitionIds.ToList();
        var certificateIds = touched.CertificateIds.Select(id => (Guid?)id).ToList();
        var which = db.Definitions.Where(d => definitionIds.Contains(d.Id) || certificateIds.Contains(d.CurrentCertificateId));
        await RefreshAsync(which, ct);
        await SyncTrackedAsync(db, which, ct);
    }

    /// <summary>Recomputes the list state of the given definitions in one UPDATE.</summary>
    public static Task<int> RefreshAsync(IQueryable<CertificateDefinition> definitions, CancellationToken ct) =>
        definitions.ExecuteUpdateAsync(s => s
            // Through the Certificates collection, not the CurrentCertificate reference: ExecuteUpdate takes
            // correlated subqueries in its setters, but not the join a reference navigation becomes.
            .SetProperty(d => d.CurrentNotAfter, d => d.Certificates
                .Where(c => c.Id == d.CurrentCertificateId).Select(c => (DateTimeOffset?)c.NotAfter).FirstOrDefault())
            .SetProperty(d => d.NextStatus, d => d.Requests
                .Where(r => r.Status != RequestStatus.Completed && r.Status != RequestStatus.Cancelled)
                .OrderByDescending(r => r.CreatedAt).Select(r => (RequestStatus?)r.Status).FirstOrDefault())
            .SetProperty(d => d.NextKind, d => d.Requests
                .Where(r => r.Status != RequestStatus.Completed && r.Status != RequestStatus.Cancelled)
                .OrderByDescending(r => r.CreatedAt).Select(r => (RequestKind?)r.Kind).FirstOrDefault())
            .SetProperty(d => d.NextInterruptReason, d => d.Requests
                .Where(r => r.Status != RequestStatus.Completed && r.Status != RequestStatus.Cancelled)
                .OrderByDescending(r => r.CreatedAt)
                .Select(r => r.Status == RequestStatus.Interrupted ? r.InterruptReason : null).FirstOrDefault())
            .SetProperty(d => d.DeployStatus, d => d.Certificates.Where(c => c.Id == d.CurrentCertificateId).SelectMany(c => c.Deployments)
                .OrderByDescending(x => x.CreatedAt).Select(x => (DeploymentStatus?)x.Status).FirstOrDefault())
            .SetProperty(d => d.MonitorStatus, d => d.MonitorResults
                .OrderByDescending(m => m.CheckedAt).ThenByDescending(m => m.Id).Select(m => (CheckStatus?)m.Status).FirstOrDefault())
            .SetProperty(d => d.MonitorReason, d => d.MonitorResults
                .OrderByDescending(m => m.CheckedAt).ThenByDescending(m => m.Id).Select(m => m.Reason).FirstOrDefault())
            .SetProperty(d => d.MonitoredAt, d => d.MonitorResults
                .OrderByDescending(m => m.CheckedAt).ThenByDescending(m => m.Id).Select(m => (DateTimeOffset?)m.CheckedAt).FirstOrDefault()),
            ct);

    // The marker that every row's stored search text and list state has been derived (settings table).
    private const string DerivedMarker = "data.list-state-derived";

    /// <summary>
    /// Derives every row's stored search text and list state once, for rows from before they existed (the ListState
    /// migration gave them empty values); a marker row records that it is done, so later starts only read that row
    /// and an interrupted run starts over. Returns whether it ran.
    /// </summary>
    public static async Task<bool> EnsureDerivedAsync(CertMgrDbContext db, TimeProvider time, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(time);
        if (await db.Settings.AnyAsync(s => s.Key == DerivedMarker, ct))
        {
            return false;
        }

        await RewriteSearchTextAsync(db, db.Definitions, ct);
        await RewriteSearchTextAsync(db, db.Certificates, ct);
        await RefreshAsync(db.Definitions, ct);
        db.Settings.Add(new Setting { Key = DerivedMarker, Value = "1", UpdatedAt = time.GetUtcNow() });
        await db.SaveChangesAsync(ct);
        return true;
    }

    private static async Task RewriteSearchTextAsync<T>(CertMgrDbContext db, IQueryable<T> rows, CancellationToken ct)
        where T : class
    {
        var ids = await rows.Select(r => EF.Property<Guid>(r, "Id")).ToListAsync(ct);
        foreach (var chunk in ids.Chunk(1000))
        {
            foreach (var row in await rows.Where(r => chunk.Contains(EF.Property<Guid>(r, "Id"))).ToListAsync(ct))
            {
                db.Entry(row).Property("SearchText").IsModified = true; // the getter derives it; this writes it
            }

            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
        }
    }

    // Only these fields feed the state; an edit of, say, the notes needs no refresh.
    private static bool IsStateInput(EntityEntry entry) =>
        entry.State == EntityState.Added || entry.Property(nameof(CertificateDefinition.CurrentCertificateId)).IsModified;

    // Definitions tracked by this context get the new values too, as unchanged: a caller that just switched the current
    // certificate and reads the definition back sees the new expiry, and a later SaveChanges does not write them.
    private static async Task SyncTrackedAsync(CertMgrDbContext db, IQueryable<CertificateDefinition> which, CancellationToken ct)
    {
        var tracked = db.ChangeTracker.Entries<CertificateDefinition>().Where(e => e.State != EntityState.Detached).ToDictionary(e => e.Entity.Id);
        if (tracked.Count == 0)
        {
            return;
        }

        var ids = tracked.Keys.ToList();
        var states = await which.AsNoTracking().Where(d => ids.Contains(d.Id)).ToListAsync(ct);
        foreach (var state in states)
        {
            var entry = tracked[state.Id];
            Set(entry, nameof(CertificateDefinition.CurrentNotAfter), state.CurrentNotAfter);
            Set(entry, nameof(CertificateDefinition.NextStatus), state.NextStatus);
            Set(entry, nameof(CertificateDefinition.NextKind), state.NextKind);
            Set(entry, nameof(CertificateDefinition.NextInterruptReason), state.NextInterruptReason);
            Set(entry, nameof(CertificateDefinition.DeployStatus), state.DeployStatus);
            Set(entry, nameof(CertificateDefinition.MonitorStatus), state.MonitorStatus);
            Set(entry, nameof(CertificateDefinition.MonitorReason), state.MonitorReason);
            Set(entry, nameof(CertificateDefinition.MonitoredAt), state.MonitoredAt);
        }
    }

    private static void Set(EntityEntry entry, string property, object? value)
    {
        var p = entry.Property(property);
        p.CurrentValue = value;
        p.OriginalValue = value;
        p.IsModified = false;
    }
}
