namespace CertMgr.Data.Tests;

public sealed class DatabaseProviderTests
{
    [Fact]
    public void Resolve_NothingConfigured_UsesSqliteAtDefaultPath()
    {
        var settings = DatabaseSettings.Resolve(null, "/var/lib/certmgr/db/certmgr.db");

        Assert.Equal(DatabaseKind.Sqlite, settings.Kind);
        Assert.Contains("/var/lib/certmgr/db/certmgr.db", settings.ConnectionString, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Host=127.0.0.1;Port=5433;Username=certmgr;Database=certmgr", DatabaseKind.Postgres)]
    [InlineData("  server=127.0.0.1;Database=certmgr", DatabaseKind.Postgres)]
    [InlineData("Data Source=/tmp/certmgr.db", DatabaseKind.Sqlite)]
    [InlineData("Filename=/tmp/certmgr.db", DatabaseKind.Sqlite)]
    public void Resolve_KeywordConnectionString_ChoosesProvider(string configured, DatabaseKind expected)
    {
        Assert.Equal(expected, DatabaseSettings.Resolve(configured, "unused.db").Kind);
    }

    [Fact]
    public void Resolve_PostgresUri_BecomesNpgsqlConnectionString()
    {
        var settings = DatabaseSettings.Resolve("postgresql://cert%40mgr:p%3Ass@127.0.0.1:5433/certmgr", "unused.db");

        var builder = new Npgsql.NpgsqlConnectionStringBuilder(settings.ConnectionString);
        Assert.Equal(DatabaseKind.Postgres, settings.Kind);
        Assert.Equal(("127.0.0.1", 5433, "certmgr", "cert@mgr", "p:ss"),
            (builder.Host, builder.Port, builder.Database, builder.Username, builder.Password));
    }

    [Fact]
    public void Resolve_PostgresUriWithoutPort_UsesDefaultPort()
    {
        var settings = DatabaseSettings.Resolve("postgres://127.0.0.1/certmgr", "unused.db");

        Assert.Equal(5432, new Npgsql.NpgsqlConnectionStringBuilder(settings.ConnectionString).Port);
    }

    [Fact]
    public void Resolve_UnknownConnectionString_ThrowsClearError()
    {
        var error = Assert.Throws<ArgumentException>(() => DatabaseSettings.Resolve("mysql://127.0.0.1/x", "unused.db"));

        Assert.Contains("neither PostgreSQL", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(DatabaseKind.Postgres, "Host=127.0.0.1;Username=certmgr;Password=hunter2;Database=certmgr", "127.0.0.1")]
    [InlineData(DatabaseKind.Sqlite, "Data Source=/tmp/certmgr.db;Password=hunter2", "/tmp/certmgr.db")]
    public void Redacted_ConnectionStringWithPassword_HidesOnlyThePassword(DatabaseKind kind, string connectionString, string stillShown)
    {
        var redacted = new DatabaseSettings(kind, connectionString).Redacted;

        Assert.DoesNotContain("hunter2", redacted, StringComparison.Ordinal);
        Assert.Contains(stillShown, redacted, StringComparison.Ordinal);
    }
}
