using System.Collections.Concurrent;
using System.Formats.Asn1;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.Pki;
using CertMgr.Core.Pki.Reading;
using CertMgr.Core.Probe;

namespace CertMgr.Core.Discovery;

/// <summary>Whether CertMgr already knows a certificate, and as what.</summary>
public sealed record KnownCertificate(Guid DefinitionId, string DefinitionName, bool LifecycleManaged, bool MonitoringEnabled);

/// <summary>One certificate found on one endpoint, with the verdicts of <see cref="FindingAnalyzer"/>.</summary>
public sealed record DiscoveredCertificate
{
    public required string Address { get; init; }
    public required string Host { get; init; }
    public int Port { get; init; }
    public string? Sni { get; init; }
    public required string Sha1 { get; init; }
    public required string Sha256 { get; init; }
    public required string Subject { get; init; }
    public string? CommonName { get; init; }
    public required string Issuer { get; init; }
    public DateTimeOffset NotBefore { get; init; }
    public DateTimeOffset NotAfter { get; init; }
    public int DaysRemaining { get; init; }
    public required string KeyAlgorithm { get; init; }
    public int KeySize { get; init; }
    public required string SignatureAlgorithm { get; init; }
    public int ChainLength { get; init; }

    /// <summary>The certificates as served, leaf first (DER).</summary>
    public required IReadOnlyList<byte[]> ServedDer { get; init; }

    public string? Protocol { get; init; }
    public bool Trusted { get; init; }
    public required string TrustDetail { get; init; }
    public bool SelfSigned { get; init; }
    public bool Expired { get; init; }
    public bool Expiring { get; init; }
    public bool NotYetValid { get; init; }
    public bool HostnameMatch { get; init; }
    public bool WeakKey { get; init; }
    public bool WeakSignature { get; init; }
    public bool LongValidity { get; init; }
    public KnownCertificate? Known { get; init; }
    public bool Managed => Known is not null;

    /// <summary>Every policy problem in words; empty when the certificate is fine.</summary>
    public required IReadOnlyList<string> Problems { get; init; }

    public string Endpoint => Address.Contains(':', StringComparison.Ordinal) ? $"[{Address}]:{Port}" : $"{Address}:{Port}";
}

/// <summary>
/// Judges found certificates against trust anchors and a <see cref="CertificatePolicy"/>. Built once per scan: the
/// path from each distinct issuer to a trusted root is verified once (an <see cref="X509Chain"/> is costly, and a
/// network usually holds many leaves from few issuers); each leaf then needs only its own signature checked against
/// that issuer. Leaves whose signature scheme this shortcut does not read (RSA-PSS, EdDSA) get a full chain build.
/// Served issuer certificates are parsed once per scan and issuer public keys are opened once per scan and thread
/// (a scan of a farm meets the same few issuers a thousand times). Thread-safe; dispose it when the scan is judged.
/// </summary>
public sealed class FindingAnalyzer : IDisposable
{
    private readonly X509Certificate2Collection _anchors;
    private readonly Dictionary<string, List<X509Certificate2>> _anchorsBySubject;
    private readonly HashSet<string> _anchorHashes;
    private readonly CertificatePolicy _policy;
    private readonly DateTimeOffset _now;
    private readonly Func<string, KnownCertificate?> _known;
    private readonly ConcurrentDictionary<string, (bool Trusted, string Detail)> _issuerPaths = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, X509Certificate2> _servedIssuers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<X509Certificate2, ConcurrentBag<AsymmetricAlgorithm>> _issuerKeys = new(ReferenceEqualityComparer.Instance);

