using System.Security.Cryptography;
using System.Text.Json.Serialization;
using CertMgr.Core.Acme.Client;
using CertMgr.Core.Audit;
using CertMgr.Core.Common;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Data.Secrets;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Core.Acme.Server;

/// <summary>EAB credentials shown once: the key id and the HMAC key (base64url).</summary>
public sealed record EabCredentials(string KeyId, string HmacKey);

public sealed record AcmeAccountRow(Guid Id, string Contact, [property: JsonConverter(typeof(JsonStringEnumConverter<AcmeServerStatus>))] AcmeServerStatus Status, IReadOnlyList<string> AllowedDomains, int Orders, DateTimeOffset CreatedAt);

public sealed record AcmeEabKeyRow(string KeyId, string? Note, IReadOnlyList<string> AllowedDomains, Guid? AccountId, DateTimeOffset CreatedAt, DateTimeOffset? UsedAt);

public sealed record AcmeOrderRow(Guid Id, Guid AccountId, string Names, [property: JsonConverter(typeof(JsonStringEnumConverter<AcmeServerStatus>))] AcmeServerStatus Status, Guid? DefinitionId, DateTimeOffset CreatedAt, string? Profile = null);

/// <summary>The console's and REST API's side of the ACME server: EAB credentials, per-account allow-lists, lists.</summary>
public sealed class AcmeServerAdmin(CertMgrDbContext db, SecretProtector protector, TimeProvider time)
{
    public const int MaxDomains = 200;

    public async Task<Result<EabCredentials>> CreateEabAsync(string? note, IReadOnlyList<string>? allowedDomains, string actor, CancellationToken ct)
    {
        if (note is { Length: > 400 } || (note?.Any(char.IsControl) ?? false))
        {
            return Error.Invalid("note-invalid", "The note is at most 400 printable characters.", "note");
        }

        var domains = Domains(allowedDomains ?? [], "allowedDomains");
        if (!domains.IsSuccess)
        {
            return domains.Error;
        }

        var keyId = "eab_" + Base64Url.Encode(RandomNumberGenerator.GetBytes(12));
        var hmac = RandomNumberGenerator.GetBytes(32);
        var now = time.GetUtcNow();
        db.AcmeServerEabKeys.Add(new AcmeServerEabKey
        {
            KeyId = keyId,
            EncryptedHmacKey = protector.Protect(hmac, AcmeAccounts.EabPurpose),
            Note = note?.Trim(),
            AllowedDomains = domains.Value,
            CreatedAt = now,
        });
        db.Record(now, actor, "AcmeServerEabKey", keyId, "create", detail: note?.Trim());
        await db.SaveChangesAsync(ct);
        var credentials = new EabCredentials(keyId, Base64Url.Encode(hmac));
        CryptographicOperations.ZeroMemory(hmac);
        return credentials;
    }

    /// <summary>Replaces an account's allow-list (empty: the global list applies).</summary>
    public async Task<Result<AcmeAccountRow>> SetAllowedDomainsAsync(Guid accountId, IReadOnlyList<string> allowedDomains, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(allowedDomains);
        var account = await db.AcmeServerAccounts.SingleOrDefaultAsync(a => a.Id == accountId, ct);
        if (account is null)
        {
            return Error.NotFound("acme-account-not-found", "No ACME account has that id.");
        }

        var domains = Domains(allowedDomains, "allowedDomains");
        if (!domains.IsSuccess)
        {
            return domains.Error;
        }

        account.AllowedDomains = domains.Value;
        db.Record(time.GetUtcNow(), actor, "AcmeServerAccount", account.Id.ToString(), "allowed-domains", detail: string.Join(", ", domains.Value));
        await db.SaveChangesAsync(ct);
        return (await AccountsAsync(ct)).Single(a => a.Id == accountId);
    }

