using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertMgr.Data.Model;
using X509Request = System.Security.Cryptography.X509Certificates.CertificateRequest;

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
}

/// <summary>
/// Signs end-entity certificates with a CA certificate and key, in memory. Pure: no clock, no storage. Callers check
/// the request with <see cref="IssuancePolicy"/> first; the plan it returns fixes serial and validity.
/// </summary>
public static class CertificateIssuer
{
    /// <summary>Allowed backdating for clocks that run a little slow on the relying party.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    public static X509Certificate2 Sign(X509Certificate2 caCertificate, AsymmetricAlgorithm caKey, IssuanceRequest request, IssuancePlan plan, CaExtensionUrls urls)
    {
        ArgumentNullException.ThrowIfNull(caCertificate);
        ArgumentNullException.ThrowIfNull(caKey);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(urls);

        var hash = SignatureHash(caKey);
        var csr = new X509Request(request.Subject, request.PublicKey, hash);
        csr.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));

        var isEc = request.PublicKey.Oid.Value == "1.2.840.10045.2.1";
        var usage = X509KeyUsageFlags.DigitalSignature | (isEc ? 0 : X509KeyUsageFlags.KeyEncipherment);
        csr.CertificateExtensions.Add(new X509KeyUsageExtension(usage, true));

        var eku = new OidCollection
        {
            request.Profile == IssuedCertificateProfile.Client
                ? new Oid("1.3.6.1.5.5.7.3.2", "Client Authentication")
                : new Oid("1.3.6.1.5.5.7.3.1", "Server Authentication"),
        };
        csr.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(eku, false));

        if (request.Names.Count > 0)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (var name in request.Names)
            {
                if (IPAddress.TryParse(name, out var ip) && IssuancePolicy.IsIpAddress(name))
                {
                    san.AddIpAddress(ip);
                }
                else
                {
                    san.AddDnsName(name);
                }
            }

            // Critical when the subject is empty (RFC 5280 4.2.1.6).
            csr.CertificateExtensions.Add(san.Build(critical: request.Subject.RawData.Length <= 2));
        }

        csr.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        csr.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(caCertificate, true, false));
        if (urls.CrlDistributionPoints.Count > 0)
        {
            csr.CertificateExtensions.Add(CertificateRevocationListBuilder.BuildCrlDistributionPointExtension(
                urls.CrlDistributionPoints.Select(u => u.AbsoluteUri), critical: false));
        }

        if (urls.CaIssuers.Count > 0 || urls.Ocsp.Count > 0)
        {
            csr.CertificateExtensions.Add(new X509AuthorityInformationAccessExtension(
                urls.Ocsp.Select(u => u.AbsoluteUri), urls.CaIssuers.Select(u => u.AbsoluteUri), critical: false));
        }

        return csr.Create(caCertificate.SubjectName, SignatureGenerator(caKey), plan.NotBefore, plan.NotAfter, plan.SerialNumber);
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
