using System.Formats.Asn1;
using System.Net;
using System.Net.Sockets;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.Common;
using CertMgr.Data.Model;

namespace CertMgr.Core.PrivateCa;

/// <summary>What the CA will sign, decided before any signature: serial, validity window, public key hash.</summary>
public sealed record IssuancePlan(byte[] SerialNumber, DateTimeOffset NotBefore, DateTimeOffset NotAfter, string PublicKeySha256)
{
    public string SerialHex => Convert.ToHexString(SerialNumber);
}

/// <summary>
/// The checks every certificate passes before it is signed: well-formed names, an allowed and not known-weak key,
/// a validity within the profile's maximum and the CA's own. Pure: the clock and the limits are arguments.
/// </summary>
public static class IssuancePolicy
{
    public const int MaxNames = 100;
    public const int MaxSubjectLength = 1024;
    private const string EcPublicKeyOid = "1.2.840.10045.2.1";
    private const string RsaPublicKeyOid = "1.2.840.113549.1.1.1";
    private static readonly string[] AllowedCurves = ["1.2.840.10045.3.1.7", "1.3.132.0.34", "1.3.132.0.35"];

    // Product of the odd primes below 20,000: one GCD shows whether a modulus has any of them as a factor.
    private static readonly BigInteger SmallPrimesProduct = SmallPrimes(20_000).Aggregate(BigInteger.One, (p, q) => p * q);

