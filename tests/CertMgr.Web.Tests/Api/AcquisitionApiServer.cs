using System.Net;
using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.Setup;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Web.Auth;
using CertMgr.Web.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CertMgr.Web.Tests.Api;

/// <summary>
/// A real in-process CertMgr server over HTTPS with two signed-in clients (an admin and a plain user, signed in
/// through the console's login form) and an anonymous one.
/// </summary>
public sealed class AcquisitionApiServer : IAsyncLifetime
{
    public const string Password = "Correct-Horse-Battery-9";
    public const string ExternalBaseUrl = "https://certmgr.deploy-api.test:8443/";
    public const string AliasHost = "alias.deploy-api.test";
    private readonly string _home = Directory.CreateTempSubdirectory("certmgr-web-acq-").FullName;
    private readonly int _port = TestPorts.Next();
    private readonly List<HttpClientHandler> _handlers = [];
    private WebApplication _app = null!;

    public HttpClient Admin { get; private set; } = null!;
    public HttpClient User { get; private set; } = null!;
    public HttpClient Anonymous { get; private set; } = null!;
    public IServiceProvider Services => _app.Services;

    public async Task InitializeAsync()
    {
        // Links in emails come from ExternalBaseUrl; AliasHost is a second name the server answers to.
        File.WriteAllText(Path.Combine(_home, "certmgr.json"), $$"""
            { "Urls": "https://127.0.0.1:{{_port}}", "ExternalBaseUrl": "{{ExternalBaseUrl}}", "AllowedHosts": "{{AliasHost}}" }
            """);
        var settings = CertMgrSettings.Resolve(_home, null, _ => null);
        _app = CertMgrWebApp.Build(settings, l => l.ClearProviders());
        await CertMgrWebApp.InitializeAsync(_app, CancellationToken.None);
        await _app.StartAsync();
        await AddUserAsync("boss", UserRole.Admin);
        await AddUserAsync("alice", UserRole.User);
        Admin = await SignInAsync("boss");
        User = await SignInAsync("alice");
        Anonymous = Client();
    }

    public async Task DisposeAsync()
    {
        foreach (var h in _handlers)
        {
            h.Dispose();
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_home, recursive: true);
    }

    public async Task<T> DbAsync<T>(Func<CertMgrDbContext, Task<T>> action)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<CertMgrDbContext>());
    }

    public Task<Guid> AddDefinitionAsync(string cn) => DbAsync(async db =>
    {
        var now = TimeProvider.System.GetUtcNow();
        var d = new CertificateDefinition { Name = cn, CommonName = cn, SubjectAlternativeNames = [cn], CreatedAt = now, UpdatedAt = now };
        db.Definitions.Add(d);
        await db.SaveChangesAsync();
        return d.Id;
    });

    private async Task AddUserAsync(string name, UserRole role)
    {
        await DbAsync(async db =>
        {
            var user = new User { UserName = name, NormalizedUserName = name.ToUpperInvariant(), Role = role, PasswordHash = "" };
            user.PasswordHash = new PasswordHasher<User>().HashPassword(user, Password);
            db.Users.Add(user);
            return await db.SaveChangesAsync();
        });
    }

    private HttpClient Client()
    {
        var caPem = File.ReadAllText(Path.Combine(_home, "ca", "ca-cert.pem"));
        using var ca = X509Certificate2.CreateFromPem(caPem);
        var caSubject = ca.Subject;
        var handler = new HttpClientHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            ServerCertificateCustomValidationCallback = (_, cert, _, _) => cert is not null && cert.Issuer == caSubject,
        };
        _handlers.Add(handler);
        return new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{_port}") };
    }

    // The console's login page is not served by an in-process host built from the test assembly, so the session
    // cookie is made the way the cookie handler makes it: the user's principal, protected by the app's own keys.
    private async Task<HttpClient> SignInAsync(string name)
    {
        var user = await DbAsync(db => db.Users.SingleAsync(u => u.UserName == name));
        var options = _app.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(CertMgrClaims.Scheme);
        var ticket = new AuthenticationTicket(CertMgrClaims.PrincipalFor(user), CertMgrClaims.Scheme);
        var client = Client();
        client.DefaultRequestHeaders.Add("Cookie", $"{options.Cookie.Name}={options.TicketDataFormat.Protect(ticket)}");
        client.DefaultRequestHeaders.Add(ApiServer.CsrfHeader, "1");
        var probe = await client.GetAsync("/api/v1/products");
        Assert.True(probe.StatusCode == HttpStatusCode.OK, $"session of {name} refused: {probe.StatusCode}");
        return client;
    }

}
