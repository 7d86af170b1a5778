using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using CertMgr.Core.Inventory;
using CertMgr.Core.PrivateCa;
using CertMgr.Core.Pki;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Data.Secrets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using X509Request = System.Security.Cryptography.X509Certificates.CertificateRequest;

namespace CertMgr.Web.Tests.Api;

/// <summary>/api/v1/certificates and /api/v1/keys over real HTTPS with tokens: listing, details, downloads, exports, refusals.</summary>
public sealed class CertificatesApiTests : IAsyncLifetime
{
    private readonly PlatformApiServer _server = new();
    private Stored _web = null!;
    private Stored _mail = null!;

    private sealed record Stored(Guid CertificateId, Guid DefinitionId, Guid? KeyId, string Sha1, string SerialNumber);

    public async Task InitializeAsync()
    {
        await _server.InitializeAsync();
        _web = await AddAsync("www.shop.example", withKey: true, days: 200, ["www.shop.example", "shop.example"]);
        _mail = await AddAsync("mail.corp.example", withKey: false, days: 10, ["mail.corp.example"]);
    }

    public Task DisposeAsync() => _server.DisposeAsync();

    /// <summary>A definition with a CA-signed certificate (issued by a throwaway issuer, with a one-certificate chain).</summary>
    private async Task<Stored> AddAsync(string cn, bool withKey, int days, string[] sans)
    {
        var now = TimeProvider.System.GetUtcNow();
        using var issuerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var issuerRequest = new X509Request("CN=Test Issuing CA, O=Example", issuerKey, HashAlgorithmName.SHA256);
        issuerRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var issuer = issuerRequest.CreateSelfSigned(now.AddDays(-10), now.AddDays(3650));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new X509Request($"CN={cn}, O=Example", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var s in sans)
        {
            san.AddDnsName(s);
        }

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        using var leaf = request.Create(issuer, now.AddDays(-1), now.AddDays(days), RandomNumberGenerator.GetBytes(12));

        await using var scope = _server.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CertMgrDbContext>();
        var definition = InventoryRecords.NewDefinitionFrom(leaf, OperationMode.LifecycleManaged, now);
        db.Definitions.Add(definition);
        PrivateKey? sealedKey = null;
        if (withKey)
        {
            sealedKey = SealedKeys.Seal(key, KeySpec.EcP256, PrivateKeySource.Imported, scope.ServiceProvider.GetRequiredService<SecretProtector>(), now);
            db.PrivateKeys.Add(sealedKey);
        }

        var certificate = InventoryRecords.NewCertificate(leaf, [issuer], definition.Id, CertificateSource.Imported, now, sealedKey?.Id);
        db.Certificates.Add(certificate);
        await db.SaveChangesAsync();
        definition.CurrentCertificateId = certificate.Id;
        await db.SaveChangesAsync();
        return new Stored(certificate.Id, definition.Id, sealedKey?.Id, certificate.Sha1, certificate.SerialNumber);
    }

    private async Task<HttpClient> ClientAsync(UserRole role) => _server.Client(await _server.TokenForNewUserAsync(role));

