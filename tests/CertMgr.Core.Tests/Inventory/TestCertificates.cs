using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CertMgr.Core.Tests.Inventory;

/// <summary>Quick leaf certificates made in .NET, for tests that need many of them (openssl files are in PkiFiles).</summary>
internal static class TestCertificates
{
    public static X509Certificate2 SelfSigned(string cn, ECDsa? key = null)
    {
        using var owned = key is null ? ECDsa.Create(ECCurve.NamedCurves.nistP256) : null;
        var k = key ?? owned!;
        var request = new CertificateRequest($"CN={cn}, O=Example Org", k, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(cn);
        request.CertificateExtensions.Add(san.Build());
        var now = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        return request.CreateSelfSigned(now, now.AddDays(90));
    }

    public static byte[] Pem(string cn) => System.Text.Encoding.ASCII.GetBytes(SelfSigned(cn).ExportCertificatePem());

    public static byte[] SelfSignedPfx(string cn, string password)
    {
        using var cert = SelfSigned(cn);
        return cert.Export(X509ContentType.Pkcs12, password);
    }
}
