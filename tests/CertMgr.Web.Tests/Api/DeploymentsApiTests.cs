using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CertMgr.Core.Notifications;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CertMgr.Web.Tests.Api;

/// <summary>The deployment endpoints over real HTTPS: roles, every step, and refusals with problem codes.</summary>
public sealed class DeploymentsApiTests(AcquisitionApiServer server) : IClassFixture<AcquisitionApiServer>
{
    private const string Password = "Deploy-Api-Password-1";
    private const string Missing = "0195b4a0-0000-7000-8000-000000000000";

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {status}, got {response.StatusCode}: {body}");
        Assert.Equal(code, JsonDocument.Parse(body).RootElement.GetProperty("code").GetString());
    }

    /// <summary>A definition whose current certificate (with its key) the built-in CA issued, checked on a closed loopback port.</summary>
    private async Task<Guid> DefinitionWithCertificateAsync(string cn)
    {
        var definitionId = await server.AddDefinitionAsync(cn);
        var id = (await JsonAsync(await server.User.PostAsJsonAsync("/api/v1/acquisitions", new { definitionId }))).GetProperty("id").GetString();
        await server.User.PostAsJsonAsync($"/api/v1/acquisitions/{id}/key", new { choice = "new" });
        var products = await JsonAsync(await server.User.GetAsync($"/api/v1/products?definition={definitionId}"));
        var builtIn = products.EnumerateArray().Single(p => p.GetProperty("builtInCa").GetBoolean()).GetProperty("id").GetString();
        await server.User.PostAsJsonAsync($"/api/v1/acquisitions/{id}/product", new { productId = builtIn });
        var done = await server.User.PostAsync($"/api/v1/acquisitions/{id}/complete", null);
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        var port = TestPorts.Next();
        await server.DbAsync(async db =>
        {
            var d = await db.Definitions.SingleAsync(x => x.Id == definitionId);
            d.ServerNameForCheck = "127.0.0.1";
            d.CheckPort = port;
            d.ServerSoftware = ServerSoftware.Nginx;
            d.ServerAdminEmail = "ops@deploy-api.test";
            return await db.SaveChangesAsync();
        });
        return definitionId;
    }

    private async Task<string> PrepareAsync(Guid definitionId, object? extra = null)
    {
        var response = await server.Admin.PostAsJsonAsync("/api/v1/deployments", extra ?? new { definitionId, password = Password });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        Assert.EndsWith(JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!, response.Headers.Location?.ToString(), StringComparison.Ordinal);
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
    }

    [Theory]
    [InlineData("GET", "/api/v1/deployments")]
    [InlineData("POST", "/api/v1/deployments")]
    [InlineData("GET", $"/api/v1/deployments/{Missing}")]
    [InlineData("GET", $"/api/v1/deployments/{Missing}/package")]
    [InlineData("GET", $"/api/v1/deployments/{Missing}/email")]
    [InlineData("GET", $"/api/v1/deployments/{Missing}/result-email")]
    [InlineData("POST", $"/api/v1/deployments/{Missing}/request-install")]
    [InlineData("POST", $"/api/v1/deployments/{Missing}/check")]
    [InlineData("POST", $"/api/v1/deployments/{Missing}/manual-confirm")]
    [InlineData("POST", $"/api/v1/deployments/{Missing}/continue-without-check")]
    [InlineData("POST", $"/api/v1/deployments/{Missing}/send-result")]
    [InlineData("POST", $"/api/v1/deployments/{Missing}/disable-monitoring")]
    public async Task Endpoints_Anonymous_Unauthorized(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "GET" ? null : JsonContent.Create(new { }) };

        var response = await server.Anonymous.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task PrepareAndPackage_PlainUser_Forbidden()
    {
        var definitionId = await DefinitionWithCertificateAsync("api-deploy-forbidden.example.test");
        var id = await PrepareAsync(definitionId);

        var prepare = await server.User.PostAsJsonAsync("/api/v1/deployments", new { definitionId, password = Password });
        var package = await server.User.GetAsync($"/api/v1/deployments/{id}/package");

        Assert.Equal(HttpStatusCode.Forbidden, prepare.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, package.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.User.GetAsync($"/api/v1/deployments/{id}")).StatusCode);
    }

    [Fact]
    public async Task InstallEmail_RequestHostOtherThanListenAddress_LinkFromExternalBaseUrl_ForgedHostRefused()
    {
        var definitionId = await DefinitionWithCertificateAsync("api-deploy-links.example.test");
        var id = await PrepareAsync(definitionId, new { definitionId, password = Password, delivery = "Email" });

        using var alias = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/deployments/{id}/email");
        alias.Headers.Host = $"{AcquisitionApiServer.AliasHost}:8443";
        var viaAlias = await server.User.SendAsync(alias);
        using var forged = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/deployments/{id}/email");
        forged.Headers.Host = "attacker.example";
        var viaForged = await server.User.SendAsync(forged);
        var direct = await JsonAsync(await server.User.GetAsync($"/api/v1/deployments/{id}/email"));

        Assert.Equal(HttpStatusCode.OK, viaAlias.StatusCode);
        var body = (await JsonAsync(viaAlias)).GetProperty("body").GetString()!;
        Assert.Contains($"{AcquisitionApiServer.ExternalBaseUrl}deployments/{id}", body, StringComparison.Ordinal);
        Assert.DoesNotContain(AcquisitionApiServer.AliasHost, body, StringComparison.Ordinal);
        Assert.Equal(body, direct.GetProperty("body").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, viaForged.StatusCode);
        Assert.DoesNotContain("attacker.example", await viaForged.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Flow_PrepareDownloadRequestCheckSendConfirmDisable_EveryStepRecorded()
    {
        var definitionId = await DefinitionWithCertificateAsync("api-deploy-flow.example.test");
        var id = await PrepareAsync(definitionId);

        var info = await JsonAsync(await server.User.GetAsync($"/api/v1/deployments/{id}"));
        Assert.Equal("Prepared", info.GetProperty("status").GetString());
        Assert.Equal("Nginx", info.GetProperty("serverSoftware").GetString());
        Assert.Equal("ops@deploy-api.test", info.GetProperty("serverAdminEmail").GetString());
        Assert.Contains("check", info.GetProperty("nextSteps").EnumerateArray().Select(e => e.GetString()));
        Assert.DoesNotContain("send-result", info.GetProperty("nextSteps").EnumerateArray().Select(e => e.GetString()));
        var sha1 = info.GetProperty("certificate").GetProperty("sha1").GetString()!;

        var package = await server.Admin.GetAsync($"/api/v1/deployments/{id}/package");
        Assert.Equal(HttpStatusCode.OK, package.StatusCode);
        var script = await package.Content.ReadAsStringAsync();
        Assert.StartsWith("#!/usr/bin/env bash", script, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, script, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", script, StringComparison.Ordinal);
        Assert.EndsWith(".sh", package.Content.Headers.ContentDisposition?.FileName?.Trim('"'), StringComparison.Ordinal);

        var email = await JsonAsync(await server.User.GetAsync($"/api/v1/deployments/{id}/email"));
        Assert.Contains(sha1, email.GetProperty("body").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Password, email.GetProperty("body").GetString(), StringComparison.Ordinal);
        Assert.Equal(["ops@deploy-api.test"], email.GetProperty("to").EnumerateArray().Select(e => e.GetString()));
        var emailFile = await server.User.GetAsync($"/api/v1/deployments/{id}/email?download=true");
        Assert.Equal("text/plain", emailFile.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("To: ops@deploy-api.test", await emailFile.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await AssertProblemAsync(await server.User.GetAsync($"/api/v1/deployments/{id}/result-email"), HttpStatusCode.BadRequest, "no-check-result");

        var requested = await JsonAsync(await server.User.PostAsync($"/api/v1/deployments/{id}/request-install", null));
        Assert.Equal("InstallRequested", requested.GetProperty("status").GetString());

        var checkedOnce = await server.User.PostAsJsonAsync($"/api/v1/deployments/{id}/check", new { });
        var check = await JsonAsync(checkedOnce);
        Assert.Equal(HttpStatusCode.OK, checkedOnce.StatusCode);
        Assert.Equal("CheckFailed", check.GetProperty("status").GetString());
        Assert.Equal("UNREACHABLE", check.GetProperty("lastCheck").GetProperty("status").GetString());
        Assert.False(string.IsNullOrEmpty(check.GetProperty("lastCheck").GetProperty("reason").GetString()));

        var result = await JsonAsync(await server.User.GetAsync($"/api/v1/deployments/{id}/result-email"));
        Assert.StartsWith("Deploy check Unreachable", result.GetProperty("subject").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await server.User.PostAsync($"/api/v1/deployments/{id}/send-result", null)).StatusCode);

        var confirmed = await JsonAsync(await server.User.PostAsJsonAsync($"/api/v1/deployments/{id}/manual-confirm", new { note = "checked from the DMZ" }));
        Assert.Equal("ManuallyConfirmed", confirmed.GetProperty("status").GetString());
        await AssertProblemAsync(await server.User.PostAsync($"/api/v1/deployments/{id}/continue-without-check", null), HttpStatusCode.Conflict, "wrong-step");
        await AssertProblemAsync(await server.User.PostAsJsonAsync($"/api/v1/deployments/{id}/check", new { }), HttpStatusCode.Conflict, "wrong-step");

        var disabled = await JsonAsync(await server.User.PostAsync($"/api/v1/deployments/{id}/disable-monitoring", null));
        Assert.True(disabled.GetProperty("monitoringDisabled").GetBoolean());
        await AssertProblemAsync(await server.User.PostAsync($"/api/v1/deployments/{id}/disable-monitoring", null), HttpStatusCode.Conflict, "wrong-step");

        var history = disabled.GetProperty("history").EnumerateArray().Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.Equal(["prepare", "request-install", "check", "send-result", "manual-confirm", "disable-monitoring"], history);
        Assert.Contains("alice", disabled.GetProperty("history").EnumerateArray().Select(e => e.GetProperty("actor").GetString()));
        var emails = await server.DbAsync(db => db.SentEmails.Where(e => e.RelatedId == Guid.Parse(id)).Select(e => e.Status).ToListAsync());
        Assert.Equal([EmailStatus.Queued, EmailStatus.Queued], emails);

        var list = await JsonAsync(await server.User.GetAsync($"/api/v1/deployments?definition={definitionId}&status=ManuallyConfirmed"));
        Assert.Equal(1, list.GetProperty("total").GetInt32());
        Assert.Equal(id, list.GetProperty("items")[0].GetProperty("id").GetString());
        var none = await JsonAsync(await server.User.GetAsync($"/api/v1/deployments?definition={definitionId}&status=Prepared"));
        Assert.Equal(0, none.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task ContinueWithoutCheck_ConventionalPackage_CompletedAndZipDownloaded()
    {
        var definitionId = await DefinitionWithCertificateAsync("api-deploy-skip.example.test");
        var id = await PrepareAsync(definitionId, new { definitionId, password = Password, package = "Conventional", serverSoftware = "ApacheHttpd", delivery = "Download" });

        var package = await server.Admin.GetAsync($"/api/v1/deployments/{id}/package");
        var done = await JsonAsync(await server.User.PostAsync($"/api/v1/deployments/{id}/continue-without-check", null));

        Assert.Equal("application/zip", package.Content.Headers.ContentType?.MediaType);
        Assert.Equal("PK"u8.ToArray(), (await package.Content.ReadAsByteArrayAsync())[..2]);
        Assert.Equal("CompletedWithoutCheck", done.GetProperty("status").GetString());
        Assert.Equal("ApacheHttpd", done.GetProperty("serverSoftware").GetString());
        Assert.Equal("Download", done.GetProperty("delivery").GetString());
    }

    [Fact]
    public async Task SignedPackageLink_AnonymousDownload_ChangedOrExpiredLinkRefusedWithoutPackage()
    {
        var definitionId = await DefinitionWithCertificateAsync("api-deploy-signed.example.test");
        var id = Guid.Parse(await PrepareAsync(definitionId, new { definitionId, password = Password, package = "Conventional", serverSoftware = "Nginx", delivery = "Email" }));
        Uri valid, expired;
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var links = scope.ServiceProvider.GetRequiredService<InstallPackageLinks>();
            valid = await links.CreateAsync(id, TimeProvider.System.GetUtcNow().AddHours(1), server.Anonymous.BaseAddress!, CancellationToken.None);
            expired = await links.CreateAsync(id, TimeProvider.System.GetUtcNow().AddMinutes(-1), server.Anonymous.BaseAddress!, CancellationToken.None);
            await scope.ServiceProvider.GetRequiredService<CertMgr.Data.CertMgrDbContext>().SaveChangesAsync(); // the link key is stored with the email
        }

        var download = await server.Anonymous.GetAsync(valid.PathAndQuery);
        var changed = await server.Anonymous.GetAsync(valid.PathAndQuery.Replace("sig=", "sig=A", StringComparison.Ordinal));
        var late = await server.Anonymous.GetAsync(expired.PathAndQuery);

        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("PK"u8.ToArray(), (await download.Content.ReadAsByteArrayAsync())[..2]);
        Assert.Equal(HttpStatusCode.Forbidden, changed.StatusCode);
        var changedPage = await changed.Content.ReadAsStringAsync();
        Assert.Contains("not valid", changedPage, StringComparison.Ordinal);
        Assert.DoesNotContain("PK", changedPage[..Math.Min(2, changedPage.Length)], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, late.StatusCode);
        Assert.Contains("expired", await late.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(1, await server.DbAsync(db => db.AuditEvents.CountAsync(a => a.Action == "package-download" && a.ObjectId == id.ToString())));
    }

    [Fact]
    public async Task Steps_BadInput_ProblemsWithCodes()
    {
        var definitionId = await DefinitionWithCertificateAsync("api-deploy-bad.example.test");
        var bare = await server.AddDefinitionAsync("api-deploy-bare.example.test");

        await AssertProblemAsync(await server.Admin.PostAsJsonAsync("/api/v1/deployments", new { }), HttpStatusCode.BadRequest, "definition-missing");
        await AssertProblemAsync(await server.Admin.PostAsJsonAsync("/api/v1/deployments", new { definitionId = Guid.NewGuid(), password = Password }), HttpStatusCode.NotFound, "definition-not-found");
        await AssertProblemAsync(await server.Admin.PostAsJsonAsync("/api/v1/deployments", new { definitionId }), HttpStatusCode.BadRequest, "password-missing");
        await AssertProblemAsync(await server.Admin.PostAsJsonAsync("/api/v1/deployments", new { definitionId, password = "short" }), HttpStatusCode.BadRequest, "password-too-short");
        await AssertProblemAsync(await server.Admin.PostAsJsonAsync("/api/v1/deployments", new { definitionId, password = Password, serverSoftware = "Gopher" }), HttpStatusCode.BadRequest, "software-invalid");
        await AssertProblemAsync(await server.Admin.PostAsJsonAsync("/api/v1/deployments", new { definitionId, password = Password, delivery = "Pigeon" }), HttpStatusCode.BadRequest, "delivery-invalid");
        await AssertProblemAsync(await server.Admin.PostAsJsonAsync("/api/v1/deployments", new { definitionId, password = Password, package = "Box" }), HttpStatusCode.BadRequest, "package-invalid");
        await AssertProblemAsync(await server.Admin.PostAsJsonAsync("/api/v1/deployments", new { definitionId, password = Password, serverAdminEmail = "no-at-sign" }), HttpStatusCode.BadRequest, "admin-email-invalid");
        await AssertProblemAsync(await server.Admin.PostAsJsonAsync("/api/v1/deployments", new { definitionId, password = Password, serverSoftware = "JavaKeystore", package = "OneClick" }), HttpStatusCode.BadRequest, "installer-unsupported");
        await AssertProblemAsync(await server.Admin.PostAsJsonAsync("/api/v1/deployments", new { definitionId = bare, password = Password }), HttpStatusCode.BadRequest, "no-current-certificate");
        await AssertProblemAsync(await server.User.GetAsync($"/api/v1/deployments/{Missing}"), HttpStatusCode.NotFound, "deployment-not-found");
        await AssertProblemAsync(await server.User.PostAsync($"/api/v1/deployments/{Missing}/manual-confirm", null), HttpStatusCode.NotFound, "deployment-not-found");
        await AssertProblemAsync(await server.Admin.GetAsync($"/api/v1/deployments/{Missing}/package"), HttpStatusCode.NotFound, "deployment-not-found");
        await AssertProblemAsync(await server.User.GetAsync("/api/v1/deployments?status=Lost"), HttpStatusCode.BadRequest, "status-invalid");

        var id = await PrepareAsync(definitionId);
        await AssertProblemAsync(await server.Admin.PostAsJsonAsync("/api/v1/deployments", new { definitionId, password = Password }), HttpStatusCode.Conflict, "deployment-open");
        await AssertProblemAsync(await server.User.PostAsJsonAsync($"/api/v1/deployments/{id}/check", new { alternativeName = "not a host!" }), HttpStatusCode.BadRequest, "check-name-invalid");
        await AssertProblemAsync(await server.User.PostAsync($"/api/v1/deployments/{id}/send-result", null), HttpStatusCode.Conflict, "wrong-step");
        await AssertProblemAsync(await server.User.PostAsJsonAsync($"/api/v1/deployments/{id}/manual-confirm", new { note = new string('x', 1001) }), HttpStatusCode.BadRequest, "note-too-long");
    }
}