    [Fact]
    public async Task List_Anonymous_401()
    {
        using var http = _server.Client();

        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/v1/certificates")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/v1/keys")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync($"/api/v1/certificates/{_web.CertificateId}/download")).StatusCode);
    }

    [Fact]
    public async Task List_SearchFilterSort_FindsByNameSanThumbprintSerial()
    {
        using var http = await ClientAsync(UserRole.User);

        async Task<List<string>> Names(string query)
        {
            using var doc = JsonDocument.Parse(await http.GetStringAsync("/api/v1/certificates" + query));
            return [.. doc.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("commonName").GetString()!)];
        }

        Assert.Equal(["mail.corp.example", "www.shop.example"], await Names(""));
        Assert.Equal(["www.shop.example", "mail.corp.example"], await Names("?sort=expiry&dir=desc"));
        Assert.Equal(["www.shop.example"], await Names("?q=SHOP.example"));
        Assert.Equal(["www.shop.example"], await Names("?q=" + _web.Sha1[..10].ToLowerInvariant()));
        Assert.Equal(["mail.corp.example"], await Names("?q=" + _mail.SerialNumber));
        Assert.Equal(["mail.corp.example"], await Names("?expiry=30d"));
        Assert.Equal(["www.shop.example"], await Names($"?definitionId={_web.DefinitionId}"));
        Assert.Empty(await Names("?issuer=nobody"));
        Assert.Equal(2, (await Names("?issuer=test%20issuing")).Count);
        Assert.Equal(["mail.corp.example"], await Names("?take=1"));
    }

    [Theory]
    [InlineData("?take=0")]
    [InlineData("?take=1000")]
    [InlineData("?skip=-1")]
    [InlineData("?sort=password")]
    [InlineData("?expiry=soon")]
    public async Task List_BadInput_400Problem(string query)
    {
        using var http = await ClientAsync(UserRole.User);

        var response = await http.GetAsync("/api/v1/certificates" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Get_ShowsThumbprintsExtensionsAndChain_UnknownIs404()
    {
        using var http = await ClientAsync(UserRole.User);

        using var doc = JsonDocument.Parse(await http.GetStringAsync($"/api/v1/certificates/{_web.CertificateId}"));
        var missing = await http.GetAsync($"/api/v1/certificates/{Guid.NewGuid()}");

        var root = doc.RootElement;
        Assert.Equal(_web.Sha1, root.GetProperty("sha1").GetString());
        Assert.Equal(64, root.GetProperty("sha256").GetString()!.Length);
        Assert.True(root.GetProperty("hasPrivateKey").GetBoolean());
        Assert.True(root.GetProperty("isCurrent").GetBoolean());
        var extensions = root.GetProperty("extensions").EnumerateArray().ToDictionary(e => e.GetProperty("name").GetString()!, e => e);
        Assert.Contains("DigitalSignature", extensions["Key usage"].GetProperty("values")[0].GetString(), StringComparison.Ordinal);
        Assert.True(extensions["Key usage"].GetProperty("critical").GetBoolean());
        Assert.Contains("1.3.6.1.5.5.7.3.1", extensions["Extended key usage"].GetProperty("values")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal("CA: no", extensions["Basic constraints"].GetProperty("values")[0].GetString());
        Assert.Contains("DNS: shop.example", extensions["Subject alternative names"].GetProperty("values").EnumerateArray().Select(v => v.GetString()));
        var chain = root.GetProperty("chain").EnumerateArray().Single();
        Assert.Equal("CN=Test Issuing CA, O=Example", chain.GetProperty("subject").GetString());
        Assert.True(chain.GetProperty("selfSigned").GetBoolean());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Download_EachPublicFormat_ParsesBackAndBadFormatIs400()
    {
        using var http = await ClientAsync(UserRole.User);
        var url = $"/api/v1/certificates/{_web.CertificateId}/download";

        var pem = await http.GetStringAsync(url + "?format=pem");
        var der = await http.GetByteArrayAsync(url + "?format=der");
        var fullchain = await http.GetStringAsync(url + "?format=fullchain");
        var chain = await http.GetStringAsync(url + "?format=chain");
        var p7b = await http.GetByteArrayAsync(url + "?format=p7b");
        var pfx = await http.GetAsync(url + "?format=pfx");

        using var fromPem = X509Certificate2.CreateFromPem(pem);
        using var fromDer = X509CertificateLoader.LoadCertificate(der);
        Assert.Equal(_web.Sha1, fromPem.Thumbprint);
        Assert.Equal(_web.Sha1, fromDer.Thumbprint);
        Assert.Equal(2, fullchain.Split("BEGIN CERTIFICATE").Length - 1);
        Assert.Equal(1, chain.Split("BEGIN CERTIFICATE").Length - 1);
        Assert.DoesNotContain("PRIVATE KEY", pem + fullchain + chain, StringComparison.Ordinal);
        var cms = new System.Security.Cryptography.Pkcs.SignedCms();
        cms.Decode(p7b);
        Assert.Equal(2, cms.Certificates.Count);
        Assert.Equal(HttpStatusCode.BadRequest, pfx.StatusCode);
        Assert.Contains("export", await pfx.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_AdminWithPassphrase_Pkcs12WithKey_AndAudited()
    {
        using var http = await ClientAsync(UserRole.Admin);

        var response = await http.PostAsJsonAsync($"/api/v1/certificates/{_web.CertificateId}/export", new { format = "pfx", passphrase = "correct horse battery" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var loaded = X509CertificateLoader.LoadPkcs12(await response.Content.ReadAsByteArrayAsync(), "correct horse battery");
        Assert.True(loaded.HasPrivateKey);
        Assert.Equal(_web.Sha1, loaded.Thumbprint);
        var audited = await _server.DbAsync(db => db.AuditEvents.AnyAsync(e => e.ObjectId == _web.DefinitionId.ToString() && e.Action == "export-private-key"));
        Assert.True(audited);
    }

    [Fact]
    public async Task Export_NonAdmin_403_AndNothingAudited()
    {
        using var http = await ClientAsync(UserRole.User);

        var cert = await http.PostAsJsonAsync($"/api/v1/certificates/{_web.CertificateId}/export", new { format = "pfx", passphrase = "correct horse battery" });
        var key = await http.PostAsJsonAsync($"/api/v1/keys/{_web.KeyId}/export", new { format = "pem", passphrase = "correct horse battery" });

        Assert.Equal(HttpStatusCode.Forbidden, cert.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, key.StatusCode);
        Assert.DoesNotContain("PRIVATE KEY", await cert.Content.ReadAsStringAsync() + await key.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(await _server.DbAsync(db => db.AuditEvents.AnyAsync(e => e.Action == "export-private-key")));
    }

    [Theory]
    [InlineData("pfx", null, "passphrase-required")]
    [InlineData("pfx", "", "passphrase-required")]
    [InlineData("pfx", "short", "passphrase-too-short")]
    [InlineData("key", null, "passphrase-required")]
    [InlineData("haproxy", "correct horse battery", "unencrypted-key-not-allowed")]
    [InlineData("pem", "correct horse battery", "format-invalid")]
    [InlineData(null, "correct horse battery", "format-invalid")]
    public async Task Export_BadRequest_ProblemWithCode(string? format, string? passphrase, string code)
    {
        using var http = await ClientAsync(UserRole.Admin);

        var response = await http.PostAsJsonAsync($"/api/v1/certificates/{_web.CertificateId}/export", new { format, passphrase });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(code, doc.RootElement.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Export_CertificateWithoutKey_Refused()
    {
        using var http = await ClientAsync(UserRole.Admin);

        var response = await http.PostAsJsonAsync($"/api/v1/certificates/{_mail.CertificateId}/export", new { format = "pfx", passphrase = "correct horse battery" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("key-not-held", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_ListShowsUseAndNoMaterial_ExportEncryptedPem()
    {
        using var http = await ClientAsync(UserRole.Admin);

        var list = await http.GetStringAsync("/api/v1/keys");
        var pem = await http.PostAsJsonAsync($"/api/v1/keys/{_web.KeyId}/export", new { format = "pem", passphrase = "correct horse battery" });
        var weak = await http.PostAsJsonAsync($"/api/v1/keys/{_web.KeyId}/export", new { format = "pem", passphrase = "1234" });
        var missing = await http.PostAsJsonAsync($"/api/v1/keys/{Guid.NewGuid()}/export", new { format = "pem", passphrase = "correct horse battery" });
        var caKeyId = await _server.DbAsync(db => db.PrivateCas.Select(c => c.PrivateKeyId).FirstAsync());
        var caKey = await http.PostAsJsonAsync($"/api/v1/keys/{caKeyId}/export", new { format = "pem", passphrase = "correct horse battery" });

        using var doc = JsonDocument.Parse(list);
        var item = doc.RootElement.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("id").GetGuid() == _web.KeyId);
        Assert.Equal(1, item.GetProperty("certificateCount").GetInt32());
        Assert.Equal("www.shop.example", item.GetProperty("usedBy").GetString());
        Assert.Equal("Ecdsa", item.GetProperty("algorithm").GetString());
        Assert.DoesNotContain("encrypted", list, StringComparison.OrdinalIgnoreCase);
        var text = await pem.Content.ReadAsStringAsync();
        Assert.StartsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----", text, StringComparison.Ordinal);
        using var key = ECDsa.Create();
        key.ImportFromEncryptedPem(text, "correct horse battery");
        Assert.Equal(HttpStatusCode.BadRequest, weak.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, caKey.StatusCode);
        Assert.DoesNotContain(caKeyId.ToString(), list, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Encoding.ASCII.GetString(await weak.Content.ReadAsByteArrayAsync()), "PRIVATE KEY", StringComparison.Ordinal);
    }
}
