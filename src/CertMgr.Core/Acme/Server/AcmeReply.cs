using System.Text.Json.Nodes;
using CertMgr.Data.Model;

namespace CertMgr.Core.Acme.Server;

/// <summary>What an ACME resource answers: status, JSON (or a PEM chain), Location and Link headers; Problem: the JSON is a problem document that needs a header (409 key-change).</summary>
public sealed record AcmeReply(int Status, JsonNode? Json, string? Location = null, IReadOnlyList<string>? Links = null, string? Pem = null, bool Problem = false);

/// <summary>The URLs of the server's resources under one base (<c>https://host:port/acme</c>), RFC 8555 7.1.</summary>
public sealed record AcmeUrls(string Base)
{
    public string Directory => Base + "/directory";
    public string NewNonce => Base + "/new-nonce";
    public string NewAccount => Base + "/new-account";
    public string NewOrder => Base + "/new-order";
    public string RevokeCert => Base + "/revoke-cert";
    public string KeyChange => Base + "/key-change";
    public string Account(Guid id) => $"{Base}/acct/{id:N}";
    public string Orders(Guid id) => $"{Base}/acct/{id:N}/orders";
    public string Order(Guid id) => $"{Base}/order/{id:N}";
    public string Finalize(Guid id) => $"{Base}/order/{id:N}/finalize";
    public string Authorization(Guid id) => $"{Base}/authz/{id:N}";
    public string Challenge(Guid id) => $"{Base}/chall/{id:N}";
    public string Certificate(Guid id) => $"{Base}/cert/{id:N}";
    public string IndexLink => $"<{Directory}>;rel=\"index\"";

    /// <summary>The account id in a kid URL of this server.</summary>
    public Guid? AccountIdOf(string kid)
    {
        var prefix = Base + "/acct/";
        return kid.StartsWith(prefix, StringComparison.Ordinal) && Guid.TryParseExact(kid[prefix.Length..], "N", out var id) ? id : null;
    }
}

/// <summary>JSON of the server's objects (RFC 8555 7.1.2-7.1.5).</summary>
public static class AcmeRender
{
    public static string StatusName(AcmeServerStatus status) => status.ToString().ToLowerInvariant();

    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    public static JsonObject Account(AcmeUrls urls, AcmeServerAccount account) => new()
    {
        ["status"] = StatusName(account.Status),
        ["contact"] = new JsonArray([.. account.Contact.Select(c => (JsonNode?)c)]),
        ["orders"] = urls.Orders(account.Id),
    };

    public static JsonObject Order(AcmeUrls urls, AcmeServerOrder order)
    {
        var o = new JsonObject
        {
            ["status"] = StatusName(order.Status),
            ["expires"] = Time(order.Expires),
            ["identifiers"] = new JsonArray([.. order.Identifiers.Select(i => (JsonNode?)new JsonObject { ["type"] = "dns", ["value"] = i })]),
            ["authorizations"] = new JsonArray([.. order.Authorizations.OrderBy(a => a.Identifier, StringComparer.Ordinal).Select(a => (JsonNode?)urls.Authorization(a.Id))]),
            ["finalize"] = urls.Finalize(order.Id),
        };
        if (order.Status == AcmeServerStatus.Valid && order.CertificateId is not null)
        {
            o["certificate"] = urls.Certificate(order.Id);
        }

        if (order.ErrorJson is not null)
        {
            o["error"] = JsonNode.Parse(order.ErrorJson);
        }

        if (order.Profile is not null)
        {
            o["profile"] = order.Profile;
        }

        if (order.Replaces is not null)
        {
            o["replaces"] = order.Replaces;
        }

        return o;
    }

    public static JsonObject Authorization(AcmeUrls urls, AcmeServerAuthorization authz)
    {
        var o = new JsonObject
        {
            ["identifier"] = new JsonObject { ["type"] = "dns", ["value"] = authz.Identifier },
            ["status"] = StatusName(authz.Status),
            ["expires"] = Time(authz.Expires),
            ["challenges"] = new JsonArray([.. authz.Challenges.OrderBy(c => c.Type, StringComparer.Ordinal).Select(c => (JsonNode?)Challenge(urls, c))]),
        };
        if (authz.Wildcard)
        {
            o["wildcard"] = true;
        }

        return o;
    }

    public static JsonObject Challenge(AcmeUrls urls, AcmeServerChallenge c)
    {
        var o = new JsonObject
        {
            ["type"] = c.Type,
            ["url"] = urls.Challenge(c.Id),
            ["token"] = c.Token,
            ["status"] = StatusName(c.Status),
        };
        if (c.Validated is { } v)
        {
            o["validated"] = Time(v);
        }

        if (c.ErrorJson is not null)
        {
            o["error"] = JsonNode.Parse(c.ErrorJson);
        }

        return o;
    }
}