    public FindingAnalyzer(X509Certificate2Collection anchors, CertificatePolicy policy, DateTimeOffset now, Func<string, KnownCertificate?>? known = null)
    {
        ArgumentNullException.ThrowIfNull(anchors);
        ArgumentNullException.ThrowIfNull(policy);
        _anchors = anchors;
        _policy = policy;
        _now = now;
        _known = known ?? (_ => null);
        _anchorsBySubject = [];
        _anchorHashes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var anchor in anchors)
        {
            var key = Convert.ToHexString(anchor.SubjectName.RawData);
            if (!_anchorsBySubject.TryGetValue(key, out var list))
            {
                _anchorsBySubject[key] = list = [];
            }

            list.Add(anchor);
            _anchorHashes.Add(Thumbprints.Sha256(anchor));
        }
    }

    /// <summary>The verdicts on one completed probe.</summary>
    public DiscoveredCertificate Analyze(ProbeResult probe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        var leaf = probe.Leaf;
        var served = probe.ServedDer;
        var sha256 = Thumbprints.Sha256(leaf);
        var notBefore = new DateTimeOffset(leaf.NotBefore.ToUniversalTime(), TimeSpan.Zero);
        var notAfter = new DateTimeOffset(leaf.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        var (keyAlgorithm, keySize) = KeyOf(leaf);
        var (signatureName, signatureHash) = SignatureOf(leaf.SignatureAlgorithm.Value);
        var selfSigned = leaf.SubjectName.RawData.AsSpan().SequenceEqual(leaf.IssuerName.RawData) && VerifySignature(leaf, leaf) == true;
        var (trusted, detail) = Trust(leaf, sha256, served, selfSigned);
        var nameToCheck = probe.Sni ?? probe.Host;
        var hostnameMatch = EndpointChecks.MatchesName(leaf, nameToCheck);
        var days = (int)Math.Floor((notAfter - _now).TotalDays);
        var expired = _now >= notAfter;
        var notYetValid = _now < notBefore;
        var expiring = !expired && days < _policy.ExpiryWarningDays;
        var weakKey = keyAlgorithm switch
        {
            "RSA" => keySize < _policy.MinRsaBits,
            "EC" => keySize < _policy.MinEcBits,
            "DSA" => true,
            _ => false,
        };
        var weakSignature = signatureHash is not null && _policy.ForbiddenSignatureHashes.Contains(signatureHash, StringComparer.OrdinalIgnoreCase);
        var validityDays = (notAfter - notBefore).TotalDays;
        var longValidity = !selfSigned && validityDays > _policy.MaxValidityDays;

        var problems = new List<string>();
        if (!trusted)
        {
            problems.Add($"not trusted: {detail}");
        }

        if (expired)
        {
            problems.Add($"expired on {Iso(notAfter)}");
        }
        else if (notYetValid)
        {
            problems.Add($"not valid before {Iso(notBefore)}");
        }
        else if (expiring)
        {
            problems.Add($"expires in {days} days on {Iso(notAfter)} (warning window {_policy.ExpiryWarningDays} days)");
        }

        if (!hostnameMatch)
        {
            problems.Add($"not valid for {nameToCheck}");
        }

        if (weakKey)
        {
            problems.Add(keyAlgorithm == "DSA" ? "DSA key" : $"{keyAlgorithm} key of {keySize} bits (minimum {(keyAlgorithm == "RSA" ? _policy.MinRsaBits : _policy.MinEcBits)})");
        }

        if (weakSignature)
        {
            problems.Add($"signed with {signatureName} ({signatureHash} is forbidden)");
        }

        if (longValidity)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"valid for {validityDays:0} days (maximum {_policy.MaxValidityDays})"));
        }

        if (selfSigned)
        {
            problems.Add("self-signed");
        }

        return new DiscoveredCertificate
        {
            Address = probe.Address?.ToString() ?? probe.Host,
            Host = probe.Host,
            Port = probe.Port,
            Sni = probe.Sni,
            Sha1 = Thumbprints.Sha1(leaf),
            Sha256 = sha256,
            Subject = leaf.Subject,
            CommonName = CertificateSummary.CommonNameOf(leaf.SubjectName),
            Issuer = leaf.Issuer,
            NotBefore = notBefore,
            NotAfter = notAfter,
            DaysRemaining = days,
            KeyAlgorithm = keyAlgorithm,
            KeySize = keySize,
            SignatureAlgorithm = signatureName,
            ChainLength = served.Count,
            ServedDer = served,
            Protocol = probe.Protocol.ToString(),
            Trusted = trusted,
            TrustDetail = detail,
            SelfSigned = selfSigned,
            Expired = expired,
            Expiring = expiring,
            NotYetValid = notYetValid,
            HostnameMatch = hostnameMatch,
            WeakKey = weakKey,
            WeakSignature = weakSignature,
            LongValidity = longValidity,
            Known = _known(sha256),
            Problems = problems,
        };
    }

    private (bool Trusted, string Detail) Trust(X509Certificate2 leaf, string sha256, IReadOnlyList<byte[]> served, bool selfSigned)
    {
        if (_anchorHashes.Contains(sha256))
        {
            return (true, "the certificate itself is in the trusted CA set");
        }

        if (selfSigned)
        {
            return (false, "self-signed, and not in the trusted CA set");
        }

        // The issuer: a served certificate with the leaf's issuer name whose key verifies the leaf, else a trusted root.
        var issuerName = leaf.IssuerName.RawData;
        var sawIssuerName = false;
        for (var i = 1; i < served.Count; i++)
        {
            var candidate = ServedIssuer(served[i]);
            if (!candidate.SubjectName.RawData.AsSpan().SequenceEqual(issuerName))
            {
                continue;
            }

            sawIssuerName = true;
            switch (VerifyWithIssuer(leaf, candidate))
            {
                case true:
                    return IssuerPath(candidate, served);
                case null:
                    return FullChain(leaf, served);
                default:
                    continue;
            }
        }

        if (_anchorsBySubject.TryGetValue(Convert.ToHexString(issuerName), out var roots))
        {
            foreach (var root in roots)
            {
                switch (VerifyWithIssuer(leaf, root))
                {
                    case true when _now < root.NotBefore.ToUniversalTime() || _now > root.NotAfter.ToUniversalTime():
                        return (false, $"the trusted root '{root.Subject}' has expired or is not yet valid");
                    case true:
                        return (true, $"issued directly by the trusted root '{root.Subject}'");
                    case null:
                        return FullChain(leaf, served);
                    default:
                        break;
                }
            }

            return (false, $"the signature does not verify with the trusted root '{leaf.Issuer}'");
        }

        return sawIssuerName
            ? (false, $"the signature does not verify with the served issuer '{leaf.Issuer}'")
            : (false, $"incomplete chain: the issuer '{leaf.Issuer}' was not served and is not in the trusted CA set");
    }

    /// <summary>The verdict on the path from a served issuer to a trusted root, built once per distinct issuer and chain.</summary>
    private (bool Trusted, string Detail) IssuerPath(X509Certificate2 issuer, IReadOnlyList<byte[]> served)
    {
        var key = Thumbprints.Sha256(issuer) + "|" + served.Count.ToString(CultureInfo.InvariantCulture)
            + string.Concat(served.Skip(1).Select(d => Convert.ToHexString(SHA256.HashData(d))[..16]));
        return _issuerPaths.GetOrAdd(key, _ =>
        {
            if (_anchorHashes.Contains(Thumbprints.Sha256(issuer)))
            {
                return _now < issuer.NotBefore.ToUniversalTime() || _now > issuer.NotAfter.ToUniversalTime()
                    ? (false, $"the trusted CA '{issuer.Subject}' has expired or is not yet valid")
                    : (true, $"issued by the trusted CA '{issuer.Subject}'");
            }

            return BuildChain(issuer, served, issuerIsLeaf: false);
        });
    }

    private (bool Trusted, string Detail) FullChain(X509Certificate2 leaf, IReadOnlyList<byte[]> served) => BuildChain(leaf, served, issuerIsLeaf: true);

    private (bool Trusted, string Detail) BuildChain(X509Certificate2 start, IReadOnlyList<byte[]> served, bool issuerIsLeaf)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_anchors);
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = _now.UtcDateTime;
        var extra = served.Skip(1).Select(X509CertificateLoader.LoadCertificate).ToArray();
        chain.ChainPolicy.ExtraStore.AddRange(extra);
        try
        {
            chain.Build(start);
            var verdict = PathVerdicts.From(chain);
            if (verdict.Valid && !issuerIsLeaf && chain.ChainElements.Count > 0
                && chain.ChainElements[0].ChainElementStatus.Any(s => s.Status == X509ChainStatusFlags.NotTimeValid))
            {
                // PathVerdicts forgives the first element's dates (a leaf's); here the first element is a CA.
                return (false, $"the CA certificate '{start.Subject}' has expired or is not yet valid");
            }

            return (verdict.Valid, verdict.Detail);
        }
        finally
        {
            foreach (var c in extra)
            {
                c.Dispose();
            }
        }
    }

    public void Dispose()
    {
        foreach (var issuer in _servedIssuers.Values)
        {
            issuer.Dispose();
        }

        foreach (var keys in _issuerKeys.Values)
        {
            foreach (var key in keys)
            {
                key.Dispose();
            }
        }

        _servedIssuers.Clear();
        _issuerKeys.Clear();
    }

    /// <summary>A served CA certificate, parsed once per scan (keyed by its DER's SHA-256).</summary>
    private X509Certificate2 ServedIssuer(byte[] der)
    {
        var key = Convert.ToHexString(SHA256.HashData(der));
        if (_servedIssuers.TryGetValue(key, out var known))
        {
            return known;
        }

        var loaded = X509CertificateLoader.LoadCertificate(der);
        var kept = _servedIssuers.GetOrAdd(key, loaded);
        if (!ReferenceEquals(kept, loaded))
        {
            loaded.Dispose();
        }

        return kept;
    }

    /// <summary><see cref="VerifySignature"/> with the issuer's public key opened once and then lent to one thread at a time.</summary>
    private bool? VerifyWithIssuer(X509Certificate2 subject, X509Certificate2 issuer)
    {
        if (ReadSignature(subject) is not { } signed)
        {
            return null;
        }

        if (signed.Family.Length == 0)
        {
            return false;
        }

        var pool = _issuerKeys.GetOrAdd(issuer, _ => []);
        AsymmetricAlgorithm? key = null;
        try
        {
            if (!pool.TryTake(out key))
            {
                key = signed.Family == "RSA" ? issuer.GetRSAPublicKey() : issuer.GetECDsaPublicKey();
            }

            return Verify(signed, key);
        }
        catch (CryptographicException)
        {
            return false;
        }
        finally
        {
            if (key is not null)
            {
                pool.Add(key);
            }
        }
    }

    private sealed record SignedParts(ReadOnlyMemory<byte> Tbs, byte[] Signature, HashAlgorithmName Hash, string Family);

    /// <summary>The signed part, signature, hash and key family ("RSA", "EC") of a certificate; null when the scheme is not read here; Family "" when malformed.</summary>
    private static SignedParts? ReadSignature(X509Certificate2 subject)
    {
        var oid = subject.SignatureAlgorithm.Value;
        var (_, hash) = SignatureOf(oid);
        var name = hash switch
        {
            "SHA256" => HashAlgorithmName.SHA256,
            "SHA384" => HashAlgorithmName.SHA384,
            "SHA512" => HashAlgorithmName.SHA512,
            "SHA1" => HashAlgorithmName.SHA1,
            "MD5" => HashAlgorithmName.MD5,
            _ => default,
        };
        var family = oid switch
        {
            _ when oid is null => null,
            _ when oid.StartsWith("1.2.840.113549.1.1.", StringComparison.Ordinal) => "RSA",
            _ when oid.StartsWith("1.2.840.10045.4.", StringComparison.Ordinal) => "EC",
            _ => null,
        };
        if (name == default || family is null)
        {
            return null;
        }

        try
        {
            var reader = new AsnReader(subject.RawDataMemory, AsnEncodingRules.DER);
            var certificate = reader.ReadSequence();
            var tbs = certificate.ReadEncodedValue();
            certificate.ReadEncodedValue(); // the algorithm, known from the parsed certificate
            return new SignedParts(tbs, certificate.ReadBitString(out _), name, family);
        }
        catch (AsnContentException)
        {
            return new SignedParts(default, [], name, "");
        }
    }

    private static bool Verify(SignedParts signed, AsymmetricAlgorithm? key) => key switch
    {
        RSA rsa => rsa.VerifyData(signed.Tbs.Span, signed.Signature, signed.Hash, RSASignaturePadding.Pkcs1),
        ECDsa ec => ec.VerifyData(signed.Tbs.Span, signed.Signature, signed.Hash, DSASignatureFormat.Rfc3279DerSequence),
        _ => false,
    };

    /// <summary>True when <paramref name="issuer"/>'s key verifies the signature on <paramref name="subject"/>; null when the scheme is not read here.</summary>
    internal static bool? VerifySignature(X509Certificate2 subject, X509Certificate2 issuer)
    {
        if (ReadSignature(subject) is not { } signed)
        {
            return null;
        }

        if (signed.Family.Length == 0)
        {
            return false;
        }

        try
        {
            using var key = signed.Family == "RSA" ? (AsymmetricAlgorithm?)issuer.GetRSAPublicKey() : issuer.GetECDsaPublicKey();
            return Verify(signed, key);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>The signature algorithm's readable name and its hash (upper case, e.g. SHA256), from its OID.</summary>
    public static (string Name, string? Hash) SignatureOf(string? oid) => oid switch
    {
        "1.2.840.113549.1.1.2" => ("md2WithRSA", "MD2"),
        "1.2.840.113549.1.1.4" => ("md5WithRSA", "MD5"),
        "1.2.840.113549.1.1.5" => ("sha1WithRSA", "SHA1"),
        "1.2.840.113549.1.1.11" => ("sha256WithRSA", "SHA256"),
        "1.2.840.113549.1.1.12" => ("sha384WithRSA", "SHA384"),
        "1.2.840.113549.1.1.13" => ("sha512WithRSA", "SHA512"),
        "1.2.840.113549.1.1.10" => ("RSASSA-PSS", null),
        "1.2.840.10045.4.1" => ("ecdsa-with-SHA1", "SHA1"),
        "1.2.840.10045.4.3.2" => ("ecdsa-with-SHA256", "SHA256"),
        "1.2.840.10045.4.3.3" => ("ecdsa-with-SHA384", "SHA384"),
        "1.2.840.10045.4.3.4" => ("ecdsa-with-SHA512", "SHA512"),
        "1.2.840.10040.4.3" => ("dsa-with-SHA1", "SHA1"),
        "1.3.101.112" => ("Ed25519", null),
        "1.3.101.113" => ("Ed448", null),
        _ => (oid ?? "unknown", null),
    };

    /// <summary>"RSA", "EC", "Ed25519", "DSA" or the OID, and the key size in bits.</summary>
    public static (string Algorithm, int Size) KeyOf(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        try
        {
            switch (certificate.PublicKey.Oid.Value)
            {
                case "1.2.840.113549.1.1.1" when RsaModulusBits(certificate.PublicKey.EncodedKeyValue.RawData) is { } bits:
                    return ("RSA", bits);
                case "1.2.840.113549.1.1.1":
                    using (var rsa = certificate.GetRSAPublicKey())
                    {
                        return ("RSA", rsa?.KeySize ?? 0);
                    }

                case "1.2.840.10045.2.1" when NamedCurveBits(certificate.PublicKey.EncodedParameters?.RawData) is { } bits:
                    return ("EC", bits);
                case "1.2.840.10045.2.1":
                    using (var ec = certificate.GetECDsaPublicKey())
                    {
                        return ("EC", ec?.KeySize ?? 0);
                    }

                case "1.2.840.10040.4.1":
                    using (var dsa = certificate.GetDSAPublicKey())
                    {
                        return ("DSA", dsa?.KeySize ?? 0);
                    }

                case "1.3.101.112":
                    return ("Ed25519", 256);
                case "1.3.101.113":
                    return ("Ed448", 456);
                default:
                    return (certificate.PublicKey.Oid.FriendlyName ?? certificate.PublicKey.Oid.Value ?? "unknown", 0);
            }
        }
        catch (CryptographicException)
        {
            return (certificate.PublicKey.Oid.Value ?? "unknown", 0);
        }
    }

    /// <summary>The bit length of an RSAPublicKey's modulus, read from its DER without opening the key; null when it does not parse.</summary>
    internal static int? RsaModulusBits(byte[]? rsaPublicKey)
    {
        if (rsaPublicKey is null)
        {
            return null;
        }

        try
        {
            var sequence = new AsnReader(rsaPublicKey, AsnEncodingRules.DER).ReadSequence();
            var modulus = sequence.ReadIntegerBytes().Span;
            while (modulus.Length > 0 && modulus[0] == 0)
            {
                modulus = modulus[1..];
            }

            return modulus.Length == 0 ? 0 : ((modulus.Length - 1) * 8) + (32 - System.Numerics.BitOperations.LeadingZeroCount((uint)modulus[0]));
        }
        catch (AsnContentException)
        {
            return null;
        }
    }

    /// <summary>The size of a named curve from the key's parameters (an OID); null for other curves or explicit parameters.</summary>
    internal static int? NamedCurveBits(byte[]? parameters)
    {
        if (parameters is null)
        {
            return null;
        }

        try
        {
            return new AsnReader(parameters, AsnEncodingRules.DER).ReadObjectIdentifier() switch
            {
                "1.2.840.10045.3.1.7" => 256, // P-256
                "1.3.132.0.34" => 384, // P-384
                "1.3.132.0.35" => 521, // P-521
                "1.3.132.0.10" => 256, // secp256k1
                "1.2.840.10045.3.1.1" => 192, // P-192
                "1.3.132.0.33" => 224, // P-224
                _ => null,
            };
        }
        catch (AsnContentException)
        {
            return null;
        }
    }

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
