using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CertMgr.Core.Pki.Reading;

/// <summary>The container a certificate was read from, detected from the content.</summary>
public enum CertificateFormat
{
    Pem,
    Der,
    Pkcs7,
    Pkcs12,
    Jks,
}

/// <summary>
/// What a file (or an Apache-style set of files) holds: the leaf, its private key when present (already proven to
/// match the leaf), and the issuers ordered leaf → root as far as the input allows.
/// </summary>
public sealed class CertificateBundle : IDisposable
{
    internal CertificateBundle(CertificateFormat format, X509Certificate2 leaf, AsymmetricAlgorithm? privateKey, IReadOnlyList<X509Certificate2> chain, KeySpec keySpec)
    {
        Format = format;
        Leaf = leaf;
        PrivateKey = privateKey;
        Chain = chain;
        KeySpec = keySpec;
    }

    public CertificateFormat Format { get; }

    /// <summary>The end-entity certificate. It may carry the private key (PKCS#12); use <see cref="PrivateKey"/>.</summary>
    public X509Certificate2 Leaf { get; }

    /// <summary>The leaf's private key (RSA or ECDsa), or null when the input holds none.</summary>
    public AsymmetricAlgorithm? PrivateKey { get; }

    /// <summary>The issuers of the leaf, nearest first, ending at the root when the input has it. Excludes the leaf.</summary>
    public IReadOnlyList<X509Certificate2> Chain { get; }

    /// <summary>The leaf's public key type and size.</summary>
    public KeySpec KeySpec { get; }

    public void Dispose()
    {
        PrivateKey?.Dispose();
        Leaf.Dispose();
        foreach (var certificate in Chain)
        {
            certificate.Dispose();
        }
    }
}
