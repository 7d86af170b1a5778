using System.Net;
using System.Text;
using System.Text.Json;
using CertMgr.Core.Security;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Web.Tests.Api;

/// <summary>API tokens over real HTTPS: accepted, refused (wrong, revoked, expired, disabled, forced reset), roles, storage.</summary>
public sealed class ApiTokenApiTests : IAsyncLifetime
{
    private readonly PlatformApiServer _server = new();

    public Task InitializeAsync() => _server.InitializeAsync();

    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task Bearer_ValidToken_ActsAsItsUser()
    {
        var token = await _server.TokenForNewUserAsync(UserRole.User);
        using var http = _server.Client(token);

        var info = await http.GetAsync("/api/v1/ca");

        Assert.Equal(HttpStatusCode.OK, info.StatusCode);
        Assert.Contains("subject", await info.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("cmt_not-a-real-token-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("garbage")]
    public async Task Bearer_UnknownToken_401ProblemWithoutRedirect(string token)
    {
        using var http = _server.Client(token);

        var response = await http.GetAsync("/api/v1/ca");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Contains("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Bearer_RepeatedBadTokensFromOneAddress_Throttled429EvenForAValidToken()
    {
        var valid = await _server.TokenForNewUserAsync(UserRole.User);
        using var bad = _server.Client("cmt_not-a-real-token-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        for (var i = 0; i < SignInThrottle.MaxFailuresPerAddress; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await bad.GetAsync("/api/v1/ca")).StatusCode);
        }

        using var good = _server.Client(valid);
        var throttled = await good.GetAsync("/api/v1/ca");

        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.Equal("application/problem+json", throttled.Content.Headers.ContentType?.MediaType);
        Assert.Contains("too-many-attempts", await throttled.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.NotNull(throttled.Headers.RetryAfter);
    }

    [Fact]
    public async Task Bearer_RevokedToken_401()
    {
        var userId = await _server.AddUserAsync("revoker", UserRole.User);
        var token = await _server.TokenAsync(userId);
        using var http = _server.Client(token);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/v1/ca")).StatusCode);
        var id = await _server.DbAsync(db => db.ApiTokens.Where(t => t.UserId == userId).Select(t => t.Id).SingleAsync());

        var revoked = await _server.ServiceAsync<ApiTokens, CertMgr.Core.Common.Result>(t => t.RevokeAsync(userId, id, CancellationToken.None));
        var response = await http.GetAsync("/api/v1/ca");

        Assert.True(revoked.IsSuccess);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("revoked", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Bearer_ExpiredToken_401()
    {
        var userId = await _server.AddUserAsync("expirer", UserRole.Admin);
        var token = await _server.TokenAsync(userId, days: 1);
        await _server.DbAsync(db => db.ApiTokens.Where(t => t.UserId == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.ExpiresAt, TimeProvider.System.GetUtcNow().AddMinutes(-1))));
        using var http = _server.Client(token);

        var response = await http.GetAsync("/api/v1/ca");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("expired", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Bearer_DisabledUser_401()
    {
        var userId = await _server.AddUserAsync("leaver", UserRole.Admin);
        var token = await _server.TokenAsync(userId);
        await _server.DbAsync(db => db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(s => s.SetProperty(u => u.Disabled, true)));
        using var http = _server.Client(token);

        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/v1/ca")).StatusCode);
    }

    [Fact]
    public async Task Bearer_UserMustChangePassword_403UntilChanged()
    {
        var userId = await _server.AddUserAsync("reset", UserRole.Admin);
        var token = await _server.TokenAsync(userId);
        await _server.DbAsync(db => db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(s => s.SetProperty(u => u.MustChangePassword, true)));
        using var http = _server.Client(token);

        var response = await http.GetAsync("/api/v1/ca");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("Password change required", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bearer_NonAdminOnAdminEndpoint_403AndAdmin_Passes()
    {
        using var user = _server.Client(await _server.TokenForNewUserAsync(UserRole.User));
        using var admin = _server.Client(await _server.TokenForNewUserAsync(UserRole.Admin));

        var forbidden = await user.PostAsync("/api/v1/ca/issue", new StringContent("not a csr", Encoding.ASCII, "application/pkcs10"));
        var badCsr = await admin.PostAsync("/api/v1/ca/issue", new StringContent("not a csr", Encoding.ASCII, "application/pkcs10"));

        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Null(forbidden.Headers.Location);
        Assert.Equal(HttpStatusCode.BadRequest, badCsr.StatusCode);
    }

    [Fact]
    public async Task Bearer_OnConsolePage_IsNotASession()
    {
        using var http = _server.Client(await _server.TokenForNewUserAsync(UserRole.Admin));

        var page = await http.GetAsync("/definitions");

        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Contains("/account/login", page.Headers.Location?.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Token_NeverStoredInClear_OnlyItsHash()
    {
        var userId = await _server.AddUserAsync("storage", UserRole.User);
        var token = await _server.TokenAsync(userId, "ci pipeline");
        using var http = _server.Client(token);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/v1/ca")).StatusCode);

        var row = await _server.DbAsync(db => db.ApiTokens.AsNoTracking().SingleAsync(t => t.UserId == userId));
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var files = Directory.EnumerateFiles(_server.Home, "*", SearchOption.AllDirectories)
            .Where(f => f.Contains("certmgr.db", StringComparison.Ordinal)).ToList();

        Assert.Equal(ApiTokens.Hash(token), row.TokenHash);
        Assert.Equal(token[..12], row.Prefix);
        Assert.NotNull(row.LastUsedAt);
        Assert.NotEmpty(files);
        var secretPart = Encoding.ASCII.GetBytes(token[12..]);
        foreach (var file in files)
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            Assert.Equal(-1, copy.ToArray().AsSpan().IndexOf(secretPart));
        }
    }

    [Fact]
    public async Task OpenApi_Document_ListsApiAndBearerScheme_ReferencePageServed()
    {
        using var http = _server.Client();

        using var doc = JsonDocument.Parse(await http.GetStringAsync("/openapi/v1.json"));
        var page = await http.GetAsync("/api-docs");

        var paths = doc.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/v1/ca/issue", paths);
        Assert.Contains("/api/v1/certificates", paths);
        Assert.Contains("/api/v1/certificates/{id}/download", paths);
        Assert.Contains("/api/v1/keys/{id}/export", paths);
        Assert.DoesNotContain(paths, p => p.StartsWith("/pki", StringComparison.Ordinal));
        var scheme = doc.RootElement.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer");
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("swagger-ui-bundle.js", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("script-src 'self';", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }
}
