using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using X509Request = System.Security.Cryptography.X509Certificates.CertificateRequest;

namespace CertMgr.Web.Tests.Api;

/// <summary>The acquisition, product, provider-account and document endpoints over real HTTPS.</summary>
public sealed class AcquisitionsApiTests(AcquisitionApiServer server) : IClassFixture<AcquisitionApiServer>
{
    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        Assert.Equal(status, response.StatusCode);
        var json = await JsonAsync(response);
        Assert.Equal(code, json.GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("GET", "/api/v1/acquisitions")]
    [InlineData("POST", "/api/v1/acquisitions")]
    [InlineData("POST", "/api/v1/acquisitions/0195b4a0-0000-7000-8000-000000000000/receive")]
    [InlineData("GET", "/api/v1/products")]
    [InlineData("POST", "/api/v1/products")]
    [InlineData("GET", "/api/v1/provider-accounts")]
    [InlineData("DELETE", "/api/v1/provider-accounts/0195b4a0-0000-7000-8000-000000000000")]
    [InlineData("GET", "/api/v1/definitions/0195b4a0-0000-7000-8000-000000000000/documents")]
    public async Task Endpoints_Anonymous_Unauthorized(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "GET" ? null : JsonContent.Create(new { }) };

        var response = await server.Anonymous.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("POST", "/api/v1/products")]
    [InlineData("PUT", "/api/v1/products/0195b4a0-0000-7000-8000-000000000000")]
    [InlineData("POST", "/api/v1/provider-accounts")]
    [InlineData("PUT", "/api/v1/provider-accounts/0195b4a0-0000-7000-8000-000000000000")]
    [InlineData("DELETE", "/api/v1/provider-accounts/0195b4a0-0000-7000-8000-000000000000")]
    public async Task AdminEndpoints_PlainUser_Forbidden(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "DELETE" ? null : JsonContent.Create(new { provider = "X", name = "Y", username = "u" }) };

        var response = await server.User.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Poll_UnknownOrNothingPending_NotFoundAndConflictFromTheErrorKind()
    {
        var definitionId = await server.AddDefinitionAsync("api-poll.example.test");
        var started = await server.User.PostAsJsonAsync("/api/v1/acquisitions", new { definitionId, kind = "New" });
        var id = (await JsonAsync(started)).GetProperty("id").GetString();

        var unknown = await server.User.PostAsync("/api/v1/acquisitions/0195b4a0-0000-7000-8000-000000000000/poll", null);
        var draft = await server.User.PostAsync($"/api/v1/acquisitions/{id}/poll", null);

        await AssertProblemAsync(unknown, HttpStatusCode.NotFound, "request-not-found");
        await AssertProblemAsync(draft, HttpStatusCode.Conflict, "wrong-step");
        Assert.Equal("key", (await JsonAsync(await server.User.GetAsync($"/api/v1/acquisitions/{id}"))).GetProperty("nextStep").GetString());
    }

    [Fact]
    public async Task BuiltInCaFlow_PlainUser_KeyCsrProductCompleteMakesCurrent()
    {
        var definitionId = await server.AddDefinitionAsync("api-builtin.example.test");

        var started = await server.User.PostAsJsonAsync("/api/v1/acquisitions", new { definitionId, kind = "New" });
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var id = (await JsonAsync(started)).GetProperty("id").GetString();
        var second = await server.User.PostAsJsonAsync("/api/v1/acquisitions", new { definitionId, kind = "New" });
        await AssertProblemAsync(second, HttpStatusCode.Conflict, "acquisition-open");
        var csrTooEarly = await server.User.GetAsync($"/api/v1/acquisitions/{id}/csr");
        await AssertProblemAsync(csrTooEarly, HttpStatusCode.BadRequest, "csr-missing");

        var keyed = await server.User.PostAsJsonAsync($"/api/v1/acquisitions/{id}/key", new { choice = "new" });
        Assert.Equal("product", (await JsonAsync(keyed)).GetProperty("nextStep").GetString());
        var csr = await server.User.GetStringAsync($"/api/v1/acquisitions/{id}/csr");
        Assert.StartsWith("-----BEGIN CERTIFICATE REQUEST-----", csr, StringComparison.Ordinal);
        var products = await JsonAsync(await server.User.GetAsync($"/api/v1/products?definition={definitionId}"));
        var builtIn = products.EnumerateArray().Single(p => p.GetProperty("builtInCa").GetBoolean());
        var chosen = await server.User.PostAsJsonAsync($"/api/v1/acquisitions/{id}/product", new { productId = builtIn.GetProperty("id").GetString() });
        Assert.Equal("Received", (await JsonAsync(chosen)).GetProperty("status").GetString());
        var done = await server.User.PostAsync($"/api/v1/acquisitions/{id}/complete", null);

        var info = await JsonAsync(done);
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        Assert.Equal("Completed", info.GetProperty("status").GetString());
        var certificateId = Guid.Parse(info.GetProperty("certificate").GetProperty("id").GetString()!);
        Assert.Equal(certificateId, await server.DbAsync(db => db.Definitions.Where(d => d.Id == definitionId).Select(d => d.CurrentCertificateId).SingleAsync()));
        Assert.Contains("alice", await server.DbAsync(db => db.AuditEvents.Where(e => e.ObjectId == definitionId.ToString()).Select(e => e.Actor).Distinct().ToListAsync()));
    }

    [Fact]
    public async Task Steps_BadInput_ProblemsWithCodes()
    {
        var definitionId = await server.AddDefinitionAsync("api-bad.example.test");

        await AssertProblemAsync(await server.User.PostAsJsonAsync("/api/v1/acquisitions", new { }), HttpStatusCode.BadRequest, "definition-missing");
        await AssertProblemAsync(await server.User.PostAsJsonAsync("/api/v1/acquisitions", new { definitionId, kind = "Sideways" }), HttpStatusCode.BadRequest, "kind-invalid");
        await AssertProblemAsync(await server.User.PostAsJsonAsync("/api/v1/acquisitions", new { definitionId = Guid.NewGuid() }), HttpStatusCode.NotFound, "definition-not-found");
        await AssertProblemAsync(await server.User.PostAsJsonAsync("/api/v1/acquisitions", new { definitionId, kind = "Renewal" }), HttpStatusCode.BadRequest, "no-current-certificate");
        await AssertProblemAsync(await server.User.GetAsync($"/api/v1/acquisitions/{Guid.NewGuid()}"), HttpStatusCode.NotFound, "request-not-found");

        var started = await JsonAsync(await server.User.PostAsJsonAsync("/api/v1/acquisitions", new { definitionId }));
        var id = started.GetProperty("id").GetString();
        await AssertProblemAsync(await server.User.PostAsJsonAsync($"/api/v1/acquisitions/{id}/key", new { choice = "steal" }), HttpStatusCode.BadRequest, "key-choice-invalid");
        await AssertProblemAsync(await server.User.PostAsJsonAsync($"/api/v1/acquisitions/{id}/product", new { }), HttpStatusCode.BadRequest, "product-missing");
        await AssertProblemAsync(await server.User.PostAsync($"/api/v1/acquisitions/{id}/complete", null), HttpStatusCode.Conflict, "wrong-step");
        await AssertProblemAsync(await server.User.PostAsync($"/api/v1/acquisitions/{id}/receive", new StringContent("")), HttpStatusCode.BadRequest, "certificate-missing");
        await AssertProblemAsync(await server.User.PostAsync($"/api/v1/acquisitions/{id}/receive", new ByteArrayContent(new byte[AcquisitionsApiMax + 10])), HttpStatusCode.RequestEntityTooLarge, "certificate-too-large");
        var cancelled = await server.User.PostAsync($"/api/v1/acquisitions/{id}/cancel", null);
        Assert.Equal("Cancelled", (await JsonAsync(cancelled)).GetProperty("status").GetString());
    }

    private const int AcquisitionsApiMax = CertMgr.Web.Api.AcquisitionsApi.MaxUploadBytes;

    [Fact]
    public async Task CommercialFlow_ReceiveWrongKeyRefusedThenMultipartUploadAccepted()
    {
        var definitionId = await server.AddDefinitionAsync("api-shop.example.test");
        var id = (await JsonAsync(await server.User.PostAsJsonAsync("/api/v1/acquisitions", new { definitionId }))).GetProperty("id").GetString();
        await server.User.PostAsJsonAsync($"/api/v1/acquisitions/{id}/key", new { choice = "new" });
        var products = await JsonAsync(await server.User.GetAsync($"/api/v1/products?definition={definitionId}"));
        var positive = products.EnumerateArray().Single(p => p.GetProperty("name").GetString() == "PositiveSSL DV").GetProperty("id").GetString();
        await server.User.PostAsJsonAsync($"/api/v1/acquisitions/{id}/product", new { productId = positive });
        var ordered = await server.User.PostAsJsonAsync($"/api/v1/acquisitions/{id}/order", new { orderDate = "2026-11-28", orderNumber = "SEC-77" });
        Assert.Equal("receive", (await JsonAsync(ordered)).GetProperty("nextStep").GetString());
        var badOrder = await server.User.PostAsJsonAsync($"/api/v1/acquisitions/{id}/order", new { orderNumber = new string('x', 500) });
        await AssertProblemAsync(badOrder, HttpStatusCode.BadRequest, "order-number-invalid");

        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new X509Request("CN=Test Commercial CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var ca = caRequest.CreateSelfSigned(TimeProvider.System.GetUtcNow().AddDays(-10), TimeProvider.System.GetUtcNow().AddYears(5));
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var wrong = new X509Request("CN=api-shop.example.test", otherKey, HashAlgorithmName.SHA256)
            .Create(ca, TimeProvider.System.GetUtcNow().AddDays(-1), TimeProvider.System.GetUtcNow().AddDays(90), [9, 9, 9]);
        var refused = await server.User.PostAsync($"/api/v1/acquisitions/{id}/receive",
            new StringContent(PemEncoding.WriteString("CERTIFICATE", wrong.RawData), Encoding.ASCII, "application/x-pem-file"));
        await AssertProblemAsync(refused, HttpStatusCode.BadRequest, "cert-key-mismatch");

        var csrPem = await server.User.GetStringAsync($"/api/v1/acquisitions/{id}/csr");
        var csr = X509Request.LoadSigningRequestPem(csrPem, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
        using var good = csr.Create(ca, TimeProvider.System.GetUtcNow().AddDays(-1), TimeProvider.System.GetUtcNow().AddDays(90), [1, 2, 3, 4, 5]);
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(good.RawData), "file", "api-shop.cer" },
            { new ByteArrayContent(ca.RawData), "chain", "ca.cer" },
        };
        var received = await server.User.PostAsync($"/api/v1/acquisitions/{id}/receive", form);

        var info = await JsonAsync(received);
        Assert.Equal(HttpStatusCode.OK, received.StatusCode);
        Assert.Equal("Received", info.GetProperty("status").GetString());
        Assert.Equal(good.SerialNumber, info.GetProperty("certificate").GetProperty("serialNumber").GetString());
        var list = await JsonAsync(await server.User.GetAsync("/api/v1/acquisitions"));
        Assert.Contains(list.GetProperty("ongoing").EnumerateArray(), o => o.GetProperty("id").GetString() == id);
    }

    [Fact]
    public async Task Products_AdminCreatesAndEdits_BadInputRefused()
    {
        var created = await server.Admin.PostAsJsonAsync("/api/v1/products",
            new { provider = "Api Trust", name = "Api DV", validationLevel = "DV", wildcard = false, maxSans = 3, maxValidityDays = 200, productUrl = "https://api-trust.example/" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await JsonAsync(created)).GetProperty("id").GetString();

        await AssertProblemAsync(await server.Admin.PostAsJsonAsync("/api/v1/products", new { provider = "Api Trust", name = "Api DV", maxValidityDays = 200 }), HttpStatusCode.Conflict, "product-exists");
        await AssertProblemAsync(await server.Admin.PostAsJsonAsync("/api/v1/products", new { provider = "A", name = "B", validationLevel = "XV", maxValidityDays = 200 }), HttpStatusCode.BadRequest, "validation-level-invalid");
        await AssertProblemAsync(await server.Admin.PostAsJsonAsync("/api/v1/products", new { provider = "A", name = "B", maxValidityDays = 0 }), HttpStatusCode.BadRequest, "max-validity-invalid");
        var disabled = await server.Admin.PutAsJsonAsync($"/api/v1/products/{id}", new { enabled = false });
        Assert.False((await JsonAsync(disabled)).GetProperty("enabled").GetBoolean());
        await AssertProblemAsync(await server.Admin.PutAsJsonAsync($"/api/v1/products/{Guid.NewGuid()}", new { enabled = false }), HttpStatusCode.NotFound, "product-not-found");
        var all = await JsonAsync(await server.User.GetAsync("/api/v1/products"));
        Assert.Contains(all.EnumerateArray(), p => p.GetProperty("name").GetString() == "Let's Encrypt DV");
    }

    [Fact]
    public async Task ProviderAccounts_PasswordWriteOnly_BadInputRefused()
    {
        const string secret = "Reseller-Pa55word!";
        var created = await server.Admin.PostAsJsonAsync("/api/v1/provider-accounts",
            new { provider = "Sectigo", username = "pki-team", password = secret, registeredEmail = "pki@example.test" });
        var body = await created.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.DoesNotContain(secret, body, StringComparison.Ordinal);
        var id = JsonDocument.Parse(body).RootElement.GetProperty("id").GetString();
        Assert.True(JsonDocument.Parse(body).RootElement.GetProperty("passwordSet").GetBoolean());

        var list = await server.User.GetStringAsync("/api/v1/provider-accounts");
        Assert.Contains("pki-team", list, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, list, StringComparison.Ordinal);
        await AssertProblemAsync(await server.Admin.PostAsJsonAsync("/api/v1/provider-accounts", new { provider = "X", username = "u", registeredEmail = "nope" }), HttpStatusCode.BadRequest, "email-invalid");
        await AssertProblemAsync(await server.Admin.PostAsJsonAsync("/api/v1/provider-accounts", new { provider = "X" }), HttpStatusCode.BadRequest, "username-invalid");
        var kept = await server.Admin.PutAsJsonAsync($"/api/v1/provider-accounts/{id}", new { provider = "Sectigo", username = "pki-team2" });
        Assert.True((await JsonAsync(kept)).GetProperty("passwordSet").GetBoolean());
        Assert.Equal(HttpStatusCode.NoContent, (await server.Admin.DeleteAsync($"/api/v1/provider-accounts/{id}")).StatusCode);
        await AssertProblemAsync(await server.Admin.DeleteAsync($"/api/v1/provider-accounts/{id}"), HttpStatusCode.NotFound, "provider-account-not-found");
    }

    [Fact]
    public async Task Documents_UploadListDownloadDelete_BadInputRefused()
    {
        var definitionId = await server.AddDefinitionAsync("api-docs.example.test");
        var bytes = Encoding.UTF8.GetBytes("<html><script>alert(1)</script></html>");
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(bytes), "file", "../invoice.html" },
            { new StringContent("OrderDocument"), "kind" },
        };

        var uploaded = await server.User.PostAsync($"/api/v1/definitions/{definitionId}/documents", form);

        Assert.Equal(HttpStatusCode.Created, uploaded.StatusCode);
        var doc = await JsonAsync(uploaded);
        Assert.Equal("invoice.html", doc.GetProperty("fileName").GetString());
        var docId = doc.GetProperty("id").GetString();
        var list = await JsonAsync(await server.User.GetAsync($"/api/v1/definitions/{definitionId}/documents"));
        Assert.Single(list.EnumerateArray());
        var download = await server.User.GetAsync($"/api/v1/definitions/{definitionId}/documents/{docId}");
        Assert.Equal(bytes, await download.Content.ReadAsByteArrayAsync());
        Assert.Equal("application/octet-stream", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);

        using var noFile = new MultipartFormDataContent { { new StringContent("x"), "kind" } };
        await AssertProblemAsync(await server.User.PostAsync($"/api/v1/definitions/{definitionId}/documents", noFile), HttpStatusCode.BadRequest, "file-missing");
        using var unknown = new MultipartFormDataContent { { new ByteArrayContent([1]), "file", "a.bin" } };
        await AssertProblemAsync(await server.User.PostAsync($"/api/v1/definitions/{Guid.NewGuid()}/documents", unknown), HttpStatusCode.NotFound, "definition-not-found");
        Assert.Equal(HttpStatusCode.NoContent, (await server.User.DeleteAsync($"/api/v1/definitions/{definitionId}/documents/{docId}")).StatusCode);
        await AssertProblemAsync(await server.User.GetAsync($"/api/v1/definitions/{definitionId}/documents/{docId}"), HttpStatusCode.NotFound, "document-not-found");
    }
}
