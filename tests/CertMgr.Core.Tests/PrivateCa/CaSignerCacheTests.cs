using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using CertMgr.Core.Pki;
using CertMgr.Core.PrivateCa;
using CertMgr.Data;
using Microsoft.Extensions.DependencyInjection;
using X509Request = System.Security.Cryptography.X509Certificates.CertificateRequest;

namespace CertMgr.Core.Tests.PrivateCa;

public sealed class CaSignerCacheTests
{
    private static byte[] Csr(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new X509Request($"CN={name}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        request.CertificateExtensions.Add(san.Build());
        return Encoding.ASCII.GetBytes(request.CreateSigningRequestPem());
    }

    private static Task<X509Certificate2> IssueAsync(CoreFixture f, string name) => f.WithAsync(async sp =>
    {
        var result = await sp.GetRequiredService<CaIssuance>().IssueForCsrAsync(Csr(name), null, "tester", CancellationToken.None);
        Assert.True(result.IsSuccess, result.Error?.Message);
        return result.Value;
    });

    [Fact]
    public async Task Get_SameCa_ReturnsTheSameOpenSigner()
    {
        await using var f = await CoreFixture.CreateAsync();

        var (first, second) = await f.WithAsync(async sp =>
        {
            var cache = sp.GetRequiredService<CaSignerCache>();
            var db = sp.GetRequiredService<CertMgrDbContext>();
            var ca = sp.GetRequiredService<PrivateCaService>();
            return ((await cache.GetAsync(db, ca, CancellationToken.None)).Value, (await cache.GetAsync(db, ca, CancellationToken.None)).Value);
        });

        Assert.Same(first, second);
    }

    [Fact]
    public async Task IssueForCsr_AfterCaReplaced_SignsWithTheNewCa()
    {
        await using var f = await CoreFixture.CreateAsync();
        using var before = await IssueAsync(f, "before.example.test");

        await f.WithAsync(sp => sp.GetRequiredService<PrivateCaService>().CreateRootAsync(
            new X500DistinguishedName("CN=Replacement CA"), KeySpec.EcP256, "tester", CancellationToken.None));
        using var after = await IssueAsync(f, "after.example.test");

        Assert.Contains("CertMgr Auto-Generated CA", before.Issuer, StringComparison.Ordinal);
        Assert.Equal("CN=Replacement CA", after.Issuer);
    }
}