    public static Result<IssuancePlan> Check(IssuanceRequest request, PrivateCaOptions options, X509Certificate2 caCertificate, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(caCertificate);

        if (request.Subject.RawData.Length == 0 && request.Names.Count == 0)
        {
            return new Error("subject-missing", "The certificate needs a subject or at least one name.");
        }

        if (request.Subject.Name.Length > MaxSubjectLength)
        {
            return new Error("subject-too-long", $"The subject is longer than {MaxSubjectLength} characters.");
        }

        if (request.Profile != IssuedCertificateProfile.Client && request.Names.Count == 0)
        {
            return new Error("names-missing", "A server certificate needs at least one DNS name or IP address.");
        }

        if (request.Names.Count > MaxNames)
        {
            return new Error("names-too-many", $"At most {MaxNames} names are allowed in one certificate.");
        }

        foreach (var name in request.Names)
        {
            if (!IsIpAddress(name) && !IsDnsName(name, allowWildcard: request.Profile == IssuedCertificateProfile.Server))
            {
                return new Error("name-invalid", $"'{Shorten(name)}' is neither a well-formed DNS name nor an IP address.");
            }
        }

        var keyCheck = CheckKey(request.PublicKey);
        if (keyCheck is not null)
        {
            return keyCheck;
        }

        var maxDays = request.Profile == IssuedCertificateProfile.Client ? options.MaxClientValidityDays : options.MaxServerValidityDays;
        if (request.Validity <= TimeSpan.Zero)
        {
            return new Error("validity-invalid", "The validity must be at least one day.");
        }

        if (request.Validity > TimeSpan.FromDays(maxDays))
        {
            return new Error("validity-too-long", $"The validity of {request.Validity.TotalDays:0} days exceeds the maximum of {maxDays} days for {request.Profile} certificates.");
        }

        var caNotAfter = new DateTimeOffset(caCertificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        var caNotBefore = new DateTimeOffset(caCertificate.NotBefore.ToUniversalTime(), TimeSpan.Zero);
        if (now >= caNotAfter || now < caNotBefore)
        {
            return new Error("ca-not-valid", "The CA certificate is not valid now; renew or replace the CA first.");
        }

        var notBefore = now - CertificateIssuer.ClockSkew;
        if (notBefore < caNotBefore)
        {
            notBefore = caNotBefore;
        }

        var notAfter = now + request.Validity;
        if (notAfter > caNotAfter)
        {
            notAfter = caNotAfter; // never beyond the CA's own validity
        }

        var spkiHash = Convert.ToHexString(SHA256.HashData(request.PublicKey.ExportSubjectPublicKeyInfo()));
        return new IssuancePlan(CertificateIssuer.NewSerialNumber(), notBefore, notAfter, spkiHash);
    }

    /// <summary>RSA ≥ 2048 bits with a sound exponent and no small factors, or EC on P-256/P-384/P-521 with a valid point.</summary>
    public static Error? CheckKey(PublicKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        try
        {
            switch (key.Oid.Value)
            {
                case RsaPublicKeyOid:
                    // Read the numbers directly: an import may refuse some weak keys with a less helpful error.
                    var reader = new AsnReader(key.EncodedKeyValue.RawData, AsnEncodingRules.DER);
                    var sequence = reader.ReadSequence();
                    reader.ThrowIfNotEmpty();
                    var modulus = sequence.ReadInteger();
                    var exponent = sequence.ReadInteger();
                    sequence.ThrowIfNotEmpty();
                    return CheckRsa(modulus, exponent);

                case EcPublicKeyOid:
                    var curve = key.EncodedParameters?.RawData is { } p ? ReadCurveOid(p) : null;
                    if (curve is null || !AllowedCurves.Contains(curve))
                    {
                        return new Error("key-not-allowed", "Only the EC curves P-256, P-384 and P-521 are allowed.");
                    }

                    return IsOnCurve(curve, key.EncodedKeyValue.RawData)
                        ? null
                        : new Error("key-invalid", "The public key is malformed or its EC point is not on the curve.");

                default:
                    return new Error("key-not-allowed", $"Key algorithm {key.Oid.FriendlyName ?? key.Oid.Value} is not allowed; use RSA (2048 bits or more) or EC P-256/P-384/P-521.");
            }
        }
        catch (Exception ex) when (ex is CryptographicException or AsnContentException)
        {
            return new Error("key-invalid", "The public key is malformed or its EC point is not on the curve.");
        }
    }

    public static Error? CheckRsa(BigInteger modulus, BigInteger exponent)
    {
        if (modulus.Sign <= 0 || exponent.Sign <= 0)
        {
            return new Error("key-invalid", "The RSA public key has a non-positive modulus or exponent.");
        }

        var bits = modulus.GetBitLength();
        if (bits < 2048)
        {
            return new Error("key-too-small", $"RSA keys must have at least 2048 bits; this one has {bits}.");
        }

        if (bits > 16384)
        {
            return new Error("key-not-allowed", "RSA keys larger than 16384 bits are not allowed.");
        }

        if (exponent.IsEven || exponent < 65537 || exponent.GetBitLength() > 256)
        {
            return new Error("key-weak", "The RSA public exponent must be odd and between 65537 and 2^256.");
        }

        if (modulus.IsEven || !BigInteger.GreatestCommonDivisor(modulus, SmallPrimesProduct).IsOne)
        {
            return new Error("key-weak", "The RSA modulus has a small prime factor; the key is weak.");
        }

        return null;
    }

    /// <summary>A host name of letter-digit-hyphen labels (IDNs in their xn-- form), optionally <c>*.</c> first.</summary>
    public static bool IsDnsName(string name, bool allowWildcard = true)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 253)
        {
            return false;
        }

        var labels = name.Split('.');
        if (labels.Length < 1)
        {
            return false;
        }

        for (var i = 0; i < labels.Length; i++)
        {
            var label = labels[i];
            if (i == 0 && label == "*" && allowWildcard && labels.Length >= 3)
            {
                continue;
            }

            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-' ||
                !label.All(c => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-'))
            {
                return false;
            }
        }

        // An all-numeric last label would be read as an IP address.
        return !labels[^1].All(char.IsAsciiDigit);
    }

    /// <summary>An IPv4 address in dotted-quad form or an IPv6 address; not the loose forms IPAddress also parses.</summary>
    public static bool IsIpAddress(string name)
    {
        if (!IPAddress.TryParse(name, out var ip))
        {
            return false;
        }

        return ip.AddressFamily == AddressFamily.InterNetworkV6
            ? name.Contains(':', StringComparison.Ordinal) && !name.Contains('%', StringComparison.Ordinal)
            : string.Equals(ip.ToString(), name, StringComparison.Ordinal);
    }

