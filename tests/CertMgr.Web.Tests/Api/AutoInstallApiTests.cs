using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Web.Tests.Api;

/// <summary>The auto-install endpoints over real HTTPS: write-only secrets, roles, field errors, and "This CertMgr" served without a restart.</summary>
public sealed class AutoInstallApiTests(AcquisitionApiServer server) : IClassFixture<AcquisitionApiServer>
{
    private const string SshPassword = "Never-Returned-SSH-Password-7";

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    private async Task<Guid> DefinitionWithCertificateAsync(string cn)
    {
        var definitionId = await server.AddDefinitionAsync(cn);
        var id = (await JsonAsync(await server.User.PostAsJsonAsync("/api/v1/acquisitions", new { definitionId }))).GetProperty("id").GetString();
        await server.User.PostAsJsonAsync($"/api/v1/acquisitions/{id}/key", new { choice = "new" });
        var products = await JsonAsync(await server.User.GetAsync($"/api/v1/products?definition={definitionId}"));
        var builtIn = products.EnumerateArray().Single(p => p.GetProperty("builtInCa").GetBoolean()).GetProperty("id").GetString();
        await server.User.PostAsJsonAsync($"/api/v1/acquisitions/{id}/product", new { productId = builtIn });
        Assert.Equal(HttpStatusCode.OK, (await server.User.PostAsync($"/api/v1/acquisitions/{id}/complete", null)).StatusCode);
        return definitionId;
    }

    [Fact]
    public async Task Settings_SecretsWriteOnlyRolesAndFieldErrors()
    {
        var definitionId = await server.AddDefinitionAsync("api-auto-install.example.test");
        var path = $"/api/v1/definitions/{definitionId}/auto-install";
        Assert.Equal(HttpStatusCode.NotFound, (await server.Admin.GetAsync(path)).StatusCode);

        var put = await server.Admin.PutAsJsonAsync(path, new { profile = "Nginx", host = "127.0.0.1", port = 2200, username = "deploy", authMethod = "Password", password = SshPassword });
        var putBody = await put.Content.ReadAsStringAsync();
        Assert.True(put.StatusCode == HttpStatusCode.OK, putBody);
        Assert.DoesNotContain(SshPassword, putBody, StringComparison.Ordinal);
        var get = await server.User.GetAsync(path);
        var getBody = await get.Content.ReadAsStringAsync();
        Assert.DoesNotContain(SshPassword, getBody, StringComparison.Ordinal);
        var view = JsonDocument.Parse(getBody).RootElement;
        Assert.True(view.GetProperty("hasPassword").GetBoolean());
        Assert.False(view.TryGetProperty("password", out _));
        Assert.Equal("/etc/nginx/ssl/api-auto-install.example.test/privkey.pem", view.GetProperty("keyPath").GetString());
        Assert.Equal("nginx -t -q", view.GetProperty("validateCommand").GetString());

        Assert.Equal(HttpStatusCode.Forbidden, (await server.User.PutAsJsonAsync(path, new { profile = "Nginx" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await server.User.PostAsync(path + "/test", null)).StatusCode);

        var bad = await server.Admin.PutAsJsonAsync(path, new { profile = "Nginx", host = "not a host", username = "deploy", authMethod = "Password", keyMode = "0644" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await JsonAsync(bad)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("host", out _));
        Assert.True(errors.TryGetProperty("keyMode", out _));
        Assert.Equal(2200, (await JsonAsync(await server.Admin.GetAsync(path))).GetProperty("port").GetInt32());

        Assert.Equal(HttpStatusCode.NoContent, (await server.Admin.DeleteAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Admin.GetAsync(path)).StatusCode);
    }

    [Fact]
    public async Task TryAutoInstall_NotSetUp_RefusedWithCode()
    {
        var definitionId = await DefinitionWithCertificateAsync("api-auto-install-none.example.test");
        var prepared = await server.Admin.PostAsJsonAsync("/api/v1/deployments", new { definitionId, password = "Deploy-Api-Password-1" });
        var id = (await JsonAsync(prepared)).GetProperty("id").GetString();

        var tried = await server.User.PostAsync($"/api/v1/deployments/{id}/auto-install", null);

        Assert.Equal(HttpStatusCode.BadRequest, tried.StatusCode);
        Assert.Equal("auto-install-not-set-up", (await JsonAsync(tried)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task TryAutoInstall_ThisCertMgr_ConsoleServesNewCertificateWithoutRestart()
    {
        var definitionId = await DefinitionWithCertificateAsync("api-this-certmgr.example.test");
        var saved = await server.Admin.PutAsJsonAsync($"/api/v1/definitions/{definitionId}/auto-install", new { profile = "CertMgr" });
        Assert.True(saved.StatusCode == HttpStatusCode.OK, await saved.Content.ReadAsStringAsync());
        var prepared = await server.Admin.PostAsJsonAsync("/api/v1/deployments", new { definitionId, password = "Deploy-Api-Password-1" });
        var deployment = await JsonAsync(prepared);
        var id = deployment.GetProperty("id").GetString();
        var sha256 = deployment.GetProperty("certificate").GetProperty("sha256").GetString();
        Assert.NotEqual(sha256, await ServedSha256Async());

        var tried = await server.Admin.PostAsync($"/api/v1/deployments/{id}/auto-install", null);

        var body = await tried.Content.ReadAsStringAsync();
        Assert.True(tried.StatusCode == HttpStatusCode.OK, body);
        Assert.Equal("AutoInstalled", JsonDocument.Parse(body).RootElement.GetProperty("status").GetString());
        Assert.Equal(sha256, await ServedSha256Async());
        var installed = await server.DbAsync(db => db.Settings.SingleAsync(s => s.Key == "console.tls.installed"));
        Assert.Equal("true", installed.Value);
    }

    /// <summary>The SHA-256 of the certificate a new TLS handshake with the console gets.</summary>
    private async Task<string> ServedSha256Async()
    {
        var port = server.Admin.BaseAddress!.Port;
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        await using var tls = new SslStream(tcp.GetStream(), false, (_, cert, _, _) => cert is not null);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "127.0.0.1" });
        return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(tls.RemoteCertificate!.GetRawCertData()));
    }
}
