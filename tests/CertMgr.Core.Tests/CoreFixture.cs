using CertMgr.Core.Setup;
using CertMgr.Data;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CertMgr.Core.Tests;

/// <summary>A fresh data directory with SQLite, a fake clock, and CertMgr's core services.</summary>
public sealed class CoreFixture : IAsyncDisposable
{
    private readonly ServiceProvider _provider;

    private CoreFixture(string root, FakeTimeProvider time)
    {
        Root = root;
        Time = time;
        Settings = CertMgrSettings.Resolve(root, null, _ => null);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddCertMgrCore(Settings, time);
        _provider = services.BuildServiceProvider();
    }

    public string Root { get; }
    public FakeTimeProvider Time { get; }
    public CertMgrSettings Settings { get; }
    public DataDirectory Home => Settings.Home;

    public static async Task<CoreFixture> CreateAsync(bool initialize = true)
    {
        var root = Path.Combine(Path.GetTempPath(), "certmgr-core-" + Guid.NewGuid().ToString("N"));
        var fixture = new CoreFixture(root, new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero)));
        if (initialize)
        {
            await fixture.InitializeAsync();
        }

        return fixture;
    }

    public async Task<InitializationOutcome> InitializeAsync()
    {
        await using var scope = Scope();
        return await scope.ServiceProvider.GetRequiredService<CertMgrInitializer>().InitializeAsync(CancellationToken.None);
    }

    public AsyncServiceScope Scope() => _provider.CreateAsyncScope();

    public async Task<T> WithAsync<T>(Func<IServiceProvider, Task<T>> action)
    {
        await using var scope = Scope();
        return await action(scope.ServiceProvider);
    }

    public async Task<T> DbAsync<T>(Func<CertMgrDbContext, Task<T>> query)
    {
        await using var scope = Scope();
        return await query(scope.ServiceProvider.GetRequiredService<CertMgrDbContext>());
    }

    public async ValueTask DisposeAsync()
    {
        await _provider.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }
}