    /// <summary>Names in a SAN extension, refusing types other than DNS names and IP addresses.</summary>
    public static Result<IReadOnlyList<string>> ReadSubjectAlternativeNames(X509Extension extension)
    {
        ArgumentNullException.ThrowIfNull(extension);
        var names = new List<string>();
        try
        {
            var reader = new AsnReader(extension.RawData, AsnEncodingRules.DER);
            var sequence = reader.ReadSequence();
            reader.ThrowIfNotEmpty();
            while (sequence.HasData)
            {
                var tag = sequence.PeekTag();
                if (tag == new Asn1Tag(TagClass.ContextSpecific, 2))
                {
                    names.Add(sequence.ReadCharacterString(UniversalTagNumber.IA5String, tag));
                }
                else if (tag == new Asn1Tag(TagClass.ContextSpecific, 7))
                {
                    var bytes = sequence.ReadOctetString(tag);
                    if (bytes.Length is not (4 or 16))
                    {
                        return new Error("name-invalid", "An IP address in the subject alternative names is malformed.");
                    }

                    names.Add(new IPAddress(bytes).ToString());
                }
                else
                {
                    return new Error("name-not-allowed", "Only DNS names and IP addresses are allowed as subject alternative names.");
                }
            }
        }
        catch (Exception ex) when (ex is AsnContentException or CryptographicException)
        {
            return new Error("name-invalid", "The subject alternative names extension is malformed.");
        }

        return names;
    }

    /// <summary>
    /// An uncompressed point (04 || X || Y) with coordinates below p that satisfies y² = x³ + ax + b (mod p). The NIST
    /// curves have cofactor 1, so any such point other than infinity (which has no uncompressed encoding) is in the
    /// prime-order group. Plain arithmetic: about a hundred times cheaper than importing the key into OpenSSL.
    /// </summary>
    internal static bool IsOnCurve(string curveOid, ReadOnlySpan<byte> point)
    {
        var curve = CurveParameters.Value[curveOid];
        var size = (int)((curve.Prime.GetBitLength() + 7) / 8);
        if (point.Length != 1 + (2 * size) || point[0] != 0x04)
        {
            return false;
        }

        var x = new BigInteger(point.Slice(1, size), isUnsigned: true, isBigEndian: true);
        var y = new BigInteger(point.Slice(1 + size, size), isUnsigned: true, isBigEndian: true);
        if (x >= curve.Prime || y >= curve.Prime)
        {
            return false;
        }

        var left = BigInteger.ModPow(y, 2, curve.Prime);
        var right = ((BigInteger.ModPow(x, 3, curve.Prime) + (curve.A * x) + curve.B) % curve.Prime + curve.Prime) % curve.Prime;
        return left == right;
    }

    private sealed record Curve(BigInteger Prime, BigInteger A, BigInteger B);

    // The curves' own parameters, taken from the platform's definitions rather than typed in.
    private static readonly Lazy<Dictionary<string, Curve>> CurveParameters = new(() => AllowedCurves.ToDictionary(oid => oid, oid =>
    {
        using var ec = ECDsa.Create(ECCurve.CreateFromValue(oid));
        var p = ec.ExportExplicitParameters(includePrivateParameters: false).Curve;
        BigInteger Read(byte[] bytes) => new(bytes, isUnsigned: true, isBigEndian: true);
        return new Curve(Read(p.Prime!), Read(p.A!), Read(p.B!));
    }));

    private static string? ReadCurveOid(byte[] parameters)
    {
        try
        {
            var reader = new AsnReader(parameters, AsnEncodingRules.DER);
            return reader.PeekTag() == Asn1Tag.ObjectIdentifier ? reader.ReadObjectIdentifier() : null; // explicit curves: refused
        }
        catch (AsnContentException)
        {
            return null;
        }
    }

    private static string Shorten(string text) =>
        text.Length <= 80 ? text : string.Concat(text.AsSpan(0, 77), "...");

    private static IEnumerable<BigInteger> SmallPrimes(int limit)
    {
        var composite = new bool[limit];
        for (var i = 3; i < limit; i += 2)
        {
            if (composite[i])
            {
                continue;
            }

            yield return new BigInteger(i);
            for (long j = (long)i * i; j < limit; j += 2 * i)
            {
                composite[j] = true;
            }
        }
    }
}
