using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using CertMgr.Core.Acme.Client;
using CertMgr.Core.Common;
using CertMgr.Core.Pki;
using CertMgr.Core.PrivateCa;
using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Core.Acme.Server;

/// <summary>
/// Orders, authorizations and challenges (RFC 8555 7.4, 7.5): the status machine pending → ready → processing →
/// valid/invalid, authorization expiry, validation on the client's challenge POST, certificate download and revocation.
/// </summary>
public sealed class AcmeOrders(CertMgrDbContext db, AcmeServerSettings settings, AcmeValidator validator, CaRevocation revocation, TimeProvider time)
{
    public const int MaxIdentifiers = 100;

    /// <summary>A processing order older than this was interrupted (a crash between issuance and answer).</summary>
    private static readonly TimeSpan ProcessingTimeout = TimeSpan.FromMinutes(5);

    public async Task<Result<AcmeReply>> NewOrderAsync(AcmeUrls urls, AcmeRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(urls);
        ArgumentNullException.ThrowIfNull(request);
        var payload = request.Message.PayloadObject();
        if (!payload.IsSuccess)
        {
            return payload.Error;
        }

        if (payload.Value["identifiers"] is not JsonArray list || list.Count == 0 || list.Count > MaxIdentifiers)
        {
            return AcmeProblems.Malformed($"identifiers must be an array of 1 to {MaxIdentifiers} identifiers.");
        }

        if (payload.Value.ContainsKey("notBefore") || payload.Value.ContainsKey("notAfter"))
        {
            return AcmeProblems.Malformed("notBefore and notAfter are not supported; the CA sets the validity.");
        }

        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var item in list)
        {
            var type = AcmeJwsMessage.Text(item as JsonObject, "type");
            var value = AcmeJwsMessage.Text(item as JsonObject, "value");
            if (type != "dns")
            {
                return AcmeProblems.UnsupportedIdentifier("Only dns identifiers are supported.");
            }

            var name = AcmeNames.Normalize(value ?? "");
            if (!AcmeNames.IsValid(name))
            {
                return AcmeProblems.RejectedIdentifier($"\"{Shorten(value)}\" is not a valid DNS name.");
            }

            names.Add(name);
        }

        var account = request.Account!;
        var options = await settings.EffectiveAsync(ct);
        var allowed = account.AllowedDomains.Count > 0 ? account.AllowedDomains : options.AllowedDomains;
        var refused = names.Where(n => !AcmeNames.IsAllowed(n, allowed)).ToList();
        if (refused.Count > 0)
        {
            return AcmeProblems.RejectedIdentifier($"This account may not obtain {string.Join(", ", refused)}: not in its allowed domains.");
        }

        var profile = ProfileOf(payload.Value, options);
        if (!profile.IsSuccess)
        {
            return profile.Error;
        }

        var replaces = await ReplacesAsync(payload.Value, account.Id, names, ct);
        if (!replaces.IsSuccess)
        {
            return replaces.Error;
        }

        var now = time.GetUtcNow();
        var order = new AcmeServerOrder
        {
            AccountId = account.Id,
            Identifiers = [.. names],
            Replaces = replaces.Value,
            Profile = profile.Value,
            Expires = now + options.OrderLifetime,
            CreatedAt = now,
            UpdatedAt = now,
        };
        var reusable = await ReusableAsync(account.Id, names, options, now, ct);
        foreach (var name in names)
        {
            var wildcard = name.StartsWith("*.", StringComparison.Ordinal);
            if (reusable.TryGetValue(name, out var earlier))
            {
                order.Authorizations.Add(ReusedFrom(earlier));
                continue;
            }

            var authz = new AcmeServerAuthorization
            {
                Identifier = wildcard ? name[2..] : name,
                Wildcard = wildcard,
                Expires = now + options.AuthorizationLifetime,
            };
            if (!wildcard)
            {
                authz.Challenges.Add(new AcmeServerChallenge { Type = "http-01", Token = NewToken() });
            }

            authz.Challenges.Add(new AcmeServerChallenge { Type = "dns-01", Token = NewToken() });
            order.Authorizations.Add(authz);
        }

        if (order.Authorizations.All(a => a.Status == AcmeServerStatus.Valid))
        {
            order.Status = AcmeServerStatus.Ready;
        }

