using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CertMgr.Core.Acme.Client;
using CertMgr.Core.Common;

namespace CertMgr.Core.Acme.Server;

/// <summary>A flattened JWS (RFC 7515 7.2.2) as ACME sends it, with its protected header read.</summary>
public sealed record AcmeJwsMessage(
    string ProtectedB64, string PayloadB64, byte[] Signature, string Algorithm, string? Nonce, string Url,
    JsonObject? Jwk, string? Kid, byte[] Payload)
{
    /// <summary>POST-as-GET: the payload is the empty string.</summary>
    public bool IsPostAsGet => PayloadB64.Length == 0;

    public byte[] SigningInput => Encoding.ASCII.GetBytes(ProtectedB64 + "." + PayloadB64);

    /// <summary>A string member of a JSON object, or null when it is missing or not a string (never throws).</summary>
    public static string? Text(JsonObject? o, string name) =>
        o?[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>The payload as a JSON object (an error for POST-as-GET or anything else).</summary>
    public Result<JsonObject> PayloadObject()
    {
        try
        {
            return JsonNode.Parse(Payload) is JsonObject o ? o : AcmeProblems.Malformed("The JWS payload must be a JSON object.");
        }
        catch (JsonException)
        {
            return AcmeProblems.Malformed("The JWS payload is not valid JSON.");
        }
    }
}

/// <summary>A public key from a JWK: verifies JWS signatures, gives its RFC 7638 thumbprint.</summary>
public sealed class AcmeJwk : IDisposable
{
    private readonly ECDsa? _ec;
    private readonly RSA? _rsa;

    private AcmeJwk(ECDsa? ec, RSA? rsa, JsonObject canonical)
    {
        _ec = ec;
        _rsa = rsa;
        Canonical = canonical;
        Thumbprint = JwkThumbprint.Of(canonical);
    }

    /// <summary>The required members only, in lexicographic order (RFC 7638 3).</summary>
    public JsonObject Canonical { get; }

    public string Thumbprint { get; }

    /// <summary>The SubjectPublicKeyInfo, to compare with a certificate's key.</summary>
    public byte[] SubjectPublicKeyInfo => _ec is not null ? _ec.ExportSubjectPublicKeyInfo() : _rsa!.ExportSubjectPublicKeyInfo();

    public static Result<AcmeJwk> From(JsonObject? jwk)
    {
        if (jwk is null)
        {
            return AcmeProblems.Malformed("No JWK.");
        }

        try
        {
            var kty = (string?)jwk["kty"];
            if (kty == "EC")
            {
                var crv = (string?)jwk["crv"];
                var curve = crv switch
                {
                    "P-256" => ECCurve.NamedCurves.nistP256,
                    "P-384" => ECCurve.NamedCurves.nistP384,
                    _ => default(ECCurve?),
                };
                if (curve is null)
                {
                    return AcmeProblems.BadSignatureAlgorithm("Only P-256 and P-384 EC account keys are accepted.");
                }

                var x = Base64Url.Decode((string?)jwk["x"] ?? "");
                var y = Base64Url.Decode((string?)jwk["y"] ?? "");
                var ec = ECDsa.Create(new ECParameters { Curve = curve.Value, Q = new ECPoint { X = x, Y = y } });
                return new AcmeJwk(ec, null, new JsonObject { ["crv"] = crv, ["kty"] = "EC", ["x"] = Base64Url.Encode(x), ["y"] = Base64Url.Encode(y) });
            }

            if (kty == "RSA")
            {
                var n = Base64Url.Decode((string?)jwk["n"] ?? "");
                var e = Base64Url.Decode((string?)jwk["e"] ?? "");
                if (n.Length * 8 < 2040 || n.Length > 1024)
                {
                    return AcmeProblems.Malformed("RSA account keys must have 2048 to 8192 bits.");
                }

                var rsa = RSA.Create(new RSAParameters { Modulus = n, Exponent = e });
                return new AcmeJwk(null, rsa, new JsonObject { ["e"] = Base64Url.Encode(e), ["kty"] = "RSA", ["n"] = Base64Url.Encode(n) });
            }

            return AcmeProblems.BadSignatureAlgorithm("Only EC and RSA account keys are accepted.");
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException or InvalidOperationException or ArgumentException)
        {
            return AcmeProblems.Malformed("The JWK is not a valid public key.");
        }
    }

    public static Result<AcmeJwk> FromJson(string json) => From(JsonNode.Parse(json) as JsonObject);

    /// <summary>Verifies a JWS signature made with this key and the named algorithm.</summary>
    public bool Verify(string algorithm, byte[] data, byte[] signature)
    {
        try
        {
            return algorithm switch
            {
                "ES256" when _ec is { KeySize: 256 } => _ec.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
                "ES384" when _ec is { KeySize: 384 } => _ec.VerifyData(data, signature, HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
                "RS256" when _rsa is not null => _rsa.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
                _ => false,
            };
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        _ec?.Dispose();
        _rsa?.Dispose();
    }
}

/// <summary>Reads a flattened JWS; checks its shape and header (not the signature or the nonce: callers do).</summary>
public static class AcmeJws
{
    private static readonly string[] Algorithms = ["ES256", "ES384", "RS256"];

    public static Result<AcmeJwsMessage> Parse(ReadOnlySpan<byte> body)
    {
        JsonObject? root;
        try
        {
            root = JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException)
        {
            return AcmeProblems.Malformed("The request body is not JSON.");
        }

        if (root is null
            || root["protected"] is not JsonValue p || !p.TryGetValue<string>(out var protectedB64)
            || root["payload"] is not JsonValue pl || !pl.TryGetValue<string>(out var payloadB64)
            || root["signature"] is not JsonValue s || !s.TryGetValue<string>(out var signatureB64))
        {
            return AcmeProblems.Malformed("The request body must be a flattened JWS with protected, payload and signature.");
        }

        if (root.ContainsKey("header"))
        {
            return AcmeProblems.Malformed("An unprotected JWS header is not allowed.");
        }

        JsonObject? header;
        byte[] payload;
        byte[] signature;
        try
        {
            header = JsonNode.Parse(Base64Url.Decode(protectedB64)) as JsonObject;
            payload = Base64Url.Decode(payloadB64);
            signature = Base64Url.Decode(signatureB64);
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return AcmeProblems.Malformed("The JWS parts are not valid base64url JSON.");
        }

        if (header is null)
        {
            return AcmeProblems.Malformed("The protected header is not a JSON object.");
        }

        var alg = Text(header, "alg");
        var url = Text(header, "url");
        var nonce = Text(header, "nonce");
        var kid = Text(header, "kid");
        var jwk = header["jwk"] as JsonObject;
        if (alg is null || !Algorithms.Contains(alg))
        {
            return AcmeProblems.BadSignatureAlgorithm($"Accepted JWS algorithms: {string.Join(", ", Algorithms)}.");
        }

        if (url is null)
        {
            return AcmeProblems.Malformed("The protected header has no url.");
        }

        if ((jwk is null) == (kid is null))
        {
            return AcmeProblems.Malformed("The protected header must have exactly one of jwk and kid.");
        }

        return new AcmeJwsMessage(protectedB64, payloadB64, signature, alg, nonce, url, jwk, kid, payload);
    }

    private static string? Text(JsonObject o, string name) =>
        o[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
