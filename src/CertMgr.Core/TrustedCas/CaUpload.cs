using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using CertMgr.Core.Common;
using CertMgr.Core.Pki.Reading;
using CertMgr.Core.Probe;

namespace CertMgr.Core.TrustedCas;

/// <summary>
/// Reads the CA certificates of an upload for a Trusted CA Set: a PEM bundle, one DER certificate, a PKCS#7 bundle
/// (DER or PEM), or anything else <see cref="CertificateReader"/> reads. Every certificate must be a CA
/// (basicConstraints CA:TRUE); an upload with an end-entity certificate is refused as a whole, with its subject.
/// </summary>
public static class CaUpload
{
    public const int MaxCertificates = 500;

    public static Result<List<X509Certificate2>> Read(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Length == 0)
        {
            return new Error("upload-empty", "The uploaded file is empty.");
        }

        var read = ReadAny(data);
        if (!read.IsSuccess)
        {
            return read.Error;
        }

        var certs = read.Value;
        if (certs.Count > MaxCertificates)
        {
            certs.ForEach(c => c.Dispose());
            return new Error("too-many-certificates", $"The upload holds {certs.Count} certificates; at most {MaxCertificates} at once.");
        }

        var notCa = certs.FirstOrDefault(c => !IsCa(c));
        if (notCa is not null)
        {
            var subject = notCa.Subject;
            certs.ForEach(c => c.Dispose());
            return new Error("not-a-ca",
                $"'{subject}' is an end-entity certificate (no basicConstraints CA:TRUE); only CA certificates can be trusted. Upload the CA that issued it instead.");
        }

        return certs;
    }

    public static bool IsCa(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is { CertificateAuthority: true };
    }

    private static Result<List<X509Certificate2>> ReadAny(byte[] data)
    {
        var anchors = TrustAnchorFiles.Read(data, "The uploaded file");
        if (anchors.IsSuccess)
        {
            return anchors.Value.Cast<X509Certificate2>().ToList();
        }

        if (anchors.Error.Code == "too-large")
        {
            return anchors.Error;
        }

        if (ReadPkcs7(data) is { } bundle)
        {
            return bundle;
        }

        // PKCS#12, JKS and the other containers of the PKI reader: the leaf and its chain are all candidates.
        var read = CertificateReader.Read(data, ReadOptions.Default);
        if (!read.IsSuccess)
        {
            return read.Error.Code is ReadErrors.PasswordRequired or ReadErrors.WrongPassword
                ? new Error("upload-encrypted", "The uploaded file is password-protected; upload the CA certificate as PEM, DER or PKCS#7.")
                : new Error("upload-unreadable", "The uploaded file is not a certificate: expected PEM, DER or PKCS#7 (.p7b).");
        }

        using (read.Value)
        {
            return new List<X509Certificate2>([
                X509CertificateLoader.LoadCertificate(read.Value.Leaf.RawData),
                .. read.Value.Chain.Select(c => X509CertificateLoader.LoadCertificate(c.RawData))]);
        }
    }

    private static List<X509Certificate2>? ReadPkcs7(byte[] data)
    {
        var der = data;
        var text = Encoding.ASCII.GetString(data);
        if (text.Contains("-----BEGIN PKCS7-----", StringComparison.Ordinal))
        {
            var start = text.IndexOf("-----BEGIN PKCS7-----", StringComparison.Ordinal);
            if (!PemEncoding.TryFind(text.AsSpan(start), out var fields))
            {
                return null;
            }

            der = Convert.FromBase64String(text.AsSpan(start)[fields.Base64Data].ToString());
        }

        try
        {
            var cms = new SignedCms();
            cms.Decode(der);
            var certs = cms.Certificates.Cast<X509Certificate2>().ToList();
            return certs.Count == 0 ? null : certs;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}
