using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertMgr.Data.Model;

namespace CertMgr.Core.PrivateCa;

/// <summary>What to put in a certificate the CA signs.</summary>
public sealed record IssuanceRequest(
    X500DistinguishedName Subject,
    PublicKey PublicKey,
    IReadOnlyList<string> Names,
    IssuedCertificateProfile Profile,
    TimeSpan Validity);

/// <summary>URLs the CA puts in every certificate it signs (CRL distribution points, authority information access).</summary>
public sealed record CaExtensionUrls(IReadOnlyList<Uri> CrlDistributionPoints, IReadOnlyList<Uri> CaIssuers, IReadOnlyList<Uri> Ocsp)
{
    public static readonly CaExtensionUrls None = new([], [], []);

    public static CaExtensionUrls From(PrivateCaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new(options.CrlDistributionPoints, options.CaIssuersUrls, options.OcspUrls);
    }

    /// <summary>The CRL distribution points and authority information access extensions these URLs make.</summary>
    public IReadOnlyList<X509Extension> ToExtensions()
    {
        var list = new List<X509Extension>();
        if (CrlDistributionPoints.Count > 0)
        {
            list.Add(CertificateRevocationListBuilder.BuildCrlDistributionPointExtension(CrlDistributionPoints.Select(u => u.AbsoluteUri), critical: false));
        }

        if (CaIssuers.Count > 0 || Ocsp.Count > 0)
        {
            list.Add(new X509AuthorityInformationAccessExtension(Ocsp.Select(u => u.AbsoluteUri), CaIssuers.Select(u => u.AbsoluteUri), critical: false));
        }

        return list;
    }
}

/// <summary>
/// Signs end-entity certificates with a CA certificate and key, in memory. Pure: no clock, no storage. Callers check
/// the request with <see cref="IssuancePolicy"/> first; the plan it returns fixes serial and validity.
/// </summary>
public static class CertificateIssuer
{
    /// <summary>Allowed backdating for clocks that run a little slow on the relying party.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>Signs with a CA whose constant parts are already encoded; returns the certificate's DER.</summary>
    public static byte[] SignDer(CaSigningContext context, IssuanceRequest request, IssuancePlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return CertificateEncoder.Encode(context, request, plan.SerialNumber, plan.NotBefore, plan.NotAfter);
    }

    /// <summary>SHA-384 for a P-384 or larger CA key, SHA-256 otherwise.</summary>
    public static HashAlgorithmName SignatureHash(AsymmetricAlgorithm caKey) =>
        caKey is ECDsa { KeySize: >= 384 } ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA256;

    public static X509SignatureGenerator SignatureGenerator(AsymmetricAlgorithm caKey) => caKey switch
    {
        ECDsa ec => X509SignatureGenerator.CreateForECDsa(ec),
        RSA rsa => X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1),
        _ => throw new NotSupportedException($"CA key type {caKey.GetType().Name} is not supported."),
    };

    /// <summary>A positive serial of 127 random bits (RFC 5280 allows 20 octets; CA/B requires 64 bits of entropy).</summary>
    public static byte[] NewSerialNumber()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        serial[0] |= 0x01; // never a leading zero octet, so the DER encoding keeps all 16 bytes
        return serial;
    }
}
