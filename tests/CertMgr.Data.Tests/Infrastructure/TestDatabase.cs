using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Data.Tests.Infrastructure;

/// <summary>One fresh database of one kind: a temp SQLite file, or a uniquely named PostgreSQL database.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly Func<Task> _drop;

    private TestDatabase(DatabaseKind kind, string connectionString, string? sqliteFile, Func<Task> drop)
    {
        Kind = kind;
        Settings = new DatabaseSettings(kind, connectionString);
        SqliteFile = sqliteFile;
        _drop = drop;
    }

    public DatabaseKind Kind { get; }

    public DatabaseSettings Settings { get; }

    /// <summary>The database file, for SQLite.</summary>
    public string? SqliteFile { get; }

    /// <summary>Creates an empty database; with <paramref name="migrate"/>, applies every migration.</summary>
    public static async Task<TestDatabase> CreateAsync(DatabaseKind kind, bool migrate = true)
    {
        var database = kind switch
        {
            DatabaseKind.Sqlite => CreateSqlite(),
            DatabaseKind.Postgres => await CreatePostgresAsync(),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
        if (migrate)
        {
            await using var context = database.CreateContext();
            await context.Database.MigrateAsync();
        }

        return database;
    }

    public CertMgrDbContext CreateContext() => new(Settings.CreateOptions());

    public async ValueTask DisposeAsync() => await _drop();

    private static TestDatabase CreateSqlite()
    {
        var file = Path.Combine(Path.GetTempPath(), $"certmgr-test-{Guid.NewGuid():N}.db");
        var settings = DatabaseSettings.ForSqliteFile(file);
        return new TestDatabase(DatabaseKind.Sqlite, settings.ConnectionString, file, () =>
        {
            using (var connection = new SqliteConnection(settings.ConnectionString))
            {
                SqliteConnection.ClearPool(connection);
            }

            foreach (var path in new[] { file, file + "-wal", file + "-shm" })
            {
                File.Delete(path);
            }

            return Task.CompletedTask;
        });
    }

    private static async Task<TestDatabase> CreatePostgresAsync()
    {
        var server = await PostgresServer.GetAsync();
        var name = await server.CreateDatabaseAsync();
        return new TestDatabase(DatabaseKind.Postgres, server.ConnectionStringFor(name), null, () => server.DropDatabaseAsync(name));
    }
}
