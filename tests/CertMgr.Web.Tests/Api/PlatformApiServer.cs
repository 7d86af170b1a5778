using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.Security;
using CertMgr.Core.Setup;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Web.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CertMgr.Web.Tests.Api;

/// <summary>A real in-process CertMgr on a loopback HTTPS port, with helpers for users and API tokens.</summary>
public sealed class PlatformApiServer : IAsyncLifetime
{
    private readonly string _home = Directory.CreateTempSubdirectory("certmgr-web-h3-").FullName;
    private readonly int _port = TestPorts.Next();

    public WebApplication App { get; private set; } = null!;

    public string Home => _home;

    public Uri BaseAddress => new($"https://127.0.0.1:{_port}");

    public async Task InitializeAsync()
    {
        File.WriteAllText(Path.Combine(_home, "certmgr.json"), $$"""{ "Urls": "https://127.0.0.1:{{_port}}" }""");
        App = CertMgrWebApp.Build(CertMgrSettings.Resolve(_home, null, _ => null), l => l.ClearProviders());
        await CertMgrWebApp.InitializeAsync(App, CancellationToken.None);
        await App.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_home, recursive: true);
    }

    /// <summary>An HTTPS client trusting the server's console certificate (issued by the built-in CA).</summary>
    public HttpClient Client(string? bearer = null)
    {
        var caPem = File.ReadAllText(Path.Combine(_home, "ca", "ca-cert.pem"));
        var caSubject = X509Certificate2.CreateFromPem(caPem).Subject;
        var handler = new HttpClientHandler
        {
            AllowAutoRedirect = false,
            ServerCertificateCustomValidationCallback = (_, cert, _, _) => cert is not null && cert.Issuer == caSubject,
        };
        var client = new HttpClient(handler, disposeHandler: true) { BaseAddress = BaseAddress };
        if (bearer is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return client;
    }

    /// <summary>Creates a user (no password sign-in needed) and returns its id.</summary>
    public async Task<Guid> AddUserAsync(string name, UserRole role, bool mustChangePassword = false, bool disabled = false)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CertMgrDbContext>();
        var user = new User
        {
            UserName = name,
            NormalizedUserName = UserAccounts.Normalize(name),
            Role = role,
            PasswordHash = "not-used",
            MustChangePassword = mustChangePassword,
            Disabled = disabled,
        };
        db.Users.Add(user);
        await db.SaveChangesAsync();
        return user.Id;
    }

    /// <summary>A new token's secret for a user.</summary>
    public async Task<string> TokenAsync(Guid userId, string name = "test", int? days = null)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<ApiTokens>().CreateAsync(userId, name, days, CancellationToken.None);
        Assert.True(created.IsSuccess, created.Error?.Message);
        return created.Value.Secret;
    }

    /// <summary>A token of a new user of the role; names are unique per call.</summary>
    public async Task<string> TokenForNewUserAsync(UserRole role) =>
        await TokenAsync(await AddUserAsync($"{role.ToString().ToLowerInvariant()}-{Guid.NewGuid():N}", role));

    public async Task<T> DbAsync<T>(Func<CertMgrDbContext, Task<T>> query)
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<CertMgrDbContext>());
    }

    public async Task<T> ServiceAsync<TService, T>(Func<TService, Task<T>> use)
        where TService : notnull
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await use(scope.ServiceProvider.GetRequiredService<TService>());
    }

}
