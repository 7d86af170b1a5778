using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using CertMgr.Core.Acme.Client;
using CertMgr.Core.Audit;
using CertMgr.Core.Common;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Data.Secrets;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Core.Acme.Server;

/// <summary>new-account (with EAB when required or given), account update and deactivation (RFC 8555 7.3).</summary>
public sealed class AcmeAccounts(CertMgrDbContext db, AcmeServerSettings settings, SecretProtector protector, TimeProvider time)
{
    public const string EabPurpose = "acme-eab";
    private const int MaxContacts = 10;

    public async Task<Result<AcmeReply>> NewAccountAsync(AcmeUrls urls, AcmeRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(urls);
        ArgumentNullException.ThrowIfNull(request);
        var payload = request.Message.PayloadObject();
        if (!payload.IsSuccess)
        {
            return payload.Error;
        }

        var p = payload.Value;
        var existing = await db.AcmeServerAccounts.SingleOrDefaultAsync(a => a.KeyThumbprint == request.Key.Thumbprint, ct);
        if (existing is { Status: not AcmeServerStatus.Valid })
        {
            return AcmeProblems.Unauthorized($"The account with this key is {AcmeRender.StatusName(existing.Status)}.");
        }

        if (existing is not null)
        {
            return new AcmeReply(200, AcmeRender.Account(urls, existing), urls.Account(existing.Id));
        }

        if (p["onlyReturnExisting"] is JsonValue only && only.TryGetValue<bool>(out var o) && o)
        {
            return AcmeProblems.AccountDoesNotExist("No account exists with this key.");
        }

        if (p["termsOfServiceAgreed"] is JsonValue tos && tos.TryGetValue<bool>(out var agreed) && !agreed)
        {
            return AcmeProblems.Malformed("termsOfServiceAgreed must not be false.");
        }

        var contacts = Contacts(p);
        if (!contacts.IsSuccess)
        {
            return contacts.Error;
        }

        AcmeServerEabKey? eab = null;
        if (p["externalAccountBinding"] is JsonObject binding)
        {
            var checkedEab = await CheckEabAsync(urls, binding, request.Key, ct);
            if (!checkedEab.IsSuccess)
            {
                return checkedEab.Error;
            }

            eab = checkedEab.Value;
        }
        else if ((await settings.EffectiveAsync(ct)).RequireEab)
        {
            return AcmeProblems.ExternalAccountRequired("This server requires external account binding: ask the CertMgr administrator for EAB credentials.");
        }

        var now = time.GetUtcNow();
        var account = new AcmeServerAccount
        {
            KeyThumbprint = request.Key.Thumbprint,
            Jwk = request.Key.Canonical.ToJsonString(),
            Contact = contacts.Value,
            AllowedDomains = eab is null ? [] : [.. eab.AllowedDomains],
            EabKeyId = eab?.KeyId,
            CreatedAt = now,
        };
        db.AcmeServerAccounts.Add(account);
        if (eab is not null)
        {
            eab.AccountId = account.Id;
            eab.UsedAt = now;
        }

        db.Record(now, "acme", "AcmeServerAccount", account.Id.ToString(), "create", detail: string.Join(", ", account.Contact));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Two new-account requests with one key raced: the other one made the account.
            db.ChangeTracker.Clear();
            var made = await db.AcmeServerAccounts.SingleAsync(a => a.KeyThumbprint == request.Key.Thumbprint, ct);
            return new AcmeReply(200, AcmeRender.Account(urls, made), urls.Account(made.Id));
        }

