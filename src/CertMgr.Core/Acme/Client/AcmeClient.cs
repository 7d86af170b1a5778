using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CertMgr.Core.Common;

namespace CertMgr.Core.Acme.Client;

/// <summary>What an account registration or lookup sends (RFC 8555 7.3).</summary>
/// <param name="Email">Contact address (mailto:), or null.</param>
/// <param name="TermsOfServiceAgreed">Whether the person agreed to the CA's terms.</param>
/// <param name="EabKeyId">External Account Binding key id, when the CA gave one.</param>
/// <param name="EabHmacKey">The EAB HMAC key (raw bytes).</param>
/// <param name="OnlyReturnExisting">Look the account up without creating one.</param>
public sealed record AcmeRegistration(string? Email, bool TermsOfServiceAgreed, string? EabKeyId = null, byte[]? EabHmacKey = null, bool OnlyReturnExisting = false);

/// <summary>
/// An RFC 8555 client for one account key at one directory: directory, nonces (Replay-Nonce kept, badNonce retried),
/// flattened JWS with jwk or kid, accounts (create, look up, EAB, key rollover, deactivation), orders, authorizations,
/// challenges, finalize, certificate download with alternate chains, revocation, and ARI renewal information (RFC 9773).
/// Every CA refusal comes back as an <see cref="Error"/>; it never throws for one.
/// </summary>
public sealed class AcmeClient(HttpClient http, Uri directoryUrl, AcmeAccountKey key, TimeProvider time)
{
    /// <summary>At most this many sends of one request when the CA answers badNonce (bounded; RFC 8555 6.5 says retry).</summary>
    public const int MaxNonceAttempts = 10;

    private const string JoseJson = "application/jose+json";
    private AcmeAccountKey _key = key;
    private AcmeDirectory? _directory;
    private string? _nonce;

    /// <summary>The account URL (kid); set by <see cref="AccountAsync"/> or by the caller from storage.</summary>
    public Uri? AccountUrl { get; set; }

    /// <summary>How many requests were sent again after a badNonce answer.</summary>
    public int BadNonceRetries { get; private set; }

    /// <summary>The current account key (changes after <see cref="ChangeKeyAsync"/>).</summary>
    public AcmeAccountKey Key => _key;

