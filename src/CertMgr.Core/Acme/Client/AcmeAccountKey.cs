using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace CertMgr.Core.Acme.Client;

/// <summary>
/// An ACME account key: ES256 (P-256, the default) or RS256. Signs JWS and gives its JWK and RFC 7638 thumbprint.
/// The key leaves only as PKCS#8, to be sealed by the caller.
/// </summary>
public sealed class AcmeAccountKey : IDisposable
{
    private readonly ECDsa? _ec;
    private readonly RSA? _rsa;

    private AcmeAccountKey(ECDsa? ec, RSA? rsa)
    {
        _ec = ec;
        _rsa = rsa;
    }

    /// <summary>The JWS algorithm: ES256 or RS256.</summary>
    public string Algorithm => _ec is not null ? "ES256" : "RS256";

    public static AcmeAccountKey CreateEs256() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256), null);

    public static AcmeAccountKey CreateRs256() => new(null, RSA.Create(2048));

    /// <summary>Opens a key exported by <see cref="ExportPkcs8"/>.</summary>
    public static AcmeAccountKey FromPkcs8(byte[] pkcs8)
    {
        ArgumentNullException.ThrowIfNull(pkcs8);
        var ec = ECDsa.Create();
        try
        {
            ec.ImportPkcs8PrivateKey(pkcs8, out _);
            return new AcmeAccountKey(ec, null);
        }
        catch (CryptographicException)
        {
            ec.Dispose();
        }

        var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(pkcs8, out _);
        return new AcmeAccountKey(null, rsa);
    }

    public byte[] ExportPkcs8() => _ec is not null ? _ec.ExportPkcs8PrivateKey() : _rsa!.ExportPkcs8PrivateKey();

    /// <summary>The public key as a JWK, members in lexicographic order (as RFC 7638 hashes them).</summary>
    public JsonObject Jwk()
    {
        if (_ec is not null)
        {
            var p = _ec.ExportParameters(false);
            return new JsonObject
            {
                ["crv"] = "P-256",
                ["kty"] = "EC",
                ["x"] = Base64Url.Encode(p.Q.X!),
                ["y"] = Base64Url.Encode(p.Q.Y!),
            };
        }

        var r = _rsa!.ExportParameters(false);
        return new JsonObject
        {
            ["e"] = Base64Url.Encode(r.Exponent!),
            ["kty"] = "RSA",
            ["n"] = Base64Url.Encode(r.Modulus!),
        };
    }

    /// <summary>The RFC 7638 JWK thumbprint (SHA-256, base64url), part of every key authorization.</summary>
    public string Thumbprint() => JwkThumbprint.Of(Jwk());

    /// <summary>The key authorization for a challenge token (RFC 8555 8.1).</summary>
    public string KeyAuthorization(string token) => token + "." + Thumbprint();

    /// <summary>Signs the JWS signing input: ECDSA as R||S (IEEE P1363), RSA as PKCS#1 v1.5, both SHA-256.</summary>
    public byte[] Sign(byte[] data) =>
        _ec is not null
            ? _ec.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)
            : _rsa!.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    public void Dispose()
    {
        _ec?.Dispose();
        _rsa?.Dispose();
    }
}

/// <summary>The RFC 7638 thumbprint, shared by the client (key authorizations) and the server (account keys).</summary>
public static class JwkThumbprint
{
    /// <summary>Base64url SHA-256 of a JWK holding only its required members, in lexicographic order (RFC 7638 3).</summary>
    public static string Of(JsonObject canonical)
    {
        ArgumentNullException.ThrowIfNull(canonical);
        return Base64Url.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToJsonString())));
    }
}

/// <summary>Base64url without padding (RFC 7515 2).</summary>
public static class Base64Url
{
    public static string Encode(ReadOnlySpan<byte> data) => System.Buffers.Text.Base64Url.EncodeToString(data);

    public static string Encode(string text) => Encode(Encoding.UTF8.GetBytes(text));

    public static byte[] Decode(string text) => System.Buffers.Text.Base64Url.DecodeFromChars(text);
}
