using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.PrivateCa;
using CertMgr.Data.Model;
using X509Request = System.Security.Cryptography.X509Certificates.CertificateRequest;

namespace CertMgr.Core.Tests.PrivateCa;

public sealed class CertificateEncoderTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("certmgr-encoder-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private static (X509Certificate2 Cert, AsymmetricAlgorithm Key) Ca(bool rsa)
    {
        AsymmetricAlgorithm key = rsa ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var req = key is RSA r
            ? new X509Request("CN=Encoder Test CA", r, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new X509Request("CN=Encoder Test CA", (ECDsa)key, HashAlgorithmName.SHA384);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
        return (req.CreateSelfSigned(Now.AddDays(-1), Now.AddYears(10)), key);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void Encode_Leaf_VerifiesWithOpensslAndCarriesTheProfile(bool rsaCa, bool rsaLeaf)
    {
        var (caCert, caKey) = Ca(rsaCa);
        using var caCertScope = caCert;
        using var caKeyScope = caKey;
        using AsymmetricAlgorithm leafKey = rsaLeaf ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new IssuanceRequest(
            new X500DistinguishedName("CN=www.example.test, O=Example"),
            PublicKey.CreateFromSubjectPublicKeyInfo(leafKey.ExportSubjectPublicKeyInfo(), out _),
            ["www.example.test", "192.0.2.7", "::1"],
            IssuedCertificateProfile.Server,
            TimeSpan.FromDays(90));
        var serial = CertificateIssuer.NewSerialNumber();

        var der = CertificateEncoder.Encode(new CaSigningContext(caCert, caKey), request, serial, Now, Now.AddDays(90));

        using var leaf = X509CertificateLoader.LoadCertificate(der);
        Assert.Equal(Convert.ToHexString(serial), leaf.SerialNumber);
        Assert.Equal("CN=www.example.test, O=Example", leaf.Subject);
        Assert.Equal(caCert.Subject, leaf.Issuer);
        Assert.Equal(3, leaf.Version);
        Assert.True(leaf.MatchesHostname("www.example.test"));
        Assert.True(leaf.MatchesHostname("192.0.2.7"));
        Assert.True(leaf.MatchesHostname("::1"));
        Assert.False(leaf.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        var ku = leaf.Extensions.OfType<X509KeyUsageExtension>().Single();
        Assert.True(ku.Critical);
        Assert.Equal(rsaLeaf ? X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment : X509KeyUsageFlags.DigitalSignature, ku.KeyUsages);
        Assert.Equal("1.3.6.1.5.5.7.3.1", leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages[0].Value);
        Assert.Equal(
            caCert.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifier,
            Convert.ToHexString(leaf.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().Single().KeyIdentifier!.Value.Span));
        Assert.Equal(Now.UtcDateTime, leaf.NotBefore.ToUniversalTime());
        Assert.Equal(Now.AddDays(90).UtcDateTime, leaf.NotAfter.ToUniversalTime());

        // The real openssl agrees the signature and the chain are good.
        var caPath = Path.Combine(_dir, "ca.pem");
        var leafPath = Path.Combine(_dir, "leaf.pem");
        File.WriteAllText(caPath, caCert.ExportCertificatePem());
        File.WriteAllText(leafPath, leaf.ExportCertificatePem());
        var verified = ExternalTool.Try(null, "openssl", "verify", "-CAfile", caPath, "-purpose", "sslserver", leafPath);
        Assert.True(verified.ExitCode == 0, verified.All);
        Assert.Contains(": OK", verified.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_ClientProfileAndFarFutureExpiry_ClientAuthAndGeneralizedTime()
    {
        var (caCert, caKey) = Ca(rsa: false);
        using var caCertScope = caCert;
        using var caKeyScope = caKey;
        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new IssuanceRequest(new X500DistinguishedName("CN=operator"),
            PublicKey.CreateFromSubjectPublicKeyInfo(leafKey.ExportSubjectPublicKeyInfo(), out _), [], IssuedCertificateProfile.Client, TimeSpan.Zero);
        var notAfter = new DateTimeOffset(2051, 1, 1, 0, 0, 0, TimeSpan.Zero);

        var der = CertificateEncoder.Encode(new CaSigningContext(caCert, caKey), request, CertificateIssuer.NewSerialNumber(), Now, notAfter);

        using var leaf = X509CertificateLoader.LoadCertificate(der);
        Assert.Equal(notAfter.UtcDateTime, leaf.NotAfter.ToUniversalTime());
        Assert.Equal("1.3.6.1.5.5.7.3.2", leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages[0].Value);
        Assert.Empty(leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>());
    }
}
