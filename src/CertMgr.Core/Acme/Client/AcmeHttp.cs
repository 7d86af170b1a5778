using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace CertMgr.Core.Acme.Client;

/// <summary>
/// The HttpClient an ACME connection talks through: the system's trust by default, or only the connection's own CA
/// bundle (e.g. a private or test CA's root) when one is set. Bounded timeout and response size.
/// </summary>
public static class AcmeHttp
{
    public const int MaxResponseBytes = 1024 * 1024;

    public static HttpClient Create(string? caBundlePem, TimeSpan? timeout = null)
    {
        var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(15), AllowAutoRedirect = false };
        if (!string.IsNullOrWhiteSpace(caBundlePem))
        {
            var anchors = new X509Certificate2Collection();
            anchors.ImportFromPem(caBundlePem);
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
                    {
                        return false;
                    }

                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.AddRange(anchors);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return chain.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
                },
            };
        }

        var client = new HttpClient(handler, disposeHandler: true)
        {
            Timeout = timeout ?? TimeSpan.FromSeconds(30),
            MaxResponseContentBufferSize = MaxResponseBytes,
        };
        client.DefaultRequestHeaders.UserAgent.ParseAdd("CertMgr-ACME/1.0");
        return client;
    }
}
