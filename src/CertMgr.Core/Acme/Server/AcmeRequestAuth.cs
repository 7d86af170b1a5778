using CertMgr.Core.Common;
using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Core.Acme.Server;

/// <summary>An authenticated ACME request: the JWS, and the account (kid) or the key (jwk) that signed it.</summary>
public sealed record AcmeRequest(AcmeJwsMessage Message, AcmeServerAccount? Account, AcmeJwk Key);

/// <summary>
/// RFC 8555 6.2-6.5 checks of every POST, in the order that leaks least: JWS shape and algorithm, the header url equal
/// to the URL requested, the signing key (jwk where a new key is expected, else kid of an existing valid account), the
/// signature, and last the nonce (used up only by a request that is otherwise sound).
/// </summary>
public sealed class AcmeRequestAuth(CertMgrDbContext db, AcmeNonces nonces)
{
    /// <summary>Checks one POST; keyMode Jwk: the key must be in the header (new-account), Kid: an account (most resources), Either: revoke-cert.</summary>
    public async Task<Result<AcmeRequest>> AuthenticateAsync(byte[] body, string requestUrl, AcmeUrls urls, AcmeKeyMode keyMode, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(urls);
        var parsed = AcmeJws.Parse(body);
        if (!parsed.IsSuccess)
        {
            return parsed.Error;
        }

        var message = parsed.Value;
        if (!string.Equals(message.Url, requestUrl, StringComparison.Ordinal))
        {
            return AcmeProblems.Unauthorized("The url in the protected header is not the URL of this request.");
        }

        AcmeServerAccount? account = null;
        AcmeJwk key;
        if (message.Jwk is not null)
        {
            if (keyMode == AcmeKeyMode.Kid)
            {
                return AcmeProblems.Malformed("This resource requires a kid (the account URL), not a jwk.");
            }

            var jwk = AcmeJwk.From(message.Jwk);
            if (!jwk.IsSuccess)
            {
                return jwk.Error;
            }

            key = jwk.Value;
        }
        else
        {
            if (keyMode == AcmeKeyMode.Jwk)
            {
                return AcmeProblems.Malformed("This resource requires a jwk, not a kid.");
            }

            var id = urls.AccountIdOf(message.Kid!);
            account = id is null ? null : await db.AcmeServerAccounts.SingleOrDefaultAsync(a => a.Id == id, ct);
            if (account is null)
            {
                return AcmeProblems.AccountDoesNotExist("No account has that kid.");
            }

            if (account.Status != AcmeServerStatus.Valid)
            {
                return AcmeProblems.Unauthorized($"The account is {AcmeRender.StatusName(account.Status)}.");
            }

            var stored = AcmeJwk.FromJson(account.Jwk);
            if (!stored.IsSuccess)
            {
                return AcmeProblems.ServerInternal("The account's stored key cannot be read.");
            }

            key = stored.Value;
        }

        if (!key.Verify(message.Algorithm, message.SigningInput, message.Signature))
        {
            key.Dispose();
            return AcmeProblems.Malformed("The JWS signature does not verify with the key (or does not match the algorithm).");
        }

        if (!nonces.TryConsume(message.Nonce))
        {
            key.Dispose();
            return AcmeProblems.BadNonce("The nonce is unknown, used already or expired; use the Replay-Nonce of this response.");
        }

        return new AcmeRequest(message, account, key);
    }
}

public enum AcmeKeyMode
{
    Kid,
    Jwk,
    Either,
}
