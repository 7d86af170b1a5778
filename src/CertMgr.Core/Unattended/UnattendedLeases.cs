using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Core.Unattended;

/// <summary>
/// Per-definition leases on <see cref="UnattendedState"/> rows. Taking, renewing and releasing are single conditional
/// UPDATE statements, atomic on SQLite and PostgreSQL alike: a lease is taken only when free, expired, or already the
/// owner's, so of two passes (or nodes) racing for one definition exactly one gets it.
/// </summary>
public sealed class UnattendedLeases(CertMgrDbContext db, UnattendedOptions options, TimeProvider time)
{
    /// <summary>Takes the definition's lease for <paramref name="owner"/>; false when someone else holds it.</summary>
    public async Task<bool> TryAcquireAsync(Guid definitionId, string owner, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        await EnsureRowAsync(definitionId, ct);
        var now = time.GetUtcNow();
        DateTimeOffset? until = now + options.LeaseDuration;
        var taken = await db.UnattendedStates
            .Where(s => s.DefinitionId == definitionId && (s.LeaseOwner == null || s.LeaseExpiresAt < now || s.LeaseOwner == owner))
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.LeaseOwner, owner).SetProperty(s => s.LeaseExpiresAt, until), ct);
        if (taken == 1)
        {
            return true;
        }

        // A process of this machine that died (kill -9, power cut) cannot renew or release its leases; its definitions
        // need not wait for the expiry: take the lease over from exactly that owner.
        var holder = await db.UnattendedStates.AsNoTracking().Where(s => s.DefinitionId == definitionId).Select(s => s.LeaseOwner).SingleAsync(ct);
        if (holder is null || !UnattendedOptions.IsDeadLocalOwner(holder))
        {
            return false;
        }

        return await db.UnattendedStates.Where(s => s.DefinitionId == definitionId && s.LeaseOwner == holder)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.LeaseOwner, owner).SetProperty(s => s.LeaseExpiresAt, until), ct) == 1;
    }

    /// <summary>Extends the owner's lease; false when it was lost (expired and taken by another).</summary>
    public async Task<bool> RenewAsync(Guid definitionId, string owner, CancellationToken ct)
    {
        DateTimeOffset? until = time.GetUtcNow() + options.LeaseDuration;
        return await db.UnattendedStates.Where(s => s.DefinitionId == definitionId && s.LeaseOwner == owner)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.LeaseExpiresAt, until), ct) == 1;
    }

    /// <summary>Gives the lease up, if the owner still holds it.</summary>
    public Task<int> ReleaseAsync(Guid definitionId, string owner, CancellationToken ct) =>
        db.UnattendedStates.Where(s => s.DefinitionId == definitionId && s.LeaseOwner == owner)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.LeaseOwner, (string?)null).SetProperty(s => s.LeaseExpiresAt, (DateTimeOffset?)null), ct);

    // The row a lease lives on. Two nodes may insert it at once; the loser's insert fails on the primary key, and the
    // row is there either way.
    private async Task EnsureRowAsync(Guid definitionId, CancellationToken ct)
    {
        if (await db.UnattendedStates.AnyAsync(s => s.DefinitionId == definitionId, ct))
        {
            return;
        }

        var row = new UnattendedState { DefinitionId = definitionId, UpdatedAt = time.GetUtcNow() };
        db.UnattendedStates.Add(row);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            if (!await db.UnattendedStates.AsNoTracking().AnyAsync(s => s.DefinitionId == definitionId, ct))
            {
                throw;
            }
        }

        db.Entry(row).State = EntityState.Detached;
    }
}
