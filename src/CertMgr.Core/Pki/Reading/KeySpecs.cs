using System.Security.Cryptography.X509Certificates;
using CertMgr.Data.Model;

namespace CertMgr.Core.Pki.Reading;

public static class KeySpecs
{
    /// <summary>The key type and size of an RSA or EC certificate (callers have checked the algorithm).</summary>
    public static KeySpec Of(X509Certificate2 certificate)
    {
        using var rsa = certificate.GetRSAPublicKey();
        if (rsa is not null)
        {
            return new KeySpec(KeyAlgorithm.Rsa, rsa.KeySize);
        }

        using var ec = certificate.GetECDsaPublicKey();
        return new KeySpec(KeyAlgorithm.Ecdsa, ec?.KeySize ?? 0);
    }
}
