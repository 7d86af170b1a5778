using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Net.Http.Json;
using CertMgr.Core.Security;
using CertMgr.Core.Setup;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Web.Auth;
using CertMgr.Web.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CertMgr.Web.Tests.Api;

/// <summary>
/// The real CertMgr web app in process on a loopback HTTPS port, with an admin and a plain user, and HTTP clients
/// signed in with a password (cookie sessions, as the console has them).
/// </summary>
public sealed class ApiServer : IAsyncDisposable
{
    public const string Password = "Api-Test-Password-2026!";
    public const string CsrfHeader = "X-CertMgr-Csrf";

    private readonly string _home;
    private readonly WebApplication _app;
    private readonly X509Certificate2 _ca;

    private ApiServer(string home, WebApplication app, int port, X509Certificate2 ca)
    {
        _home = home;
        _app = app;
        _ca = ca;
        BaseAddress = new Uri($"https://127.0.0.1:{port}");
    }

    public Uri BaseAddress { get; }

    public IServiceProvider Services => _app.Services;

    /// <param name="logs">Where the server logs go (none when null).</param>
    public static async Task<ApiServer> StartAsync(ILoggerProvider? logs = null)
    {
        var home = Directory.CreateTempSubdirectory("certmgr-web-api-").FullName;
        var port = TestPorts.Next();
        File.WriteAllText(Path.Combine(home, "certmgr.json"), $$"""{ "Urls": "https://127.0.0.1:{{port}}" }""");
        var settings = CertMgrSettings.Resolve(home, null, _ => null);
        var app = CertMgrWebApp.Build(settings, l =>
        {
            l.ClearProviders();
            if (logs is not null)
            {
                l.AddProvider(logs);
            }
        });
        // The test host is the entry assembly, so the console's Razor Pages (the login form) are not discovered in
        // process: sign in through this test-only endpoint instead. It issues the same cookie principal as the login
        // page after checking the password, so API requests go through the real cookie authentication and policies.
        app.MapPost("/test/sign-in", async (HttpContext http, UserAccounts users, SignInBody body) =>
        {
            var user = await users.SignInAsync(body.UserName, body.Password, null, http.RequestAborted);
            if (!user.IsSuccess)
            {
                return Results.Unauthorized();
            }

            await http.SignInAsync(CertMgrClaims.Scheme, CertMgrClaims.PrincipalFor(user.Value));
            return Results.NoContent();
        }).AllowAnonymous().DisableAntiforgery();

        await CertMgrWebApp.InitializeAsync(app, CancellationToken.None);
        await app.StartAsync();
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CertMgrDbContext>();
            var hasher = new PasswordHasher<User>();
            foreach (var (name, role) in new[] { ("api-admin", UserRole.Admin), ("api-user", UserRole.User) })
            {
                var user = new User { UserName = name, NormalizedUserName = name.ToUpperInvariant(), Role = role, PasswordHash = "" };
                user.PasswordHash = hasher.HashPassword(user, Password);
                db.Users.Add(user);
            }

            await db.SaveChangesAsync();
        }

        var ca = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(home, "ca", "ca-cert.pem")));
        return new ApiServer(home, app, port, ca);
    }

    /// <summary>A client without a session.</summary>
    public HttpClient Anonymous() => new(Handler(new CookieContainer())) { BaseAddress = BaseAddress };

    /// <summary>A client signed in as <c>api-admin</c> or <c>api-user</c>.</summary>
    public async Task<HttpClient> SignInAsync(string userName)
    {
        var cookies = new CookieContainer();
        var client = new HttpClient(Handler(cookies)) { BaseAddress = BaseAddress };
        using var response = await client.PostAsJsonAsync("/test/sign-in", new SignInBody(userName, Password));
        Assert.True(response.StatusCode == HttpStatusCode.NoContent, $"Sign-in of {userName} failed: {response.StatusCode}");
        // As the console's scripts do: cookie-authenticated unsafe API calls carry the CSRF header.
        client.DefaultRequestHeaders.Add(CsrfHeader, "1");
        return client;
    }

    private HttpClientHandler Handler(CookieContainer cookies) => new()
    {
        CookieContainer = cookies,
        AllowAutoRedirect = false,
        ServerCertificateCustomValidationCallback = (_, cert, _, _) => cert is not null && cert.Issuer == _ca.Subject,
    };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _ca.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_home, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }

    public sealed record SignInBody(string UserName, string Password);
}

/// <summary>One <see cref="ApiServer"/> shared by the tests of a class.</summary>
public sealed class ApiServerFixture : IAsyncLifetime
{
    public ApiServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await ApiServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
