using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Core.Inventory;

/// <summary>
/// Once per database: definitions imported as monitored-only before imported certificates became current have an
/// imported certificate but no current one (so "No certificate", no expiry in the counts, <c>notAfter: null</c>). This
/// makes their latest-expiring imported certificate current and refreshes their stored list state. A settings marker
/// records that it ran, so later starts read one row; an interrupted run simply runs again.
/// </summary>
public static class ImportedCurrentRepair
{
    private const string Marker = "data.imported-current-repaired";

    /// <summary>Runs the repair unless its marker exists; returns how many definitions it gave a current certificate (null: already done).</summary>
    public static async Task<int?> EnsureAsync(CertMgrDbContext db, TimeProvider time, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(time);
        if (await db.Settings.AnyAsync(s => s.Key == Marker, ct))
        {
            return null;
        }

        var ids = await db.Definitions
            .Where(d => d.CurrentCertificateId == null && d.Certificates.Any(c => c.Source == CertificateSource.Imported))
            .Select(d => d.Id).ToListAsync(ct);
        foreach (var chunk in ids.Chunk(1000))
        {
            var which = db.Definitions.Where(d => chunk.Contains(d.Id) && d.CurrentCertificateId == null);
            await which.ExecuteUpdateAsync(s => s.SetProperty(d => d.CurrentCertificateId, d => d.Certificates
                .Where(c => c.Source == CertificateSource.Imported)
                .OrderByDescending(c => c.NotAfter).ThenBy(c => c.Id)
                .Select(c => (Guid?)c.Id).FirstOrDefault()), ct);
            await DefinitionState.RefreshAsync(db.Definitions.Where(d => chunk.Contains(d.Id)), ct);
        }

        db.Settings.Add(new Setting { Key = Marker, Value = "1", UpdatedAt = time.GetUtcNow() });
        await db.SaveChangesAsync(ct);
        return ids.Count;
    }
}
