using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CertMgr.Core.Security;
using CertMgr.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CertMgr.Web.Tests.Api;

/// <summary>
/// Security rules over real HTTPS with cookie sessions: install packages admin-only in the document folder, enums by
/// name only, the CSRF header on cookie-authenticated unsafe calls, oversized bodies as 413 problems without a trace.
/// </summary>
public sealed class SecurityApiTests : IAsyncLifetime
{
    private readonly LogCapture _logs = new();
    private ApiServer _server = null!;
    private HttpClient _admin = null!;
    private HttpClient _user = null!;

    public async Task InitializeAsync()
    {
        _server = await ApiServer.StartAsync(_logs);
        _admin = await _server.SignInAsync("api-admin");
        _user = await _server.SignInAsync("api-user");
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        _user.Dispose();
        await _server.DisposeAsync();
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {status}, got {response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var json = JsonDocument.Parse(body).RootElement;
        Assert.Equal(code, json.GetProperty("code").GetString());
        return json;
    }

    private async Task<Guid> NewDefinitionAsync(string cn)
    {
        var created = await _admin.PostAsJsonAsync("/api/v1/definitions", new { commonName = cn });
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        return JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid();
    }

    private static MultipartFormDataContent Upload(string kind, string fileName) => new()
    {
        { new ByteArrayContent(Encoding.UTF8.GetBytes("#!/bin/sh\necho package\n")), "file", fileName },
        { new StringContent(kind), "kind" },
    };

    private Task<int> DefinitionCountAsync() => DbAsync(db => db.Definitions.CountAsync());

    private async Task<T> DbAsync<T>(Func<CertMgrDbContext, Task<T>> query)
    {
        await using var scope = _server.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<CertMgrDbContext>());
    }

