using System.Security.Cryptography;
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

public sealed record AcmeAccountRow(Guid Id, string Contact, AcmeServerStatus Status, IReadOnlyList<string> AllowedDomains, int Orders, DateTimeOffset CreatedAt);

public sealed record AcmeOrderRow(Guid Id, Guid AccountId, string Names, AcmeServerStatus Status, Guid? DefinitionId, DateTimeOffset CreatedAt);

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
        return [.. orders.Select(o => new AcmeOrderRow(o.Id, o.AccountId, string.Join(", ", o.Identifiers), o.Status, o.DefinitionId, o.CreatedAt))];
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
