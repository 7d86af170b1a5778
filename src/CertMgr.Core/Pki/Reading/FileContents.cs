using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CertMgr.Core.Pki.Reading;

/// <summary>Everything one input yielded, before the leaf is chosen and the chain ordered. Owns what it holds.</summary>
internal sealed class FileContents(CertificateFormat format) : IDisposable
{
    public CertificateFormat Format { get; set; } = format;

    public List<X509Certificate2> Certificates { get; } = [];

    public List<AsymmetricAlgorithm> Keys { get; } = [];

    /// <summary>A certificate signing request was seen (so "no certificate" can say what the file is instead).</summary>
    public bool HasRequest { get; set; }

    public void Dispose()
    {
        foreach (var certificate in Certificates)
        {
            certificate.Dispose();
        }

        foreach (var key in Keys)
        {
            key.Dispose();
        }

        Certificates.Clear();
        Keys.Clear();
    }
}
