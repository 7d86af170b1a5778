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
        try
        {
            cms.Decode(der);
        }
        catch (CryptographicException)
        {
            return ReadErrors.Malformed("The PKCS#7 data is malformed or truncated.");
        }

        if (cms.Certificates.Count + contents.Certificates.Count > options.MaxCertificates)
        {
            return new Error(ReadErrors.TooLarge, $"The PKCS#7 bundle holds more than {options.MaxCertificates} certificates.");
        }

        foreach (var certificate in cms.Certificates)
        {
            contents.Certificates.Add(certificate);
        }

        return true;
    }
}