    public async Task<Result<AcmeDirectory>> DirectoryAsync(CancellationToken ct)
    {
        if (_directory is not null)
        {
            return _directory;
        }

        var got = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, directoryUrl), "the directory", ct);
        if (!got.IsSuccess)
        {
            return got.Error;
        }

        if (got.Value.Status != HttpStatusCode.OK)
        {
            return got.Value.Problem is { } p ? AcmeErrors.FromProblem(p, "the directory") : AcmeErrors.Protocol("the directory", $"HTTP {(int)got.Value.Status}");
        }

        var directory = got.Value.Json<AcmeDirectory>();
        if (directory?.NewNonce is null || directory.NewAccount is null || directory.NewOrder is null)
        {
            return AcmeErrors.Protocol("the directory", "it is not an ACME directory (newNonce, newAccount or newOrder missing)");
        }

        _directory = directory;
        return directory;
    }

    /// <summary>Creates the account, or finds the existing one for this key; sets <see cref="AccountUrl"/>.</summary>
    public async Task<Result<AcmeAccount>> AccountAsync(AcmeRegistration registration, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(registration);
        var dir = await DirectoryAsync(ct);
        if (!dir.IsSuccess)
        {
            return dir.Error;
        }

        var url = dir.Value.NewAccount!;
        var payload = new JsonObject { ["termsOfServiceAgreed"] = registration.TermsOfServiceAgreed };
        if (!string.IsNullOrWhiteSpace(registration.Email))
        {
            payload["contact"] = new JsonArray("mailto:" + registration.Email.Trim());
        }

        if (registration.OnlyReturnExisting)
        {
            payload["onlyReturnExisting"] = true;
        }

        if (registration.EabKeyId is { Length: > 0 } kid && registration.EabHmacKey is { Length: > 0 } hmac)
        {
            payload["externalAccountBinding"] = ExternalAccountBinding(kid, hmac, url);
        }

        var posted = await PostAsync(url, payload, registration.OnlyReturnExisting ? "the account lookup" : "the account registration", useJwk: true, ct);
        if (!posted.IsSuccess)
        {
            return posted.Error;
        }

        if (posted.Value.Location is null)
        {
            return AcmeErrors.Protocol("the account registration", "no Location header with the account URL");
        }

        AccountUrl = posted.Value.Location;
        return (posted.Value.Json<AcmeAccount>() ?? new AcmeAccount()) with { Url = posted.Value.Location };
    }

    /// <summary>The EAB inner JWS (RFC 8555 7.3.4): HS256 over this account key's JWK, keyed by the CA's HMAC key.</summary>
    private JsonObject ExternalAccountBinding(string kid, byte[] hmacKey, Uri url)
    {
        var header = Base64Url.Encode(new JsonObject { ["alg"] = "HS256", ["kid"] = kid, ["url"] = url.AbsoluteUri }.ToJsonString());
        var payload = Base64Url.Encode(_key.Jwk().ToJsonString());
        var signature = HMACSHA256.HashData(hmacKey, Encoding.ASCII.GetBytes(header + "." + payload));
        return new JsonObject { ["protected"] = header, ["payload"] = payload, ["signature"] = Base64Url.Encode(signature) };
    }

    /// <summary>Rolls the account over to a new key (RFC 8555 7.3.5); afterwards this client signs with it.</summary>
    public async Task<Result> ChangeKeyAsync(AcmeAccountKey newKey, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(newKey);
        var dir = await DirectoryAsync(ct);
        if (!dir.IsSuccess)
        {
            return dir.Error;
        }

        if (dir.Value.KeyChange is null || AccountUrl is null)
        {
            return new Error("acme-keychange-unavailable", AccountUrl is null ? "Register the account before rolling its key over." : "The CA does not offer key rollover.");
        }

        var url = dir.Value.KeyChange;
        var innerHeader = Base64Url.Encode(new JsonObject { ["alg"] = newKey.Algorithm, ["jwk"] = newKey.Jwk(), ["url"] = url.AbsoluteUri }.ToJsonString());
        var innerPayload = Base64Url.Encode(new JsonObject { ["account"] = AccountUrl.AbsoluteUri, ["oldKey"] = _key.Jwk() }.ToJsonString());
        var inner = new JsonObject
        {
            ["protected"] = innerHeader,
            ["payload"] = innerPayload,
            ["signature"] = Base64Url.Encode(newKey.Sign(Encoding.ASCII.GetBytes(innerHeader + "." + innerPayload))),
        };
        var posted = await PostAsync(url, inner, "the account key rollover", useJwk: false, ct);
        if (!posted.IsSuccess)
        {
            return posted.Error;
        }

        _key = newKey;
        return Result.Success();
    }

    /// <summary>Deactivates the account (RFC 8555 7.3.6); the CA refuses it from then on.</summary>
    public async Task<Result<AcmeAccount>> DeactivateAsync(CancellationToken ct)
    {
        if (AccountUrl is null)
        {
            return new Error("acme-no-account", "Register or look up the account first.");
        }

        var posted = await PostAsync(AccountUrl, new JsonObject { ["status"] = "deactivated" }, "the account deactivation", useJwk: false, ct);
        return posted.IsSuccess ? (posted.Value.Json<AcmeAccount>() ?? new AcmeAccount()) with { Url = AccountUrl } : posted.Error;
    }

    /// <summary>Places an order for DNS names (RFC 8555 7.4), with an ACME profile and the ARI replaces id where given.</summary>
    public async Task<Result<AcmeOrder>> NewOrderAsync(IEnumerable<string> names, string? profile, string? replaces, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(names);
        var dir = await DirectoryAsync(ct);
        if (!dir.IsSuccess)
        {
            return dir.Error;
        }

        var identifiers = new JsonArray();
        foreach (var name in names)
        {
            identifiers.Add(new JsonObject { ["type"] = "dns", ["value"] = name });
        }

        var payload = new JsonObject { ["identifiers"] = identifiers };
        if (!string.IsNullOrEmpty(profile))
        {
            payload["profile"] = profile;
        }

        if (!string.IsNullOrEmpty(replaces))
        {
            payload["replaces"] = replaces;
        }

        var posted = await PostAsync(dir.Value.NewOrder!, payload, "the new order", useJwk: false, ct);
        if (!posted.IsSuccess)
        {
            return posted.Error;
        }

        return posted.Value.Location is null
            ? AcmeErrors.Protocol("the new order", "no Location header with the order URL")
            : Order(posted.Value, posted.Value.Location);
    }

    public async Task<Result<AcmeOrder>> OrderAsync(Uri orderUrl, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(orderUrl);
        var got = await PostAsync(orderUrl, null, "the order lookup", useJwk: false, ct);
        return got.IsSuccess ? Order(got.Value, orderUrl) : got.Error;
    }

    public async Task<Result<AcmeAuthorization>> AuthorizationAsync(Uri url, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(url);
        var got = await PostAsync(url, null, "the authorization lookup", useJwk: false, ct);
        if (!got.IsSuccess)
        {
            return got.Error;
        }

        var authz = got.Value.Json<AcmeAuthorization>();
        return authz is null ? AcmeErrors.Protocol("the authorization lookup", "no authorization object") : authz with { RetryAfter = got.Value.RetryAfter };
    }

    /// <summary>Tells the CA the challenge is ready to be validated (POST {}).</summary>
    public async Task<Result<AcmeChallenge>> AnswerChallengeAsync(Uri url, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(url);
        var posted = await PostAsync(url, new JsonObject(), "the challenge answer", useJwk: false, ct);
        return posted.IsSuccess ? posted.Value.Json<AcmeChallenge>() ?? new AcmeChallenge() : posted.Error;
    }

    public async Task<Result<AcmeOrder>> FinalizeAsync(AcmeOrder order, byte[] csrDer, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(csrDer);
        if (order.Finalize is null || order.Url is null)
        {
            return AcmeErrors.Protocol("the finalization", "the order has no finalize URL");
        }

        var posted = await PostAsync(order.Finalize, new JsonObject { ["csr"] = Base64Url.Encode(csrDer) }, "the finalization", useJwk: false, ct);
        return posted.IsSuccess ? Order(posted.Value, order.Url) : posted.Error;
    }

    /// <summary>Downloads a certificate chain (PEM, leaf first) and the alternate chains' URLs the CA links to.</summary>
    public async Task<Result<AcmeCertificateChain>> DownloadAsync(Uri certificateUrl, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(certificateUrl);
        var got = await PostAsync(certificateUrl, null, "the certificate download", useJwk: false, ct, accept: "application/pem-certificate-chain");
        if (!got.IsSuccess)
        {
            return got.Error;
        }

        var pem = Encoding.ASCII.GetString(got.Value.Body);
        var certificates = new List<byte[]>();
        foreach (var block in pem.Split("-----END CERTIFICATE-----", StringSplitOptions.RemoveEmptyEntries))
        {
            if (block.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
            {
                var fields = PemEncoding.Find(block + "-----END CERTIFICATE-----");
                certificates.Add(Convert.FromBase64String((block + "-----END CERTIFICATE-----")[fields.Base64Data]));
            }
        }

        return certificates.Count == 0
            ? AcmeErrors.Protocol("the certificate download", "no certificate in the answer")
            : new AcmeCertificateChain(certificates, got.Value.Links("alternate"));
    }

    /// <summary>Revokes a certificate with the account key (RFC 8555 7.6); reason is an RFC 5280 reason code.</summary>
    public async Task<Result> RevokeAsync(byte[] certificateDer, int reason, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(certificateDer);
        var dir = await DirectoryAsync(ct);
        if (!dir.IsSuccess)
        {
            return dir.Error;
        }

        if (dir.Value.RevokeCert is null)
        {
            return new Error("acme-revoke-unavailable", "The CA does not offer revocation.");
        }

        var posted = await PostAsync(dir.Value.RevokeCert, new JsonObject { ["certificate"] = Base64Url.Encode(certificateDer), ["reason"] = reason }, "the revocation", useJwk: false, ct);
        return posted.IsSuccess ? Result.Success() : posted.Error;
    }

    /// <summary>The ARI certificate identifier (RFC 9773 4.1): base64url(AKI key id) "." base64url(serial).</summary>
    public static string? RenewalId(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var aki = certificate.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().FirstOrDefault()?.KeyIdentifier;
        return aki is null ? null : Base64Url.Encode(aki.Value.Span) + "." + Base64Url.Encode(certificate.SerialNumberBytes.Span);
    }

    /// <summary>The CA's suggested renewal window for a certificate (RFC 9773), or null when the CA has no ARI.</summary>
    public async Task<Result<AcmeRenewalInfo?>> RenewalInfoAsync(string renewalId, CancellationToken ct)
    {
        var dir = await DirectoryAsync(ct);
        if (!dir.IsSuccess)
        {
            return dir.Error;
        }

        if (dir.Value.RenewalInfo is null)
        {
            return Result<AcmeRenewalInfo?>.Success(null);
        }

        var url = new Uri(dir.Value.RenewalInfo.AbsoluteUri.TrimEnd('/') + "/" + renewalId);
        var got = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, url), "the renewal information", ct);
        if (!got.IsSuccess)
        {
            return got.Error;
        }

        if (got.Value.Status != HttpStatusCode.OK)
        {
            return AcmeErrors.FromProblem(got.Value.Problem, "the renewal information");
        }

        var info = got.Value.Json<AcmeRenewalInfo>();
        return info?.SuggestedWindow is null
            ? AcmeErrors.Protocol("the renewal information", "no suggestedWindow")
            : info with { RetryAfter = got.Value.RetryAfter };
    }

    private static AcmeOrder Order(AcmeResponse response, Uri url) =>
        (response.Json<AcmeOrder>() ?? new AcmeOrder()) with { Url = url, RetryAfter = response.RetryAfter };

    private async Task<Result<string>> NonceAsync(CancellationToken ct)
    {
        if (Interlocked.Exchange(ref _nonce, null) is { } kept)
        {
            return kept;
        }

        var dir = await DirectoryAsync(ct);
        if (!dir.IsSuccess)
        {
            return dir.Error;
        }

        var got = await SendAsync(() => new HttpRequestMessage(HttpMethod.Head, dir.Value.NewNonce), "a new nonce", ct);
        if (!got.IsSuccess)
        {
            return got.Error;
        }

        return Interlocked.Exchange(ref _nonce, null) is { } fresh ? fresh : AcmeErrors.Protocol("a new nonce", "no Replay-Nonce header");
    }

    /// <summary>A signed POST (payload null: POST-as-GET); a badNonce answer is sent again with the fresh nonce.</summary>
    private async Task<Result<AcmeResponse>> PostAsync(Uri url, JsonNode? payload, string doing, bool useJwk, CancellationToken ct, string? accept = null)
    {
        if (!useJwk && AccountUrl is null)
        {
            return new Error("acme-no-account", "Register or look up the ACME account first.");
        }

        var body = payload is null ? "" : Base64Url.Encode(payload.ToJsonString());
        for (var attempt = 1; ; attempt++)
        {
            var nonce = await NonceAsync(ct);
            if (!nonce.IsSuccess)
            {
                return nonce.Error;
            }

            var header = new JsonObject { ["alg"] = _key.Algorithm, ["nonce"] = nonce.Value, ["url"] = url.AbsoluteUri };
            if (useJwk)
            {
                header["jwk"] = _key.Jwk();
            }
            else
            {
                header["kid"] = AccountUrl!.AbsoluteUri;
            }

            var protectedHeader = Base64Url.Encode(header.ToJsonString());
            var signature = Base64Url.Encode(_key.Sign(Encoding.ASCII.GetBytes(protectedHeader + "." + body)));
            var jws = new JsonObject { ["protected"] = protectedHeader, ["payload"] = body, ["signature"] = signature }.ToJsonString();
            var sent = await SendAsync(() =>
            {
                var message = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(jws, Encoding.UTF8) };
                message.Content.Headers.ContentType = new MediaTypeHeaderValue(JoseJson);
                if (accept is not null)
                {
                    message.Headers.Accept.ParseAdd(accept);
                }

                return message;
            }, doing, ct);
            if (!sent.IsSuccess)
            {
                return sent.Error;
            }

            var response = sent.Value;
            if ((int)response.Status < 400)
            {
                return response;
            }

            if (AcmeErrors.ShortType(response.Problem) == "badNonce" && attempt < MaxNonceAttempts)
            {
                BadNonceRetries++;
                continue;
            }

            var retryAt = response.RetryAfter is { } wait ? time.GetUtcNow() + wait : (DateTimeOffset?)null;
            return AcmeErrors.FromProblem(response.Problem ?? new AcmeProblem { Detail = $"HTTP {(int)response.Status}" }, doing, retryAt);
        }
    }

    private async Task<Result<AcmeResponse>> SendAsync(Func<HttpRequestMessage> create, string doing, CancellationToken ct)
    {
        try
        {
            using var request = create();
            using var response = await http.SendAsync(request, ct);
            if (response.Headers.TryGetValues("Replay-Nonce", out var nonces) && nonces.FirstOrDefault() is { Length: > 0 } nonce)
            {
                _nonce = nonce;
            }

            var body = await response.Content.ReadAsByteArrayAsync(ct);
            return new AcmeResponse(response, body, time);
        }
        catch (HttpRequestException e)
        {
            return AcmeErrors.Unreachable(doing, e.Message);
        }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
        {
            return AcmeErrors.Unreachable(doing, "timed out: " + e.Message);
        }
    }
}

