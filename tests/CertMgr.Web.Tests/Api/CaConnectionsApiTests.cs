using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace CertMgr.Web.Tests.Api;

/// <summary>The CA connection endpoints over real HTTPS: secrets write-only, per-field errors, admin-only changes.</summary>
public sealed class CaConnectionsApiTests(AcquisitionApiServer server) : IClassFixture<AcquisitionApiServer>
{
    private const string EabSecret = "c2VjcmV0LWVhYi1obWFjLWtleS1mb3ItdGVzdGluZw";
    private const string TsigSecret = "dHNpZy1zZWNyZXQtZm9yLXRlc3RpbmctMTIzNDU2Nzg=";

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    [Fact]
    public async Task Create_AcmeWithSecrets_SecretsNeverReturned()
    {
        var created = await server.Admin.PostAsJsonAsync("/api/v1/ca-connections", new
        {
            name = "API ACME", kind = "acme", directoryUrl = "https://127.0.0.1:1/dir", email = "pki@example.test", termsOfServiceAgreed = true,
            eabKeyId = "kid-1", eabHmacKey = EabSecret, challenge = "dns-01", dnsServer = "127.0.0.1:53", dnsZone = "example.test",
            tsigKeyName = "acme-key", tsigSecret = TsigSecret,
        });
        var body = await created.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.DoesNotContain(EabSecret, body, StringComparison.Ordinal);
        Assert.DoesNotContain(TsigSecret, body, StringComparison.Ordinal);
        var json = JsonDocument.Parse(body).RootElement;
        Assert.True(json.GetProperty("eabHmacKeySet").GetBoolean());
        Assert.True(json.GetProperty("tsigSecretSet").GetBoolean());
        Assert.Equal("dns-01", json.GetProperty("challenge").GetString());
        Assert.Equal(1, json.GetProperty("productCount").GetInt32());
        var id = json.GetProperty("id").GetString();

        var list = await server.User.GetStringAsync("/api/v1/ca-connections");
        Assert.Contains("API ACME", list, StringComparison.Ordinal);
        Assert.DoesNotContain(EabSecret, list, StringComparison.Ordinal);
        Assert.DoesNotContain(TsigSecret, list, StringComparison.Ordinal);
        var products = await JsonAsync(await server.User.GetAsync($"/api/v1/ca-connections/{id}/products"));
        Assert.Equal("API ACME DV", products[0].GetProperty("name").GetString());
        Assert.Equal(0, (await JsonAsync(await server.User.GetAsync($"/api/v1/ca-connections/{id}/submissions"))).GetArrayLength());

        // Editing without the secrets keeps them.
        var kept = await server.Admin.PutAsJsonAsync($"/api/v1/ca-connections/{id}", new
        {
            name = "API ACME 2", kind = "acme", directoryUrl = "https://127.0.0.1:1/dir", termsOfServiceAgreed = true, challenge = "dns-01",
            dnsServer = "127.0.0.1:53", dnsZone = "example.test", tsigKeyName = "acme-key",
        });
        var keptJson = await JsonAsync(kept);
        Assert.Equal(HttpStatusCode.OK, kept.StatusCode);
        Assert.True(keptJson.GetProperty("eabHmacKeySet").GetBoolean());
        Assert.True(keptJson.GetProperty("tsigSecretSet").GetBoolean());
        var renamed = await JsonAsync(await server.User.GetAsync($"/api/v1/ca-connections/{id}/products"));
        Assert.Equal("API ACME 2", renamed[0].GetProperty("provider").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await server.Admin.DeleteAsync($"/api/v1/ca-connections/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.User.GetAsync($"/api/v1/ca-connections/{id}")).StatusCode);
    }

    [Fact]
    public async Task Create_BadFields_PerFieldErrorsAndNothingStored()
    {
        var response = await server.Admin.PostAsJsonAsync("/api/v1/ca-connections", new
        {
            name = "Broken", kind = "acme", directoryUrl = "http://plain.example.test/dir", email = "not-an-email", eabKeyId = "kid-only",
            challenge = "http-01", http01Address = "somewhere", tsigSecret = "not base64 !!",
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var json = await JsonAsync(response);
        Assert.Equal("ca-connection-invalid", json.GetProperty("code").GetString());
        var errors = json.GetProperty("errors");
        foreach (var field in new[] { "directoryUrl", "email", "eabHmacKey", "http01Address" })
        {
            Assert.True(errors.TryGetProperty(field, out _), $"no error for {field}: {errors}");
        }

        Assert.DoesNotContain("Broken", await server.User.GetStringAsync("/api/v1/ca-connections"), StringComparison.Ordinal);
        var unknownKind = await server.Admin.PostAsJsonAsync("/api/v1/ca-connections", new { name = "X", kind = "carrier-pigeon" });
        Assert.Equal(HttpStatusCode.BadRequest, unknownKind.StatusCode);
        Assert.True((await JsonAsync(unknownKind)).GetProperty("errors").TryGetProperty("kind", out _));
    }

    [Fact]
    public async Task Create_Manual_NoDirectoryNeededAndBuiltInListed()
    {
        var created = await server.Admin.PostAsJsonAsync("/api/v1/ca-connections", new { name = "Reseller by hand", kind = "manual", email = "orders@example.test" });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("manual", (await JsonAsync(created)).GetProperty("kind").GetString());
        var list = await JsonAsync(await server.User.GetAsync("/api/v1/ca-connections"));
        Assert.Contains(list.EnumerateArray(), c => c.GetProperty("kind").GetString() == "builtin");
    }

    [Theory]
    [InlineData("POST", "/api/v1/ca-connections")]
    [InlineData("PUT", "/api/v1/ca-connections/0195b4a0-0000-7000-8000-000000000000")]
    [InlineData("DELETE", "/api/v1/ca-connections/0195b4a0-0000-7000-8000-000000000000")]
    [InlineData("POST", "/api/v1/ca-connections/0195b4a0-0000-7000-8000-000000000000/account")]
    public async Task AdminEndpoints_PlainUser_Forbidden(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "DELETE" ? null : JsonContent.Create(new { name = "X", kind = "manual" }) };

        var response = await server.User.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task List_Anonymous_Unauthorized()
    {
        var response = await server.Anonymous.GetAsync("/api/v1/ca-connections");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
