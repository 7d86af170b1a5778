using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using CertMgr.Core.Acme.Client;

namespace CertMgr.Web.Tests.AcmeServer;

/// <summary>A hand-driven ACME client for protocol tests: signs whatever JWS a test wants, right or wrong.</summary>
public sealed class AcmeTestClient(HttpClient http, string directoryUrl) : IDisposable
{
    public AcmeAccountKey Key { get; } = AcmeAccountKey.CreateEs256();

    public string? Kid { get; set; }

    public string Base => directoryUrl[..directoryUrl.LastIndexOf('/')];

    public async Task<string> NonceAsync()
    {
        using var response = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, Base + "/new-nonce"));
        return response.Headers.GetValues("Replay-Nonce").Single();
    }

    public static string Jws(AcmeAccountKey signer, JsonObject header, string? payload)
    {
        ArgumentNullException.ThrowIfNull(signer);
        var protectedB64 = Base64Url.Encode(header.ToJsonString());
        var payloadB64 = payload is null ? "" : Base64Url.Encode(payload);
        var signature = signer.Sign(Encoding.ASCII.GetBytes(protectedB64 + "." + payloadB64));
        return new JsonObject { ["protected"] = protectedB64, ["payload"] = payloadB64, ["signature"] = Base64Url.Encode(signature) }.ToJsonString();
    }

    public JsonObject Header(string url, string nonce, bool useJwk = false) => useJwk || Kid is null
        ? new JsonObject { ["alg"] = Key.Algorithm, ["nonce"] = nonce, ["url"] = url, ["jwk"] = Key.Jwk() }
        : new JsonObject { ["alg"] = Key.Algorithm, ["nonce"] = nonce, ["url"] = url, ["kid"] = Kid };

    public async Task<Reply> PostRawAsync(string url, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/jose+json");
        using var response = await http.PostAsync(url, content);
        var text = await response.Content.ReadAsStringAsync();
        return new Reply(response.StatusCode, response.Content.Headers.ContentType?.MediaType, text,
            response.Headers.TryGetValues("Replay-Nonce", out var n) ? n.Single() : null, response.Headers.Location?.ToString());
    }

    /// <summary>A correctly signed POST (payload null = POST-as-GET).</summary>
    public async Task<Reply> PostAsync(string url, JsonObject? payload, bool useJwk = false) =>
        await PostRawAsync(url, Jws(Key, Header(url, await NonceAsync(), useJwk), payload?.ToJsonString()));

    public async Task<Reply> RegisterAsync(JsonObject? extra = null)
    {
        var payload = new JsonObject { ["termsOfServiceAgreed"] = true, ["contact"] = new JsonArray("mailto:test@acme.test") };
        foreach (var (k, v) in extra ?? [])
        {
            payload[k] = v?.DeepClone();
        }

        var reply = await PostAsync(Base + "/new-account", payload, useJwk: true);
        if (reply.Status is HttpStatusCode.Created or HttpStatusCode.OK)
        {
            Kid = reply.Location;
        }

        return reply;
    }

    public async Task<Reply> NewOrderAsync(params string[] names) =>
        await PostAsync(Base + "/new-order", new JsonObject
        {
            ["identifiers"] = new JsonArray([.. names.Select(n => (JsonNode?)new JsonObject { ["type"] = "dns", ["value"] = n })]),
        });

    public void Dispose() => Key.Dispose();

    public sealed record Reply(HttpStatusCode Status, string? ContentType, string Body, string? Nonce, string? Location)
    {
        public JsonObject Json => (JsonObject)JsonNode.Parse(Body)!;

        public string? ProblemType => Json["type"]?.GetValue<string>();
    }
}