/// <summary>What an ACME server answered: status, Location, Retry-After, Link headers, body.</summary>
internal sealed class AcmeResponse
{
    private readonly List<(string Rel, Uri Url)> _links = [];

    public AcmeResponse(HttpResponseMessage response, byte[] body, TimeProvider time)
    {
        Status = response.StatusCode;
        Body = body;
        Location = response.Headers.Location is { } location
            ? location.IsAbsoluteUri ? location : new Uri(response.RequestMessage!.RequestUri!, location)
            : null;
        RetryAfter = response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - time.GetUtcNow() is var d && d > TimeSpan.Zero ? d : TimeSpan.Zero,
            _ => null,
        };
        if (response.Headers.TryGetValues("Link", out var links))
        {
            foreach (var part in links.SelectMany(l => l.Split(',')))
            {
                var open = part.IndexOf('<', StringComparison.Ordinal);
                var close = part.IndexOf('>', StringComparison.Ordinal);
                var rel = part.IndexOf("rel=", StringComparison.OrdinalIgnoreCase);
                if (open >= 0 && close > open && rel > close
                    && Uri.TryCreate(response.RequestMessage?.RequestUri, part[(open + 1)..close], out var url))
                {
                    _links.Add((part[(rel + 4)..].Trim().Trim('"', ';', ' '), url));
                }
            }
        }

        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if ((int)Status >= 400 && body.Length > 0 && mediaType is not null && mediaType.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            Problem = Json<AcmeProblem>();
        }
    }

    public HttpStatusCode Status { get; }
    public byte[] Body { get; }
    public Uri? Location { get; }
    public TimeSpan? RetryAfter { get; }
    public AcmeProblem? Problem { get; }

    public IReadOnlyList<Uri> Links(string rel) => [.. _links.Where(l => string.Equals(l.Rel, rel, StringComparison.OrdinalIgnoreCase)).Select(l => l.Url)];

    public T? Json<T>()
        where T : class
    {
        try
        {
            return Body.Length == 0 ? null : JsonSerializer.Deserialize<T>(Body, AcmeJson.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
