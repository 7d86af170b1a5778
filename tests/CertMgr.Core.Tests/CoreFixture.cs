using CertMgr.Core.Setup;
using CertMgr.Data;
using CertMgr.Data.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CertMgr.Core.Tests;

/// <summary>Which database a <see cref="CoreFixture"/> runs on.</summary>
public enum TestDatabase
{
    Sqlite,
    Postgres,
}

/// <summary>
/// A fresh data directory, a fake clock, and CertMgr's core services on a fresh database: SQLite in the data
/// directory, or a new database on the tests' PostgreSQL server (dropped at dispose).
/// </summary>
public sealed class CoreFixture : IAsyncDisposable
{
    // Every PostgreSQL fixture starts from a copy of one migrated database: CREATE DATABASE … TEMPLATE is a file copy,
    // where running the migrations for each test would cost seconds.
    private static readonly Lazy<Task<string>> MigratedTemplate = new(CreateMigratedTemplateAsync);

    private readonly ServiceProvider _provider;
    private readonly string? _postgresDatabase;

    private CoreFixture(string root, FakeTimeProvider time, string? postgresConnection, string? postgresDatabase, Action<IServiceCollection>? configure = null)
    {
        Root = root;
        Time = time;
        _postgresDatabase = postgresDatabase;
        Settings = CertMgrSettings.Resolve(root, null, v => v == CertMgrSettings.DatabaseVariable ? postgresConnection : null);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddCertMgrCore(Settings, time);
        configure?.Invoke(services);
        _provider = services.BuildServiceProvider();
    }

    public string Root { get; }
    public FakeTimeProvider Time { get; }
    public CertMgrSettings Settings { get; }
    public DataDirectory Home => Settings.Home;

    /// <param name="initialize">Run the first-start initialization (CA, trusted CA sets, catalog).</param>
    /// <param name="database">The database to run on.</param>
    /// <param name="configure">Extra registrations after the core's, e.g. a test deploy target at the I/O seam.</param>
    public static async Task<CoreFixture> CreateAsync(bool initialize = true, TestDatabase database = TestDatabase.Sqlite, Action<IServiceCollection>? configure = null)
    {
        var root = Path.Combine(Path.GetTempPath(), "certmgr-core-" + Guid.NewGuid().ToString("N"));
        string? connection = null;
        string? name = null;
        if (database == TestDatabase.Postgres)
        {
            var server = await PostgresServer.GetAsync();
            name = await server.CreateDatabaseAsync(template: await MigratedTemplate.Value);
            connection = server.ConnectionStringFor(name);
        }

        var fixture = new CoreFixture(root, new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero)), connection, name, configure);
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

    private static async Task<string> CreateMigratedTemplateAsync()
    {
        var server = await PostgresServer.GetAsync();
        var name = await server.CreateDatabaseAsync();
        var connection = server.ConnectionStringFor(name);
        await using (var context = new CertMgrDbContext(new DatabaseSettings(DatabaseKind.Postgres, connection).CreateOptions()))
        {
            await context.Database.MigrateAsync();
        }

        // A template must have no open connection while it is copied.
        using (var pooled = new NpgsqlConnection(connection))
        {
            NpgsqlConnection.ClearPool(pooled);
        }

        return name;
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
        if (_postgresDatabase is not null)
        {
            await (await PostgresServer.GetAsync()).DropDatabaseAsync(_postgresDatabase);
        }

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
