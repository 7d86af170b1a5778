using CertMgr.Core.Common;
using CertMgr.Data;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Core.PrivateCa;

/// <summary>
/// Keeps the current CA's opened signer for the life of the process, so that one issuance does not unseal the CA key
/// and parse the CA certificate again. Every use still asks the database which CA is current (one small query), so a
/// new or replaced CA, on this node or another, is picked up at once.
/// </summary>
/// <remarks>
/// Signers handed out are shared: callers must not dispose them. A replaced signer is left to the garbage collector,
/// since another request may still be signing with it.
/// </remarks>
public sealed class CaSignerCache
{
    private readonly Lock _gate = new();
    private CaSigner? _signer;
    private string? _sha256;

    public async Task<Result<CaSigner>> GetAsync(CertMgrDbContext db, PrivateCaService ca, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(ca);
        var head = await db.PrivateCas.AsNoTracking()
            .Where(c => c.IsCurrent)
            .Select(c => new { c.Id, c.Sha256, c.Status })
            .SingleOrDefaultAsync(ct);
        lock (_gate)
        {
            if (head is not null && head.Status == Data.Model.PrivateCaStatus.Active && _signer is { } cached &&
                cached.Record.Id == head.Id && _sha256 == head.Sha256)
            {
                return cached;
            }
        }

        var opened = await ca.OpenSignerAsync(ct);
        if (!opened.IsSuccess)
        {
            return opened.Error;
        }

        lock (_gate)
        {
            _signer = opened.Value;
            _sha256 = opened.Value.Record.Sha256;
        }

        return opened.Value;
    }
}