        db.AcmeServerOrders.Add(order);
        await db.SaveChangesAsync(ct);
        return new AcmeReply(201, AcmeRender.Order(urls, order), urls.Order(order.Id));
    }

    /// <summary>The optional <c>profile</c> of a new order: one the directory lists, else <c>invalidProfile</c>.</summary>
    private static Result<string?> ProfileOf(JsonObject payload, AcmeServerOptions options)
    {
        if (!payload.TryGetPropertyValue("profile", out var node))
        {
            return (string?)null;
        }

        if (node is not JsonValue value || !value.TryGetValue<string>(out var name))
        {
            return AcmeProblems.Malformed("profile must be a string naming one of the directory's profiles.");
        }

        if (options.Profile(name) is null)
        {
            var offered = options.Profiles.Count == 0 ? "this server offers no profiles" : "this server offers " + string.Join(", ", options.Profiles.Select(p => p.Name));
            return AcmeProblems.InvalidProfile($"Unknown profile \"{Shorten(name)}\": {offered}.");
        }

        return name;
    }

    /// <summary>
    /// The optional <c>replaces</c> certID of a new order (RFC 9773 5): it must name a certificate this server issued to
    /// the same account, share an identifier with the order, and not be replaced already by a finalized order.
    /// </summary>
    private async Task<Result<string?>> ReplacesAsync(JsonObject payload, Guid accountId, IReadOnlyCollection<string> names, CancellationToken ct)
    {
        if (!payload.ContainsKey("replaces"))
        {
            return (string?)null;
        }

        var certId = AcmeJwsMessage.Text(payload, "replaces");
        var id = AcmeRenewalInfo.ParseCertId(certId);
        if (!id.IsSuccess)
        {
            return id.Error;
        }

        var serialHex = id.Value.SerialHex;
        var earlier = await db.AcmeServerOrders.AsNoTracking()
            .Where(o => o.AccountId == accountId && o.CertificateSerial == serialHex)
            .Select(o => new { o.Identifiers })
            .FirstOrDefaultAsync(ct);
        var der = earlier is null ? null : await db.IssuedCertificates.AsNoTracking()
            .Where(c => c.SerialNumber == serialHex && c.Der != null).Select(c => c.Der).FirstOrDefaultAsync(ct);
        if (earlier is null || der is null || !AcmeRenewalInfo.SameAuthority(der, id.Value.KeyId))
        {
            return AcmeProblems.Malformed("replaces names no certificate this server issued to this account.");
        }

        if (!earlier.Identifiers.Any(names.Contains))
        {
            return AcmeProblems.Malformed("The certificate named in replaces shares no identifier with this order.");
        }

        if (await db.AcmeServerOrders.AnyAsync(o => o.Replaces == certId && o.Status == AcmeServerStatus.Valid, ct))
        {
            return AcmeProblems.AlreadyReplaced("The certificate named in replaces was already replaced by another finalized order.");
        }

        return certId;
    }

    /// <summary>
    /// The account's valid, unexpired authorizations for these names (RFC 8555 7.1.3 lets a server reuse them): the
    /// newest per name, valid for at least another hour so that the order can still be finalized with it.
    /// </summary>
    private async Task<Dictionary<string, AcmeServerAuthorization>> ReusableAsync(
        Guid accountId, IReadOnlyCollection<string> names, AcmeServerOptions options, DateTimeOffset now, CancellationToken ct)
    {
        if (options.AuthorizationReuseDays <= 0)
        {
            return [];
        }

        var identifiers = names.Select(n => n.StartsWith("*.", StringComparison.Ordinal) ? n[2..] : n).Distinct().ToList();
        var floor = now + TimeSpan.FromHours(1);
        var since = now - TimeSpan.FromDays(options.AuthorizationReuseDays);
        var candidates = await db.AcmeServerAuthorizations.AsNoTracking().Include(a => a.Challenges)
            .Where(a => a.Order.AccountId == accountId && a.Status == AcmeServerStatus.Valid && identifiers.Contains(a.Identifier))
            .ToListAsync(ct);
        var found = new Dictionary<string, AcmeServerAuthorization>(StringComparer.Ordinal);
        foreach (var a in candidates.Where(a => a.Expires > floor && a.Challenges.Any(c => c.Status == AcmeServerStatus.Valid && c.Validated >= since))
                     .OrderByDescending(a => a.Expires))
        {
            var name = a.Wildcard ? "*." + a.Identifier : a.Identifier;
            if (names.Contains(name))
            {
                found.TryAdd(name, a);
            }
        }

        return found;
    }

    /// <summary>A new authorization of the new order, valid at once, carrying the earlier validation's challenge.</summary>
    private static AcmeServerAuthorization ReusedFrom(AcmeServerAuthorization earlier)
    {
        var validated = earlier.Challenges.Where(c => c.Status == AcmeServerStatus.Valid).OrderByDescending(c => c.Validated).First();
        var authz = new AcmeServerAuthorization
        {
            Identifier = earlier.Identifier,
            Wildcard = earlier.Wildcard,
            Status = AcmeServerStatus.Valid,
            Expires = earlier.Expires,
        };
        authz.Challenges.Add(new AcmeServerChallenge { Type = validated.Type, Token = validated.Token, Status = AcmeServerStatus.Valid, Validated = validated.Validated });
        return authz;
    }

    public async Task<Result<AcmeReply>> GetOrderAsync(AcmeUrls urls, AcmeRequest request, Guid orderId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(urls);
        ArgumentNullException.ThrowIfNull(request);
        var order = await LoadOrderAsync(request, orderId, ct);
        if (!order.IsSuccess)
        {
            return order.Error;
        }

        await RefreshAsync(order.Value, ct);
        return new AcmeReply(200, AcmeRender.Order(urls, order.Value), urls.Order(order.Value.Id));
    }

    public async Task<Result<AcmeReply>> ListOrdersAsync(AcmeUrls urls, AcmeRequest request, Guid accountId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(urls);
        ArgumentNullException.ThrowIfNull(request);
        if (request.Account!.Id != accountId)
        {
            return AcmeProblems.Unauthorized("The kid is not this account.");
        }

        var ids = await db.AcmeServerOrders.Where(o => o.AccountId == accountId && o.Status != AcmeServerStatus.Invalid)
            .OrderByDescending(o => o.CreatedAt).Select(o => o.Id).Take(1000).ToListAsync(ct);
        return new AcmeReply(200, new JsonObject { ["orders"] = new JsonArray([.. ids.Select(i => (JsonNode?)urls.Order(i))]) });
    }

    public async Task<Result<AcmeReply>> GetAuthorizationAsync(AcmeUrls urls, AcmeRequest request, Guid authzId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(urls);
        ArgumentNullException.ThrowIfNull(request);
        var authz = await LoadAuthzAsync(request, authzId, ct);
        if (!authz.IsSuccess)
        {
            return authz.Error;
        }

        if (!request.Message.IsPostAsGet)
        {
            var payload = request.Message.PayloadObject();
            if (!payload.IsSuccess)
            {
                return payload.Error;
            }

            if (AcmeJwsMessage.Text(payload.Value, "status") != "deactivated")
            {
                return AcmeProblems.Malformed("The only status a client may set on an authorization is \"deactivated\".");
            }

            if (authz.Value.Status is not (AcmeServerStatus.Pending or AcmeServerStatus.Valid))
            {
                return AcmeProblems.Malformed($"The authorization is {AcmeRender.StatusName(authz.Value.Status)}; only a pending or valid one can be deactivated.");
            }

            authz.Value.Status = AcmeServerStatus.Deactivated;
            await db.SaveChangesAsync(ct);
        }

        await RefreshAsync(authz.Value.Order, ct);
        return new AcmeReply(200, AcmeRender.Authorization(urls, authz.Value), urls.Authorization(authz.Value.Id),
            [$"<{urls.Order(authz.Value.OrderId)}>;rel=\"up\""]);
    }

    /// <summary>
    /// POST {} to a pending challenge starts validation (done before answering); POST-as-GET reads it. A challenge
    /// that is already processing, valid or invalid is answered as it stands (RFC 8555 7.5.1).
    /// </summary>
    public async Task<Result<AcmeReply>> ChallengeAsync(AcmeUrls urls, AcmeRequest request, Guid challengeId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(urls);
        ArgumentNullException.ThrowIfNull(request);
        var account = request.Account!;
        var challenge = await db.AcmeServerChallenges.Include(c => c.Authorization).ThenInclude(a => a.Order).ThenInclude(o => o.Authorizations)
            .ThenInclude(a => a.Challenges).SingleOrDefaultAsync(c => c.Id == challengeId, ct);
        if (challenge is null || challenge.Authorization.Order.AccountId != account.Id)
        {
            return AcmeProblems.NotFound("No such challenge.");
        }

        var authz = challenge.Authorization;
        await RefreshAsync(authz.Order, ct);
        if (!request.Message.IsPostAsGet && challenge.Status == AcmeServerStatus.Pending)
        {
            var payload = request.Message.PayloadObject();
            if (!payload.IsSuccess)
            {
                return payload.Error;
            }

            if (authz.Status != AcmeServerStatus.Pending)
            {
                return AcmeProblems.Malformed($"The authorization is {AcmeRender.StatusName(authz.Status)}; its challenges cannot be started.");
            }

            challenge.Status = AcmeServerStatus.Processing;
            await db.SaveChangesAsync(ct);
            var outcome = await validator.ValidateAsync(challenge.Type, authz.Identifier, challenge.Token, account.KeyThumbprint, ct);
            var now = time.GetUtcNow();
            if (outcome.IsSuccess)
            {
                challenge.Status = AcmeServerStatus.Valid;
                challenge.Validated = now;
                authz.Status = AcmeServerStatus.Valid;
                // A valid authorization lives as long as it may be reused for the account's later orders.
                var reuseDays = (await settings.EffectiveAsync(ct)).AuthorizationReuseDays;
                if (reuseDays > 0 && now + TimeSpan.FromDays(reuseDays) > authz.Expires)
                {
                    authz.Expires = now + TimeSpan.FromDays(reuseDays);
                }
            }
            else
            {
                challenge.Status = AcmeServerStatus.Invalid;
                challenge.ErrorJson = AcmeProblems.Document(outcome.Error!).ToJsonString();
                authz.Status = AcmeServerStatus.Invalid;
            }

            authz.Order.UpdatedAt = now;
            await RefreshAsync(authz.Order, ct);
            await db.SaveChangesAsync(ct);
        }

        return new AcmeReply(200, AcmeRender.Challenge(urls, challenge), null, [$"<{urls.Authorization(authz.Id)}>;rel=\"up\""]);
    }

    /// <summary>The certificate chain as PEM (leaf first), with the CA certificate's URL as rel="up".</summary>
    public async Task<Result<AcmeReply>> CertificateAsync(AcmeUrls urls, AcmeRequest request, Guid orderId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(urls);
        ArgumentNullException.ThrowIfNull(request);
        var order = await LoadOrderAsync(request, orderId, ct);
        if (!order.IsSuccess)
        {
            return order.Error;
        }

        var certificateId = order.Value.CertificateId;
        var certificate = certificateId is null ? null : await db.Certificates.AsNoTracking().SingleOrDefaultAsync(c => c.Id == certificateId, ct);
        if (order.Value.Status != AcmeServerStatus.Valid || certificate is null)
        {
            return AcmeProblems.NotFound("The order has no certificate.");
        }

        var pem = new StringBuilder(PemEncoding.WriteString("CERTIFICATE", certificate.Der)).Append('\n').Append(certificate.ChainPem);
        return new AcmeReply(200, null, null, [], pem.ToString());
    }

    /// <summary>revoke-cert: by the account that ordered the certificate (kid) or by the certificate's key (jwk).</summary>
    public async Task<Result<AcmeReply>> RevokeAsync(AcmeRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var payload = request.Message.PayloadObject();
        if (!payload.IsSuccess)
        {
            return payload.Error;
        }

        X509Certificate2 leaf;
        try
        {
            leaf = X509CertificateLoader.LoadCertificate(Base64Url.Decode((string?)payload.Value["certificate"] ?? ""));
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            return AcmeProblems.Malformed("certificate must be a base64url DER certificate.");
        }

        using (leaf)
        {
            var reason = X509RevocationReason.Unspecified;
            if (payload.Value["reason"] is JsonValue r)
            {
                if (!r.TryGetValue<int>(out var code) || !Enum.IsDefined((X509RevocationReason)code) || code == 7)
                {
                    return AcmeProblems.BadRevocationReason("The revocation reason is not an RFC 5280 reason code.");
                }

                reason = (X509RevocationReason)code;
            }

            var serial = leaf.SerialNumber;
            var sha256 = Thumbprints.Sha256(leaf);
            var issued = await db.IssuedCertificates.AsNoTracking().SingleOrDefaultAsync(i => i.Sha256 == sha256, ct);
            if (issued is null)
            {
                return AcmeProblems.NotFound("This CA did not issue that certificate.");
            }

            var authorized = request.Account is { } account
                ? await db.AcmeServerOrders.AnyAsync(o => o.AccountId == account.Id && o.CertificateSerial == serial, ct)
                : request.Key.SubjectPublicKeyInfo.AsSpan().SequenceEqual(leaf.PublicKey.ExportSubjectPublicKeyInfo());
            if (!authorized)
            {
                return AcmeProblems.Unauthorized("Neither the account that ordered this certificate nor its key signed the request.");
            }

            if (issued.Status == IssuedCertificateStatus.Revoked)
            {
                return AcmeProblems.AlreadyRevoked("The certificate is already revoked.");
            }

            var revoked = await revocation.RevokeAsync(issued.SerialNumber, reason, request.Account is null ? "acme:certificate-key" : $"acme:{request.Account.Id:N}", ct);
            return revoked.IsSuccess ? new AcmeReply(200, null) : AcmeProblems.Malformed(revoked.Error!.Message);
        }
    }

    /// <summary>Applies time and child statuses to an order: expiry, authorization outcomes, an interrupted processing.</summary>
    public async Task RefreshAsync(AcmeServerOrder order, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(order);
        var now = time.GetUtcNow();
        var changed = false;
        foreach (var a in order.Authorizations)
        {
            if (a.Status is AcmeServerStatus.Pending or AcmeServerStatus.Valid && a.Expires <= now)
            {
                a.Status = AcmeServerStatus.Expired;
                changed = true;
            }
        }

        var next = order.Status;
        if (order.Status is AcmeServerStatus.Pending or AcmeServerStatus.Ready)
        {
            if (order.Expires <= now || order.Authorizations.Any(a => a.Status is AcmeServerStatus.Invalid or AcmeServerStatus.Expired or AcmeServerStatus.Deactivated or AcmeServerStatus.Revoked))
            {
                next = AcmeServerStatus.Invalid;
                order.ErrorJson ??= AcmeProblems.Document(AcmeProblems.Unauthorized(order.Expires <= now
                    ? "The order expired."
                    : "An authorization of the order failed, expired or was deactivated.")).ToJsonString();
            }
            else if (order.Authorizations.All(a => a.Status == AcmeServerStatus.Valid))
            {
                next = AcmeServerStatus.Ready;
            }
        }
        else if (order.Status == AcmeServerStatus.Processing && now - order.UpdatedAt > ProcessingTimeout)
        {
            next = AcmeServerStatus.Invalid;
            order.ErrorJson = AcmeProblems.Document(AcmeProblems.ServerInternal("Issuance was interrupted.")).ToJsonString();
        }

        if (next != order.Status)
        {
            order.Status = next;
            order.UpdatedAt = now;
            changed = true;
        }

        if (changed)
        {
            await db.SaveChangesAsync(ct);
        }
    }

    public async Task<Result<AcmeServerOrder>> LoadOrderAsync(AcmeRequest request, Guid orderId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var order = await db.AcmeServerOrders.Include(o => o.Authorizations).ThenInclude(a => a.Challenges)
            .SingleOrDefaultAsync(o => o.Id == orderId, ct);
        return order is null || order.AccountId != request.Account!.Id ? AcmeProblems.NotFound("No such order.") : order;
    }

    private async Task<Result<AcmeServerAuthorization>> LoadAuthzAsync(AcmeRequest request, Guid authzId, CancellationToken ct)
    {
        var authz = await db.AcmeServerAuthorizations.Include(a => a.Challenges).Include(a => a.Order).ThenInclude(o => o.Authorizations)
            .SingleOrDefaultAsync(a => a.Id == authzId, ct);
        return authz is null || authz.Order.AccountId != request.Account!.Id ? AcmeProblems.NotFound("No such authorization.") : authz;
    }

    private static string NewToken() => Base64Url.Encode(RandomNumberGenerator.GetBytes(32));

    private static string Shorten(string? text) => text is null ? "" : text.Length > 80 ? text[..80] + "…" : text;
}
