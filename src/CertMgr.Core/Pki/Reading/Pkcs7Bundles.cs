using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using CertMgr.Core.Common;

namespace CertMgr.Core.Pki.Reading;

/// <summary>PKCS#7 / CMS certificate bundles (.p7b, .p7c), as written by <c>openssl crl2pkcs7</c> and Windows.</summary>
internal static class Pkcs7Bundles
{
    public static Result<bool> ReadInto(FileContents contents, byte[] der, ReadOptions options)
    {
        var cms = new SignedCms();
        System.Security.Cryptography.X509Certificates.X509Certificate2Collection certificates;
        try
        {
            cms.Decode(der);
            // The certificates are decoded when first read, so a corrupt one only shows here.
            certificates = cms.Certificates;
        }
        catch (CryptographicException)
        {
            return ReadErrors.Malformed("The PKCS#7 data is malformed or truncated.");
        }

        if (certificates.Count + contents.Certificates.Count > options.MaxCertificates)
        {
            foreach (var certificate in certificates)
            {
                certificate.Dispose();
            }

            return new Error(ReadErrors.TooLarge, $"The PKCS#7 bundle holds more than {options.MaxCertificates} certificates.");
        }

        contents.Certificates.AddRange(certificates);
        return true;
    }
}
