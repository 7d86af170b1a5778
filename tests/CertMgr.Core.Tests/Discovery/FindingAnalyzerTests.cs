using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.Discovery;
using CertMgr.Core.Probe;

namespace CertMgr.Core.Tests.Discovery;

/// <summary>
/// The analyzer's shortcuts against the slow, obvious way: key sizes read from the key's DER match the opened key, and
/// issuer keys opened once per scan and lent to threads still tell a genuine signature from a forged one.
/// </summary>
public sealed class FindingAnalyzerTests
{
    private static readonly DateTimeOffset Now = TimeProvider.System.GetUtcNow();

    [Theory]
    [InlineData(1024)]
    [InlineData(2048)]
    [InlineData(2056)]
    [InlineData(3072)]
    public void KeyOf_Rsa_SizeReadFromTheDerIsTheOpenedKeysSize(int bits)
    {
        using var key = RSA.Create(bits);
        using var certificate = new CertificateRequest("CN=rsa", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).CreateSelfSigned(Now.AddDays(-1), Now.AddDays(1));
        using var opened = certificate.GetRSAPublicKey()!;

        Assert.Equal(("RSA", opened.KeySize), FindingAnalyzer.KeyOf(certificate));
        Assert.Equal(bits, opened.KeySize);
    }

    [Theory]
    [InlineData("nistP256", 256)]
    [InlineData("nistP384", 384)]
    [InlineData("nistP521", 521)]
    public void KeyOf_NamedCurve_SizeReadFromTheParametersIsTheOpenedKeysSize(string curve, int bits)
    {
        using var key = ECDsa.Create(ECCurve.CreateFromFriendlyName(curve));
        using var certificate = new CertificateRequest("CN=ec", key, HashAlgorithmName.SHA256).CreateSelfSigned(Now.AddDays(-1), Now.AddDays(1));
        using var opened = certificate.GetECDsaPublicKey()!;

        Assert.Equal(("EC", opened.KeySize), FindingAnalyzer.KeyOf(certificate));
        Assert.Equal(bits, opened.KeySize);
    }

    [Fact]
    public void RsaModulusBits_Malformed_IsNullSoTheKeyIsOpenedInstead()
    {
        Assert.Null(FindingAnalyzer.RsaModulusBits([0x30, 0x03, 0x02]));
        Assert.Null(FindingAnalyzer.NamedCurveBits([0x06, 0x05, 0x2b]));
        Assert.Null(FindingAnalyzer.NamedCurveBits([0x06, 0x03, 0x2b, 0x65, 0x70])); // an OID that is not a known curve
    }

    [Fact]
    public void Analyze_ManyLeavesOfOneIssuerInParallel_GenuineTrustedForgedRejected()
    {
        using var rootKey = RSA.Create(2048);
        using var root = CertificateAuthority("CN=Analyzer Root", rootKey, null, null);
        using var intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var intermediate = CertificateAuthority("CN=Analyzer Intermediate", intermediateKey, root, rootKey);
        // A forger's CA with the intermediate's name but another key: what it signs must never pass as the intermediate's.
        using var forgerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var forger = CertificateAuthority("CN=Analyzer Intermediate", forgerKey, root, rootKey);

        var probes = new List<(ProbeResult Probe, bool Genuine, bool ViaRoot)>();
        for (var i = 0; i < 120; i++)
        {
            var genuine = i % 7 != 3;
            var viaRoot = i % 5 == 0;
            var (issuer, issuerSigner) = viaRoot ? (root, (AsymmetricAlgorithm)rootKey) : genuine ? (intermediate, intermediateKey) : (forger, forgerKey);
            using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest($"CN=host{i}.test", leafKey, HashAlgorithmName.SHA256);
            var sans = new SubjectAlternativeNameBuilder();
            sans.AddDnsName($"host{i}.test");
            request.CertificateExtensions.Add(sans.Build());
            var generator = issuerSigner is RSA rsa ? X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1) : X509SignatureGenerator.CreateForECDsa((ECDsa)issuerSigner);
            using var leaf = request.Create(issuer.SubjectName, generator, Now.AddDays(-1), Now.AddDays(60), [(byte)(i + 1), 7]);
            // The forged leaf is served with the genuine intermediate, as an attacker would.
            byte[][] served = viaRoot ? [leaf.RawData] : [leaf.RawData, intermediate.RawData];
            probes.Add((ProbeResult.Succeeded($"host{i}.test", 443, null, IPAddress.Loopback, served, SslProtocols.Tls13, TlsCipherSuite.TLS_AES_128_GCM_SHA256, null,
                new ProbeTimings(TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero)), genuine || viaRoot, viaRoot));
        }

        using var analyzer = new FindingAnalyzer([root], CertificatePolicy.Default, Now);
        var found = new DiscoveredCertificate[probes.Count];
        Parallel.For(0, probes.Count, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => found[i] = analyzer.Analyze(probes[i].Probe));

        for (var i = 0; i < probes.Count; i++)
        {
            Assert.True(probes[i].Genuine == found[i].Trusted, $"host{i}: expected trusted={probes[i].Genuine}, got '{found[i].TrustDetail}'");
            Assert.Equal(("EC", 256), (found[i].KeyAlgorithm, found[i].KeySize));
            Assert.True(found[i].HostnameMatch);
        }

        Assert.Contains("does not verify", found[3].TrustDetail, StringComparison.Ordinal);
        Assert.Contains("trusted root", found[0].TrustDetail, StringComparison.Ordinal);
    }

    private static X509Certificate2 CertificateAuthority(string name, AsymmetricAlgorithm key, X509Certificate2? parent, RSA? parentKey)
    {
        var request = key is RSA rsa
            ? new CertificateRequest(name, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new CertificateRequest(name, (ECDsa)key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        if (parent is null)
        {
            return request.CreateSelfSigned(Now.AddDays(-10), Now.AddYears(5));
        }

        using var issued = request.Create(parent.SubjectName, X509SignatureGenerator.CreateForRSA(parentKey!, RSASignaturePadding.Pkcs1),
            Now.AddDays(-5), Now.AddYears(2), RandomNumberGenerator.GetBytes(8));
        return X509CertificateLoader.LoadCertificate(issued.RawData);
    }
}
