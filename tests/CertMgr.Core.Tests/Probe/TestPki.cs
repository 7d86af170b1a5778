using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CertMgr.Core.Tests.Probe;

/// <summary>A root → intermediate → leaf hierarchy made in memory for probe and check tests.</summary>
internal sealed class TestPki : IDisposable
{
    private readonly ECDsa _rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TestPki(string rootName = "CN=Probe Test Root")
    {
        var now = TimeProvider.System.GetUtcNow();
        var rootRequest = new CertificateRequest(rootName, _rootKey, HashAlgorithmName.SHA256);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        rootRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        rootRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(rootRequest.PublicKey, false));
        Root = rootRequest.CreateSelfSigned(now.AddDays(-400), now.AddYears(5));

        var intermediateRequest = new CertificateRequest("CN=Probe Test Intermediate", _intermediateKey, HashAlgorithmName.SHA256);
        intermediateRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        intermediateRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        intermediateRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(intermediateRequest.PublicKey, false));
        intermediateRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Root, true, false));
        using var intermediate = intermediateRequest.Create(Root, now.AddDays(-400), now.AddYears(4), [1, 2, 3, 4]);
        Intermediate = intermediate.CopyWithPrivateKey(_intermediateKey);
    }

    public X509Certificate2 Root { get; }
    public X509Certificate2 Intermediate { get; }

    public X509Certificate2Collection Anchors => [Root];

    /// <summary>A leaf with its key for a TLS server, issued by the intermediate.</summary>
    public X509Certificate2 Leaf(string cn, string[] dnsNames, TimeSpan? validFor = null, DateTimeOffset? notBefore = null, string? subject = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject ?? $"CN={cn}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in dnsNames)
        {
            if (System.Net.IPAddress.TryParse(name, out var ip))
            {
                san.AddIpAddress(ip);
            }
            else
            {
                san.AddDnsName(name);
            }
        }

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Intermediate, true, false));
        var from = notBefore ?? TimeProvider.System.GetUtcNow().AddDays(-1);
        using var leaf = request.Create(Intermediate, from, from + (validFor ?? TimeSpan.FromDays(90)), RandomNumberGenerator.GetBytes(12));
        var withKey = leaf.CopyWithPrivateKey(key);
        // Round trip so SslStream can use the key on every platform.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    public void Dispose()
    {
        Root.Dispose();
        Intermediate.Dispose();
        _rootKey.Dispose();
        _intermediateKey.Dispose();
    }
}
