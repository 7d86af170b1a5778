using System.Security.Cryptography.X509Certificates;

namespace CertMgr.Web.Hosting;

/// <summary>The certificate Kestrel presents; set once initialisation has issued or loaded it.</summary>
public sealed class ConsoleCertificateHolder
{
    private X509Certificate2? _certificate;

    public X509Certificate2 Certificate
    {
        get => Volatile.Read(ref _certificate) ?? throw new InvalidOperationException("The console certificate is not loaded yet.");
        set => Volatile.Write(ref _certificate, value);
    }
}
