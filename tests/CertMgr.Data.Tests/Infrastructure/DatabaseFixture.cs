namespace CertMgr.Data.Tests.Infrastructure;

/// <summary>
/// A migrated database of every kind for one test class: a fresh SQLite file and a fresh PostgreSQL database,
/// both dropped afterwards. Tests in the class share them, so each test works on rows it created itself.
/// </summary>
public sealed class DatabaseFixture : IAsyncLifetime
{
    private readonly Dictionary<DatabaseKind, TestDatabase> _databases = [];

    public TestDatabase this[DatabaseKind kind] => _databases[kind];

    public CertMgrDbContext CreateContext(DatabaseKind kind) => _databases[kind].CreateContext();

    public async Task InitializeAsync()
    {
        foreach (var kind in Enum.GetValues<DatabaseKind>())
        {
            _databases[kind] = await TestDatabase.CreateAsync(kind);
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var database in _databases.Values)
        {
            await database.DisposeAsync();
        }
    }
}