    [Fact]
    public async Task Documents_InstallPackage_NonAdminGets403ForUploadDownloadDelete_AdminAllowed()
    {
        var definitionId = await NewDefinitionAsync("docs-admin-only.example.test");
        var path = $"/api/v1/definitions/{definitionId}/documents";

        using (var form = Upload("InstallPackage", "install.sh"))
        {
            await ProblemAsync(await _user.PostAsync(path, form), HttpStatusCode.Forbidden, "install-package-admin-only");
        }

        Assert.Equal(0, await DbAsync(db => db.Documents.CountAsync(d => d.DefinitionId == definitionId)));
        using var adminForm = Upload("InstallPackage", "install.sh");
        var stored = await _admin.PostAsync(path, adminForm);
        Assert.Equal(HttpStatusCode.Created, stored.StatusCode);
        var docId = JsonDocument.Parse(await stored.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();

        await ProblemAsync(await _user.GetAsync($"{path}/{docId}"), HttpStatusCode.Forbidden, "install-package-admin-only");
        await ProblemAsync(await _user.DeleteAsync($"{path}/{docId}"), HttpStatusCode.Forbidden, "install-package-admin-only");
        Assert.Equal(1, await DbAsync(db => db.Documents.CountAsync(d => d.DefinitionId == definitionId)));
        Assert.Equal(HttpStatusCode.OK, (await _admin.GetAsync($"{path}/{docId}")).StatusCode);

        // Other kinds stay open to every signed-in user.
        using var other = Upload("OrderDocument", "order.txt");
        Assert.Equal(HttpStatusCode.Created, (await _user.PostAsync(path, other)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteAsync($"{path}/{docId}")).StatusCode);
    }

    [Theory]
    [InlineData("operationMode", "99", "LifecycleManaged, MonitoredOnly")]
    [InlineData("operationMode", "\"99\"", "LifecycleManaged, MonitoredOnly")]
    [InlineData("executionMode", "7", "Interactive, Unattended")]
    [InlineData("keyAlgorithm", "1", "Rsa")]
    [InlineData("serverSoftware", "\"Nginx,Iis\"", "Nginx")]
    public async Task CreateDefinition_EnumAsNumberOrUnknown_400NamingFieldAndNothingStored(string field, string json, string allowed)
    {
        var before = await DefinitionCountAsync();
        using var body = new StringContent($$"""{ "commonName": "enum-{{field}}.example.test", "{{field}}": {{json}} }""", Encoding.UTF8, "application/json");

        var response = await _admin.PostAsync("/api/v1/definitions", body);

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest, "body-invalid");
        Assert.Contains(field, problem.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Contains(allowed, problem.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
        Assert.Equal(before, await DefinitionCountAsync());
    }

    [Fact]
    public async Task SwitchMode_OutOfRangeNumber_400AndModeUnchanged()
    {
        var id = await NewDefinitionAsync("enum-mode.example.test");
        using var body = new StringContent("""{ "operationMode": 99 }""", Encoding.UTF8, "application/json");

        var response = await _admin.PostAsync($"/api/v1/definitions/{id}/mode", body);

        await ProblemAsync(response, HttpStatusCode.BadRequest, "body-invalid");
        var stored = await DbAsync(db => db.Definitions.AsNoTracking().SingleAsync(d => d.Id == id));
        Assert.Equal(CertMgr.Data.Model.OperationMode.LifecycleManaged, stored.OperationMode);
        var named = await _admin.PostAsJsonAsync($"/api/v1/definitions/{id}/mode", new { operationMode = "MonitoredOnly" });
        Assert.Equal(HttpStatusCode.OK, named.StatusCode);
    }

    [Fact]
    public async Task CookieSession_UnsafeApiCallWithoutCsrfHeader_403AndNothingStored_BearerUnchanged()
    {
        var before = await DefinitionCountAsync();
        _admin.DefaultRequestHeaders.Remove(ApiServer.CsrfHeader);

        var post = await _admin.PostAsJsonAsync("/api/v1/definitions", new { commonName = "csrf.example.test" });
        var read = await _admin.GetAsync("/api/v1/definitions");

        await ProblemAsync(post, HttpStatusCode.Forbidden, "csrf-header-missing");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(before, await DefinitionCountAsync());

        _admin.DefaultRequestHeaders.Add(ApiServer.CsrfHeader, "1");
        Assert.Equal(HttpStatusCode.Created, (await _admin.PostAsJsonAsync("/api/v1/definitions", new { commonName = "csrf.example.test" })).StatusCode);

        string token;
        await using (var scope = _server.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CertMgrDbContext>();
            var adminId = await db.Users.Where(u => u.UserName == "api-admin").Select(u => u.Id).SingleAsync();
            token = (await scope.ServiceProvider.GetRequiredService<ApiTokens>().CreateAsync(adminId, "csrf test", null, CancellationToken.None)).Value.Secret;
        }

        using var bearer = _server.Anonymous();
        bearer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(HttpStatusCode.Created, (await bearer.PostAsJsonAsync("/api/v1/definitions", new { commonName = "bearer-csrf.example.test" })).StatusCode);
    }

    [Fact]
    public async Task OversizedJsonBody_413ProblemWithoutStackTraceInLog()
    {
        var before = await DefinitionCountAsync();
        var padding = new string('a', 31 * 1024 * 1024);
        using var body = new StringContent($$"""{ "commonName": "big.example.test", "notes": "{{padding}}" }""", Encoding.UTF8, "application/json");

        // As curl does for large bodies: the server's answer comes before the body is sent.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/definitions") { Content = body };
        request.Headers.ExpectContinue = true;

        var response = await _admin.SendAsync(request);

        await ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "body-too-large");
        Assert.Equal(before, await DefinitionCountAsync());
        Assert.Contains(_logs.Lines, l => l.Contains("over the limit", StringComparison.Ordinal));
        Assert.DoesNotContain(_logs.Lines, l => l.Contains("   at ", StringComparison.Ordinal) || l.Contains("Exception", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OversizedMultipartUpload_413Problem()
    {
        var definitionId = await NewDefinitionAsync("big-upload.example.test");
        using var form = new MultipartFormDataContent { { new ByteArrayContent(new byte[31 * 1024 * 1024]), "file", "big.bin" } };

        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/definitions/{definitionId}/documents") { Content = form };
        request.Headers.ExpectContinue = true;

        var response = await _user.SendAsync(request);

        await ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "body-too-large");
        Assert.Equal(0, await DbAsync(db => db.Documents.CountAsync(d => d.DefinitionId == definitionId)));
    }

    [Fact]
    public async Task ForgedHostHeader_400()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/healthz");
        request.Headers.Host = "evil.example";

        var forged = await _admin.SendAsync(request);
        var genuine = await _admin.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, genuine.StatusCode);
    }

    /// <summary>Every formatted log line, with the exception's text when one was passed.</summary>
    private sealed class LogCapture : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public IReadOnlyList<string> Lines => [.. _lines];

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(LogCapture owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner._lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : "\n" + exception)}");
        }
    }
}
