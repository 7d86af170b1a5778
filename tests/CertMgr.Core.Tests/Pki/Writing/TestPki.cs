using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CertMgr.Core.Tests.Pki.Writing;

/// <summary>A root, an intermediate and a server leaf with its key, all of one key algorithm.</summary>
public sealed class TestPki
{
    private static readonly DateTimeOffset NotBefore = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset NotAfter = new(2035, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly Lazy<TestPki> LazyRsa = new(() => new TestPki("rsa"));
    private static readonly Lazy<TestPki> LazyEc = new(() => new TestPki("ec"));

    private TestPki(string algorithm)
    {
        Algorithm = algorithm;
        using var rootKey = NewKey(algorithm);
        using var root = CaRequest("CN=CertMgr Test Root " + algorithm, rootKey).CreateSelfSigned(NotBefore, NotAfter);

        using var intermediateKey = NewKey(algorithm);
        using var intermediateNoKey = CaRequest("CN=CertMgr Test Intermediate " + algorithm, intermediateKey)
            .Create(root, NotBefore, NotAfter, [1]);
        using var intermediate = WithKey(intermediateNoKey, intermediateKey);

        LeafKey = NewKey(algorithm);
        var leafRequest = Request("CN=www.example.test, O=CertMgr Tests, C=DE", LeafKey);
        var sans = new SubjectAlternativeNameBuilder();
        sans.AddDnsName("www.example.test");
        leafRequest.CertificateExtensions.Add(sans.Build());
        leafRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        Leaf = leafRequest.Create(intermediate, NotBefore, NotAfter, [2]);

        Root = X509CertificateLoader.LoadCertificate(root.RawData);
        Intermediate = X509CertificateLoader.LoadCertificate(intermediate.RawData);
        OtherKey = NewKey(algorithm);
    }

    public static TestPki Rsa => LazyRsa.Value;
    public static TestPki Ec => LazyEc.Value;

    public static TestPki For(string algorithm) => algorithm == "rsa" ? Rsa : Ec;

    public string Algorithm { get; }
    public X509Certificate2 Leaf { get; }
    public AsymmetricAlgorithm LeafKey { get; }

    /// <summary>A key of the same type that does not belong to the leaf.</summary>
    public AsymmetricAlgorithm OtherKey { get; }

    public X509Certificate2 Intermediate { get; }
    public X509Certificate2 Root { get; }

    /// <summary>Intermediate then root: nearest issuer first.</summary>
    public IReadOnlyList<X509Certificate2> Chain => [Intermediate, Root];

    private static AsymmetricAlgorithm NewKey(string algorithm) =>
        algorithm == "rsa" ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP256);

    private static CertificateRequest Request(string subject, AsymmetricAlgorithm key) => key switch
    {
        RSA rsa => new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
        ECDsa ec => new CertificateRequest(subject, ec, HashAlgorithmName.SHA256),
        _ => throw new NotSupportedException(),
    };

    private static CertificateRequest CaRequest(string subject, AsymmetricAlgorithm key)
    {
        var request = Request(subject, key);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request;
    }

    private static X509Certificate2 WithKey(X509Certificate2 certificate, AsymmetricAlgorithm key) => key switch
    {
        RSA rsa => certificate.CopyWithPrivateKey(rsa),
        ECDsa ec => certificate.CopyWithPrivateKey(ec),
        _ => throw new NotSupportedException(),
    };
}