        return new AcmeReply(201, AcmeRender.Account(urls, account), urls.Account(account.Id));
    }

    /// <summary>POST to the account URL: POST-as-GET, contact update, or deactivation.</summary>
    public async Task<Result<AcmeReply>> UpdateAsync(AcmeUrls urls, AcmeRequest request, Guid accountId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(urls);
        ArgumentNullException.ThrowIfNull(request);
        var account = request.Account!;
        if (account.Id != accountId)
        {
            return AcmeProblems.Unauthorized("The kid is not this account.");
        }

        if (!request.Message.IsPostAsGet)
        {
            var payload = request.Message.PayloadObject();
            if (!payload.IsSuccess)
            {
                return payload.Error;
            }

            if (payload.Value.ContainsKey("contact"))
            {
                var contacts = Contacts(payload.Value);
                if (!contacts.IsSuccess)
                {
                    return contacts.Error;
                }

                account.Contact = contacts.Value;
            }

            if (payload.Value.ContainsKey("status"))
            {
                if (AcmeJwsMessage.Text(payload.Value, "status") != "deactivated")
                {
                    return AcmeProblems.Malformed("The only status a client may set is \"deactivated\".");
                }

                account.Status = AcmeServerStatus.Deactivated;
                db.Record(time.GetUtcNow(), "acme", "AcmeServerAccount", account.Id.ToString(), "deactivate");
            }

            await db.SaveChangesAsync(ct);
        }

        return new AcmeReply(200, AcmeRender.Account(urls, account), urls.Account(account.Id));
    }

    /// <summary>
    /// key-change (RFC 8555 7.3.5): the outer JWS is signed by the account's current key (kid), its payload is an inner
    /// JWS signed by the new key (jwk, no nonce, the same url) over {account, oldKey}. A new key that another account
    /// holds is a 409 with that account's URL. Any refusal changes nothing.
    /// </summary>
    public async Task<Result<AcmeReply>> KeyChangeAsync(AcmeUrls urls, AcmeRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(urls);
        ArgumentNullException.ThrowIfNull(request);
        var account = request.Account!;
        var parsed = AcmeJws.Parse(request.Message.Payload);
        if (!parsed.IsSuccess)
        {
            return AcmeProblems.Malformed("The key-change payload must be an inner JWS: " + parsed.Error!.Message);
        }

        var inner = parsed.Value;
        if (inner.Jwk is null)
        {
            return AcmeProblems.Malformed("The inner JWS must carry the new key as jwk.");
        }

        if (inner.Nonce is not null)
        {
            return AcmeProblems.Malformed("The inner JWS must not have a nonce.");
        }

        if (!string.Equals(inner.Url, request.Message.Url, StringComparison.Ordinal))
        {
            return AcmeProblems.Malformed("The inner JWS's url is not the outer JWS's url.");
        }

        var newKeyResult = AcmeJwk.From(inner.Jwk);
        if (!newKeyResult.IsSuccess)
        {
            return newKeyResult.Error;
        }

        using var newKey = newKeyResult.Value;
        if (!newKey.Verify(inner.Algorithm, inner.SigningInput, inner.Signature))
        {
            return AcmeProblems.Malformed("The inner JWS is not signed by the new key it carries.");
        }

        var payload = inner.PayloadObject();
        if (!payload.IsSuccess)
        {
            return payload.Error;
        }

        if (payload.Value["account"] is not JsonValue accountValue || !accountValue.TryGetValue<string>(out var accountUrl) || accountUrl != request.Message.Kid)
        {
            return AcmeProblems.Malformed("The inner payload's account is not the outer JWS's kid.");
        }

        var oldKey = AcmeJwk.From(payload.Value["oldKey"] as JsonObject);
        if (!oldKey.IsSuccess)
        {
            return AcmeProblems.Malformed("The inner payload's oldKey is not a valid JWK.");
        }

        using (oldKey.Value)
        {
            if (oldKey.Value.Thumbprint != account.KeyThumbprint)
            {
                return AcmeProblems.Malformed("oldKey is not the account's current key.");
            }
        }

        if (newKey.Thumbprint == account.KeyThumbprint)
        {
            return AcmeProblems.Malformed("The new key is the account's current key.");
        }

        var holder = await db.AcmeServerAccounts.AsNoTracking().Where(a => a.KeyThumbprint == newKey.Thumbprint).Select(a => (Guid?)a.Id).SingleOrDefaultAsync(ct);
        if (holder is { } other)
        {
            return KeyInUse(urls, other);
        }

        account.KeyThumbprint = newKey.Thumbprint;
        account.Jwk = newKey.Canonical.ToJsonString();
        db.Record(time.GetUtcNow(), "acme", "AcmeServerAccount", account.Id.ToString(), "key-change", detail: "new key thumbprint " + newKey.Thumbprint);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another account registered or rolled over to this key at the same moment.
            db.ChangeTracker.Clear();
            var raced = await db.AcmeServerAccounts.AsNoTracking().SingleAsync(a => a.KeyThumbprint == newKey.Thumbprint, ct);
            return KeyInUse(urls, raced.Id);
        }

        return new AcmeReply(200, AcmeRender.Account(urls, account), urls.Account(account.Id));
    }

    private static AcmeReply KeyInUse(AcmeUrls urls, Guid holder)
    {
        var problem = AcmeProblems.Document(AcmeProblems.Conflict("The new key is already the key of another account."));
        problem["status"] = 409;
        return new AcmeReply(409, problem, urls.Account(holder), Problem: true);
    }

    private static Result<List<string>> Contacts(JsonObject payload)
    {
        var list = new List<string>();
        if (payload["contact"] is null)
        {
            return list;
        }

        if (payload["contact"] is not JsonArray array || array.Count > MaxContacts)
        {
            return new Error("invalidContact", $"contact must be an array of at most {MaxContacts} mailto: URLs.");
        }

        foreach (var item in array)
        {
            var text = item is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
            if (text is null || !text.StartsWith("mailto:", StringComparison.Ordinal) || text.Length > 254 || text.Contains(',', StringComparison.Ordinal)
                || text.Any(char.IsControl) || !text[7..].Contains('@', StringComparison.Ordinal))
            {
                return text is not null && !text.StartsWith("mailto:", StringComparison.Ordinal)
                    ? new Error("unsupportedContact", "Only mailto: contacts are supported.")
                    : new Error("invalidContact", "A contact is not a valid mailto: URL.");
            }

            list.Add(text);
        }

        return list;
    }

    private async Task<Result<AcmeServerEabKey>> CheckEabAsync(AcmeUrls urls, JsonObject binding, AcmeJwk accountKey, CancellationToken ct)
    {
        var bytes = Encoding.UTF8.GetBytes(binding.ToJsonString());
        var parsed = ParseEab(bytes);
        if (!parsed.IsSuccess)
        {
            return parsed.Error;
        }

        var (protectedB64, payloadB64, signature, kid, url, alg) = parsed.Value;
        if (url != urls.NewAccount)
        {
            return AcmeProblems.Malformed("The external account binding's url is not the new-account URL.");
        }

        var key = await db.AcmeServerEabKeys.SingleOrDefaultAsync(k => k.KeyId == kid, ct);
        if (key is null || key.AccountId is not null)
        {
            return AcmeProblems.Unauthorized("The external account binding key id is unknown or used already.");
        }

        var hmacKey = protector.Unprotect(key.EncryptedHmacKey, EabPurpose);
        var input = Encoding.ASCII.GetBytes(protectedB64 + "." + payloadB64);
        var expected = alg switch
        {
            "HS256" => HMACSHA256.HashData(hmacKey, input),
            "HS384" => HMACSHA384.HashData(hmacKey, input),
            _ => HMACSHA512.HashData(hmacKey, input),
        };
        CryptographicOperations.ZeroMemory(hmacKey);
        if (!CryptographicOperations.FixedTimeEquals(expected, signature))
        {
            return AcmeProblems.Unauthorized("The external account binding signature does not verify.");
        }

        var inner = AcmeJwk.From(JsonNode.Parse(Base64Url.Decode(payloadB64)) as JsonObject);
        if (!inner.IsSuccess || inner.Value.Thumbprint != accountKey.Thumbprint)
        {
            return AcmeProblems.Malformed("The external account binding does not bind this account key.");
        }

        return key;
    }

    private static Result<(string Protected, string Payload, byte[] Signature, string Kid, string? Url, string Alg)> ParseEab(byte[] bytes)
    {
        try
        {
            var root = JsonNode.Parse(bytes) as JsonObject;
            var protectedB64 = (string?)root?["protected"];
            var payloadB64 = (string?)root?["payload"];
            var signature = (string?)root?["signature"];
            if (protectedB64 is null || payloadB64 is null || signature is null)
            {
                return AcmeProblems.Malformed("The external account binding is not a flattened JWS.");
            }

            var header = JsonNode.Parse(Base64Url.Decode(protectedB64)) as JsonObject;
            var alg = (string?)header?["alg"];
            var kid = (string?)header?["kid"];
            if (alg is not ("HS256" or "HS384" or "HS512") || kid is null || header!.ContainsKey("nonce"))
            {
                return AcmeProblems.Malformed("The external account binding must be an HMAC JWS with a kid and no nonce.");
            }

            return (protectedB64, payloadB64, Base64Url.Decode(signature), kid, (string?)header["url"], alg);
        }
        catch (Exception ex) when (ex is FormatException or System.Text.Json.JsonException or InvalidOperationException)
        {
            return AcmeProblems.Malformed("The external account binding is not valid base64url JSON.");
        }
    }
}
