using CertMgr.Data.Tests.Infrastructure;
using Npgsql;

namespace CertMgr.EndToEnd.Tests;

public sealed class PostgresServeTests
{
    [Fact]
    public async Task Serve_CertmgrDbIsPostgres_MigratesAndKeepsEverythingThere()
    {
        var pg = await PostgresServer.GetAsync();
        var database = await pg.CreateDatabaseAsync();
        var connectionString = pg.ConnectionStringFor(database);
        using var home = new TempHome();
        var env = new Dictionary<string, string> { ["CERTMGR_DB"] = connectionString };
        try
        {
            await using (var first = await CertMgrServer.StartAsync(home.Path, env))
            {
                Assert.NotNull(first.InitialPassword);
                Assert.Contains("Database: Postgres", first.Output, StringComparison.Ordinal);
                Assert.Equal(0, await first.StopAsync());
            }

            Assert.False(File.Exists(Path.Combine(home.Path, "db", "certmgr.db")), "no SQLite file when PostgreSQL is configured");
            Assert.Equal(1L, await ScalarAsync(connectionString, "SELECT count(*) FROM users WHERE \"UserName\" = 'admin' AND \"MustChangePassword\""));
            Assert.Equal(1L, await ScalarAsync(connectionString, "SELECT count(*) FROM private_cas WHERE \"IsCurrent\""));
            Assert.Equal(1L, await ScalarAsync(connectionString, "SELECT count(*) FROM issued_certificates WHERE \"Profile\" = 'Console'"));
            var migrations = await ScalarAsync(connectionString, "SELECT count(*) FROM \"__EFMigrationsHistory\"");
            Assert.True(migrations >= 2, $"{migrations} migrations applied");

            await using var second = await CertMgrServer.StartAsync(home.Path, env);
            Assert.Null(second.InitialPassword);
            Assert.Equal(1L, await ScalarAsync(connectionString, "SELECT count(*) FROM private_cas"));
            Assert.Equal(1L, await ScalarAsync(connectionString, "SELECT count(*) FROM users"));
        }
        finally
        {
            await pg.DropDatabaseAsync(database);
        }
    }

    private static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
