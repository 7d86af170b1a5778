using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.Pki;
using CertMgr.Data.Model;
using CertMgr.Data.Secrets;

namespace CertMgr.Core.PrivateCa;

/// <summary>Moves keys between memory and their sealed form in <see cref="PrivateKey"/>.</summary>
public static class SealedKeys
{
    public static PrivateKey Seal(AsymmetricAlgorithm key, KeySpec spec, PrivateKeySource source, SecretProtector protector, DateTimeOffset now, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(protector);
        var pkcs8 = key.ExportPkcs8PrivateKey();
        try
        {
            return new PrivateKey
            {
                Name = name,
                Algorithm = spec.Algorithm,
                KeySize = spec.Size,
                Source = source,
                PublicKeySha256 = Thumbprints.PublicKeySha256(key.ExportSubjectPublicKeyInfo()),
                EncryptedPkcs8 = protector.Protect(pkcs8, SecretPurposes.PrivateKey),
                CreatedAt = now,
            };
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    public static AsymmetricAlgorithm Open(PrivateKey stored, SecretProtector protector)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(protector);
        var pkcs8 = protector.Unprotect(stored.EncryptedPkcs8, SecretPurposes.PrivateKey);
        try
        {
            AsymmetricAlgorithm key = stored.Algorithm == KeyAlgorithm.Ecdsa ? ECDsa.Create() : RSA.Create();
            key.ImportPkcs8PrivateKey(pkcs8, out _);
            return key;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    /// <summary>A certificate bound to its private key, in a form TLS servers accept on every platform.</summary>
    public static X509Certificate2 WithKey(X509Certificate2 certificate, AsymmetricAlgorithm key)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        using var bound = key switch
        {
            ECDsa ec => certificate.CopyWithPrivateKey(ec),
            RSA rsa => certificate.CopyWithPrivateKey(rsa),
            _ => throw new NotSupportedException($"Key type {key.GetType().Name} is not supported."),
        };
        // Round-trip through PKCS#12 so the key is usable by SslStream everywhere, not only in this process's memory.
        var pfx = bound.Export(X509ContentType.Pkcs12);
        try
        {
            return X509CertificateLoader.LoadPkcs12(pfx, password: null, X509KeyStorageFlags.EphemeralKeySet);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pfx);
        }
    }
}
