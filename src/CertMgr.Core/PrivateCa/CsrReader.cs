using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using CertMgr.Core.Common;
using CertMgr.Data.Model;
using X509Request = System.Security.Cryptography.X509Certificates.CertificateRequest;

namespace CertMgr.Core.PrivateCa;

/// <summary>Reads a PKCS#10 request (PEM or DER), verifying its signature, into what the CA will sign.</summary>
public static class CsrReader
{
    private const string SubjectAltNameOid = "2.5.29.17";

    /// <summary>Subject and public key from the CSR; names from its SAN extension, else its CN when that is a host name.</summary>
    public static Result<IssuanceRequest> Read(byte[] csr, IssuedCertificateProfile profile, TimeSpan validity)
    {
        ArgumentNullException.ThrowIfNull(csr);
        X509Request request;
        try
        {
            // Extensions are read only to take the names from them; nothing from the CSR is copied blindly.
            const CertificateRequestLoadOptions options = CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions;
            var text = Encoding.ASCII.GetString(csr, 0, Math.Min(csr.Length, 4096));
            request = text.Contains("-----BEGIN", StringComparison.Ordinal)
                ? X509Request.LoadSigningRequestPem(Encoding.ASCII.GetString(csr), HashAlgorithmName.SHA256, options)
                : X509Request.LoadSigningRequest(csr, HashAlgorithmName.SHA256, options);
        }
        catch (Exception ex) when (ex is CryptographicException or AsnContentException or ArgumentException)
        {
            return new Error("csr-invalid", "The file is not a valid certificate signing request, or its signature does not verify.");
        }

        var bc = request.CertificateExtensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
        if (bc is { CertificateAuthority: true })
        {
            return new Error("csr-asks-for-ca", "The request asks for a CA certificate; the private CA issues end-entity certificates only.");
        }

        var names = new List<string>();
        var san = request.CertificateExtensions.FirstOrDefault(e => e.Oid?.Value == SubjectAltNameOid);
        if (san is not null)
        {
            var read = IssuancePolicy.ReadSubjectAlternativeNames(san);
            if (!read.IsSuccess)
            {
                return read.Error;
            }

            names.AddRange(read.Value);
        }

        var cn = request.SubjectName.GetSingleCommonName();
        if (names.Count == 0 && cn is not null && (IssuancePolicy.IsDnsName(cn) || IssuancePolicy.IsIpAddress(cn)))
        {
            names.Add(cn);
        }

        return new IssuanceRequest(request.SubjectName, request.PublicKey, names.Distinct(StringComparer.OrdinalIgnoreCase).ToList(), profile, validity);
    }

    private static string? GetSingleCommonName(this X500DistinguishedName name)
    {
        string? cn = null;
        foreach (var rdn in name.EnumerateRelativeDistinguishedNames())
        {
            if (rdn.GetSingleElementType().Value == "2.5.4.3")
            {
                cn = rdn.GetSingleElementValue();
            }
        }

        return cn;
    }
}
