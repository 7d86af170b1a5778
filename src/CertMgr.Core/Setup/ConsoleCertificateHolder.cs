using System.Security.Cryptography.X509Certificates;

namespace CertMgr.Core.Setup;

/// <summary>
/// The certificate Kestrel presents (its ServerCertificateSelector reads it on every handshake); set once
/// initialisation has issued or loaded it, and swapped when a certificate is installed into this CertMgr, so the new
/// one is served without a restart.
/// </summary>
public sealed class ConsoleCertificateHolder
{
    private X509Certificate2? _certificate;

    public X509Certificate2 Certificate
    {
        get => Volatile.Read(ref _certificate) ?? throw new InvalidOperationException("The console certificate is not loaded yet.");
        set => Volatile.Write(ref _certificate, value);
    }

    /// <summary>Whether a certificate has been set (a CLI process never serves one).</summary>
    public bool IsLoaded => Volatile.Read(ref _certificate) is not null;
}
