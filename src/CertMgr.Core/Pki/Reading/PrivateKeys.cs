using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using CertMgr.Core.Common;

namespace CertMgr.Core.Pki.Reading;

/// <summary>Decodes private keys (PKCS#1, SEC1, PKCS#8, encrypted PKCS#8) into .NET RSA or ECDsa objects.</summary>
internal static class PrivateKeys
{
    private const string RsaOid = "1.2.840.113549.1.1.1";
    private const string EcOid = "1.2.840.10045.2.1";

    private static readonly Dictionary<string, string> KnownAlgorithms = new(StringComparer.Ordinal)
    {
        ["1.3.101.112"] = "Ed25519",
        ["1.3.101.113"] = "Ed448",
        ["1.3.101.110"] = "X25519",
        ["1.3.101.111"] = "X448",
        ["1.2.840.10040.4.1"] = "DSA",
        ["1.2.840.113549.1.1.10"] = "RSASSA-PSS",
        ["1.2.643.7.1.1.1.1"] = "GOST R 34.10-2012",
    };

    public static string AlgorithmName(string? oid) =>
        oid is null ? "unknown" : KnownAlgorithms.TryGetValue(oid, out var name) ? $"{name} ({oid})" : oid;

    public static bool IsSupportedAlgorithm(string? oid) => oid is RsaOid or EcOid;

    /// <summary>An unencrypted PKCS#8 PrivateKeyInfo.</summary>
    public static Result<AsymmetricAlgorithm> FromPkcs8(ReadOnlyMemory<byte> pkcs8)
    {
        string oid;
        try
        {
            oid = Pkcs8PrivateKeyInfo.Decode(pkcs8, out _, skipCopy: true).AlgorithmId.Value ?? "";
        }
        catch (CryptographicException)
        {
            return ReadErrors.Malformed("The private key (PKCS#8) is malformed or truncated.");
        }

        if (!IsSupportedAlgorithm(oid))
        {
            return ReadErrors.NotSupported($"The private key algorithm {AlgorithmName(oid)} is not supported; use RSA or EC (ECDSA).");
        }

        AsymmetricAlgorithm key = oid == RsaOid ? RSA.Create() : ECDsa.Create();
        try
        {
            key.ImportPkcs8PrivateKey(pkcs8.Span, out _);
            return key;
        }
        catch (CryptographicException)
        {
            key.Dispose();
            return ReadErrors.NotSupported("The private key parameters are not supported (for EC, use a named curve such as P-256 or P-384).");
        }
    }

    /// <summary>A PKCS#8 EncryptedPrivateKeyInfo (PBES2, or PKCS#12 PBE).</summary>
    public static Result<AsymmetricAlgorithm> FromEncryptedPkcs8(ReadOnlyMemory<byte> encrypted, string? password, int maxIterations)
    {
        var iterations = EncryptedPkcs8Iterations(encrypted);
        if (!iterations.IsSuccess)
        {
            return iterations.Error;
        }

        if (iterations.Value > maxIterations)
        {
            return ReadErrors.NotSupported(
                $"The encrypted private key uses {iterations.Value} key-derivation iterations, more than the limit of {maxIterations}.");
        }

        if (password is null)
        {
            return ReadErrors.PasswordMissing("private key");
        }

        Pkcs8PrivateKeyInfo info;
        try
        {
            info = Pkcs8PrivateKeyInfo.DecryptAndDecode(password, encrypted, out _);
        }
        catch (CryptographicException)
        {
            // A wrong password surfaces as bad padding or as garbage where the PKCS#8 structure should be.
            return ReadErrors.PasswordWrong("private key");
        }

        var pkcs8 = info.Encode();
        try
        {
            return FromPkcs8(pkcs8);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    public static Result<AsymmetricAlgorithm> FromPkcs1(ReadOnlySpan<byte> der)
    {
        var rsa = RSA.Create();
        try
        {
            rsa.ImportRSAPrivateKey(der, out _);
            return rsa;
        }
        catch (CryptographicException)
        {
            rsa.Dispose();
            return ReadErrors.Malformed("The RSA private key (PKCS#1) is malformed or truncated.");
        }
    }

    public static Result<AsymmetricAlgorithm> FromSec1(ReadOnlySpan<byte> der)
    {
        var ec = ECDsa.Create();
        try
        {
            ec.ImportECPrivateKey(der, out _);
            return ec;
        }
        catch (CryptographicException)
        {
            ec.Dispose();
            return ReadErrors.Malformed("The EC private key (SEC1) is malformed, truncated or on an unsupported curve.");
        }
    }

    /// <summary>Reads the KDF iteration count of an EncryptedPrivateKeyInfo without decrypting anything.</summary>
    private static Result<int> EncryptedPkcs8Iterations(ReadOnlyMemory<byte> encrypted)
    {
        try
        {
            var outer = new AsnReader(encrypted, AsnEncodingRules.BER).ReadSequence();
            var algorithm = outer.ReadSequence();
            var oid = algorithm.ReadObjectIdentifier();
            var parameters = algorithm.ReadSequence();
            switch (oid)
            {
                case "1.2.840.113549.1.5.13": // PBES2
                    var kdf = parameters.ReadSequence();
                    var kdfOid = kdf.ReadObjectIdentifier();
                    if (kdfOid != "1.2.840.113549.1.5.12")
                    {
                        return ReadErrors.NotSupported($"The encrypted private key uses the key-derivation function {kdfOid}; only PBKDF2 is supported.");
                    }

                    var pbkdf2 = kdf.ReadSequence();
                    pbkdf2.ReadOctetString();
                    return ReadIterations(pbkdf2);
                default: // PBES1 and PKCS#12 PBE: SEQUENCE { salt, iterations }
                    parameters.ReadOctetString();
                    return ReadIterations(parameters);
            }
        }
        catch (AsnContentException)
        {
            return ReadErrors.Malformed("The encrypted private key is malformed or truncated.");
        }
    }

    private static Result<int> ReadIterations(AsnReader reader) =>
        reader.TryReadInt32(out var count) && count > 0
            ? count
            : ReadErrors.NotSupported("The encrypted private key has an out-of-range iteration count.");
}
