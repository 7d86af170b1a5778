using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;
using X509Request = System.Security.Cryptography.X509Certificates.CertificateRequest;

namespace CertMgr.Core.Tests.Acquisition;

/// <summary>Definitions for acquisition tests, and a stand-in commercial CA that signs CSRs the way a real one does.</summary>
internal static class AcquisitionTestData
{
    public static async Task<Guid> AddDefinitionAsync(CoreFixture f, string cn = "shop.example.test", IEnumerable<string>? sans = null,
        OperationMode mode = OperationMode.LifecycleManaged, Action<CertificateDefinition>? configure = null)
    {
        return await f.DbAsync(async db =>
        {
            var d = new CertificateDefinition
            {
                Name = cn,
                CommonName = cn,
                Organization = "Example Ltd",
                Country = "DE",
                SubjectAlternativeNames = [.. sans ?? [cn, "www." + cn]],
                OperationMode = mode,
                CreatedAt = f.Time.GetUtcNow(),
                UpdatedAt = f.Time.GetUtcNow(),
            };
            configure?.Invoke(d);
            db.Definitions.Add(d);
            await db.SaveChangesAsync();
            return d.Id;
        });
    }

    public static Task<Product> ProductAsync(CoreFixture f, string provider, string name) =>
        f.DbAsync(db => db.Products.AsNoTracking().SingleAsync(p => p.Provider == provider && p.Name == name));
}

/// <summary>A root and an intermediate that sign CSRs as a commercial CA would (in memory).</summary>
internal sealed class TestCommercialCa : IDisposable
{
    private readonly ECDsa _rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TestCommercialCa(DateTimeOffset now)
    {
        var rootRequest = new X509Request("CN=Test Commercial Root, O=Test Trust", _rootKey, HashAlgorithmName.SHA256);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        rootRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        Root = rootRequest.CreateSelfSigned(now.AddYears(-1), now.AddYears(10));
        var intermediateRequest = new X509Request("CN=Test Commercial DV CA, O=Test Trust", _intermediateKey, HashAlgorithmName.SHA256);
        intermediateRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        intermediateRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        intermediateRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(intermediateRequest.PublicKey, false));
        using var signed = intermediateRequest.Create(Root, now.AddYears(-1), now.AddYears(5), [1, 2, 3, 4]);
        Intermediate = signed.CopyWithPrivateKey(_intermediateKey);
    }

    public X509Certificate2 Root { get; }
    public X509Certificate2 Intermediate { get; }

    /// <summary>Signs a CSR (PEM or DER) as-is: its subject, its SANs, its key.</summary>
    public X509Certificate2 Sign(byte[] csr, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var request = csr[0] == (byte)'-'
            ? X509Request.LoadSigningRequestPem(System.Text.Encoding.ASCII.GetString(csr), HashAlgorithmName.SHA256, CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions)
            : X509Request.LoadSigningRequest(csr, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        return request.Create(Intermediate, notBefore, notAfter, RandomNumberGenerator.GetBytes(12));
    }

    /// <summary>A certificate for the same names but another key.</summary>
    public X509Certificate2 SignOtherKey(string cn, IEnumerable<string> names, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new X509Request($"CN={cn}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var n in names)
        {
            san.AddDnsName(n);
        }

        request.CertificateExtensions.Add(san.Build());
        return request.Create(Intermediate, now.AddDays(-1), now.AddDays(90), RandomNumberGenerator.GetBytes(12));
    }

    /// <summary>The leaf then the intermediate, as PEM (what a CA's download usually looks like).</summary>
    public string PemWithChain(X509Certificate2 leaf) =>
        PemEncoding.WriteString("CERTIFICATE", leaf.RawData) + "\n" + PemEncoding.WriteString("CERTIFICATE", Intermediate.RawData) + "\n";

    public void Dispose()
    {
        Root.Dispose();
        Intermediate.Dispose();
        _rootKey.Dispose();
        _intermediateKey.Dispose();
    }
}
