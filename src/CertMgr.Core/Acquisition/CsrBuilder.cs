using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.Inventory;
using CertMgr.Core.Pki;
using CertMgr.Data.Model;
using X509Request = System.Security.Cryptography.X509Certificates.CertificateRequest;

namespace CertMgr.Core.Acquisition;

/// <summary>Builds a definition's PKCS#10 request: its DN and names, signed with the request's key. Pure.</summary>
public static class CsrBuilder
{
    /// <summary>The DER of a CSR for the definition, signed with <paramref name="key"/>.</summary>
    public static byte[] Build(CertificateDefinition definition, AsymmetricAlgorithm key, KeySpec spec)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(spec);
        var subject = DefinitionNames.SubjectOf(definition);
        var request = key switch
        {
            ECDsa ec => new X509Request(subject, ec, spec.SignatureHash),
            RSA rsa => new X509Request(subject, rsa, spec.SignatureHash, RSASignaturePadding.Pkcs1),
            _ => throw new NotSupportedException($"Key type {key.GetType().Name} is not supported."),
        };
        var names = DefinitionNames.Of(definition);
        if (names.Count > 0)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (var name in names)
            {
                if (PrivateCa.IssuancePolicy.IsIpAddress(name) && IPAddress.TryParse(name, out var ip))
                {
                    san.AddIpAddress(ip);
                }
                else
                {
                    san.AddDnsName(name);
                }
            }

            request.CertificateExtensions.Add(san.Build());
        }

        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            spec.Algorithm == KeyAlgorithm.Rsa ? X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment : X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        return request.CreateSigningRequest();
    }

    public static string ToPem(byte[] csrDer) => PemEncoding.WriteString("CERTIFICATE REQUEST", csrDer) + "\n";
}
