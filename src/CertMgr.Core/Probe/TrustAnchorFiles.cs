using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using CertMgr.Core.Common;

namespace CertMgr.Core.Probe;

/// <summary>Reads trust anchors from CA files: PEM bundles (any number of certificates) or one DER certificate.</summary>
public static class TrustAnchorFiles
{
    public const int MaxBytes = 8 * 1024 * 1024;

    public static Result<X509Certificate2Collection> Read(byte[] data, string source)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Length > MaxBytes)
        {
            return new Error("too-large", $"{source} is larger than {MaxBytes / (1024 * 1024)} MiB.");
        }

        var anchors = new X509Certificate2Collection();
        try
        {
            var text = Encoding.ASCII.GetString(data);
            if (text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
            {
                anchors.ImportFromPem(text);
            }
            else if (data.Length > 0)
            {
                anchors.Add(X509CertificateLoader.LoadCertificate(data));
            }
        }
        catch (CryptographicException)
        {
            return new Error("corrupt", $"{source} holds a certificate that cannot be read.");
        }

        return anchors.Count == 0 ? new Error("no-certificate", $"{source} holds no CA certificate.") : anchors;
    }
}