    /// <summary>Deactivates an account (RFC 8555 7.3.6 done by an admin): its later requests are refused as unauthorized.</summary>
    public async Task<Result<AcmeAccountRow>> DeactivateAccountAsync(Guid accountId, string actor, CancellationToken ct)
    {
        var account = await db.AcmeServerAccounts.SingleOrDefaultAsync(a => a.Id == accountId, ct);
        if (account is null)
        {
            return Error.NotFound("acme-account-not-found", "No ACME account has that id.");
        }

        if (account.Status != AcmeServerStatus.Valid)
        {
            return Error.Conflict("acme-account-not-valid", $"The account is {AcmeRender.StatusName(account.Status)} already.");
        }

        account.Status = AcmeServerStatus.Deactivated;
        db.Record(time.GetUtcNow(), actor, "AcmeServerAccount", account.Id.ToString(), "deactivate");
        await db.SaveChangesAsync(ct);
        return (await AccountsAsync(ct)).Single(a => a.Id == accountId);
    }

    /// <summary>Revokes EAB credentials nobody has used yet: the key id is forgotten, so no account can ever bind with it.</summary>
    public async Task<Result> RevokeEabAsync(string keyId, string actor, CancellationToken ct)
    {
        var key = await db.AcmeServerEabKeys.SingleOrDefaultAsync(k => k.KeyId == keyId, ct);
        if (key is null)
        {
            return Error.NotFound("acme-eab-not-found", "No EAB credentials have that key id.");
        }

        if (key.AccountId is not null)
        {
            return Error.Conflict("acme-eab-used", "These EAB credentials are bound to an account already; deactivate the account instead.");
        }

        db.AcmeServerEabKeys.Remove(key);
        db.Record(time.GetUtcNow(), actor, "AcmeServerEabKey", key.KeyId, "revoke", detail: key.Note);
        await db.SaveChangesAsync(ct);
        return Result.Success();
    }

    public async Task<IReadOnlyList<AcmeEabKeyRow>> EabKeysAsync(CancellationToken ct)
    {
        var keys = await db.AcmeServerEabKeys.AsNoTracking().OrderByDescending(k => k.CreatedAt).Take(1000).ToListAsync(ct);
        return [.. keys.Select(k => new AcmeEabKeyRow(k.KeyId, k.Note, k.AllowedDomains, k.AccountId, k.CreatedAt, k.UsedAt))];
    }

    public async Task<IReadOnlyList<AcmeAccountRow>> AccountsAsync(CancellationToken ct)
    {
        var accounts = await db.AcmeServerAccounts.AsNoTracking().OrderByDescending(a => a.CreatedAt).Take(1000).ToListAsync(ct);
        var counts = await db.AcmeServerOrders.GroupBy(o => o.AccountId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        return [.. accounts.Select(a => new AcmeAccountRow(a.Id, string.Join(", ", a.Contact.Select(c => c.Replace("mailto:", "", StringComparison.Ordinal))),
            a.Status, a.AllowedDomains, counts.GetValueOrDefault(a.Id), a.CreatedAt))];
    }

    public async Task<IReadOnlyList<AcmeOrderRow>> RecentOrdersAsync(int take, CancellationToken ct)
    {
        var orders = await db.AcmeServerOrders.AsNoTracking().OrderByDescending(o => o.CreatedAt).Take(Math.Clamp(take, 1, 500)).ToListAsync(ct);
        return [.. orders.Select(o => new AcmeOrderRow(o.Id, o.AccountId, string.Join(", ", o.Identifiers), o.Status, o.DefinitionId, o.CreatedAt, o.Profile))];
    }

    /// <summary>Domains as an allow-list holds them: lower-case DNS names, no wildcards, deduplicated.</summary>
    public static Result<List<string>> Domains(IReadOnlyList<string> domains, string field)
    {
        ArgumentNullException.ThrowIfNull(domains);
        if (domains.Count > MaxDomains)
        {
            return Error.Invalid("domains-too-many", $"At most {MaxDomains} domains.", field);
        }

        var list = new List<string>();
        foreach (var d in domains)
        {
            var name = AcmeNames.Normalize(d ?? "");
            if (name.Length == 0)
            {
                continue;
            }

            if (name.StartsWith("*.", StringComparison.Ordinal) || !AcmeNames.IsValid(name))
            {
                return Error.Invalid("domain-invalid", $"\"{(d!.Length > 80 ? d[..80] : d)}\" is not a domain name (no wildcards: a domain covers its subdomains).", field);
            }

            if (!list.Contains(name))
            {
                list.Add(name);
            }
        }

        return list;
    }
}
