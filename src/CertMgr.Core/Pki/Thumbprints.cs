using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CertMgr.Core.Pki;

/// <summary>Thumbprints as CertMgr shows and stores them: upper-case hex, no separators.</summary>
public static class Thumbprints
{
    public static string Sha1(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA1));
    }

    public static string Sha256(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256));
    }

    /// <summary>SHA-256 of the SubjectPublicKeyInfo: the same for a key and every certificate made for it.</summary>
    public static string PublicKeySha256(byte[] subjectPublicKeyInfo) =>
        Convert.ToHexString(SHA256.HashData(subjectPublicKeyInfo));

    public static string PublicKeySha256(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return PublicKeySha256(certificate.PublicKey.ExportSubjectPublicKeyInfo());
    }
}
