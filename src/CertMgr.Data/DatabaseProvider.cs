using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Data;

public enum DatabaseKind
{
    Sqlite,
    Postgres,
}

/// <summary>Which database CertMgr uses, and how to reach it.</summary>
/// <param name="Kind">SQLite (embedded default) or PostgreSQL.</param>
/// <param name="ConnectionString">The provider's connection string.</param>
public sealed record DatabaseSettings(DatabaseKind Kind, string ConnectionString)
{
    public const string SqliteMigrationsAssembly = "CertMgr.Data.Sqlite";
    public const string PostgresMigrationsAssembly = "CertMgr.Data.Postgres";

    /// <summary>
    /// Reads a configured connection string: <c>Host=…</c>/<c>postgres://…</c> means PostgreSQL, <c>Data Source=…</c> SQLite.
    /// When none is configured, SQLite at <paramref name="defaultSqlitePath"/>.
    /// </summary>
    public static DatabaseSettings Resolve(string? configured, string defaultSqlitePath)
    {
        if (string.IsNullOrWhiteSpace(configured))
        {
            return ForSqliteFile(defaultSqlitePath);
        }

        var value = configured.Trim();
        if (value.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) ||
            value.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            return new DatabaseSettings(DatabaseKind.Postgres, FromPostgresUri(new Uri(value)));
        }

        if (value.Contains("Host=", StringComparison.OrdinalIgnoreCase) ||
            value.Contains("Server=", StringComparison.OrdinalIgnoreCase))
        {
            return new DatabaseSettings(DatabaseKind.Postgres, value);
        }

        if (value.Contains("Data Source=", StringComparison.OrdinalIgnoreCase) ||
            value.Contains("DataSource=", StringComparison.OrdinalIgnoreCase) ||
            value.Contains("Filename=", StringComparison.OrdinalIgnoreCase))
        {
            return new DatabaseSettings(DatabaseKind.Sqlite, value);
        }

        throw new ArgumentException(
            "The database connection string is neither PostgreSQL (Host=…, or postgres://…) nor SQLite (Data Source=…).",
            nameof(configured));
    }

    public static DatabaseSettings ForSqliteFile(string path) =>
        new(DatabaseKind.Sqlite, new SqliteConnectionStringBuilder { DataSource = path, Pooling = true }.ToString());

    /// <summary>The connection string with any password hidden, for logs and messages.</summary>
    public string Redacted => Kind switch
    {
        DatabaseKind.Postgres => RedactPostgres(ConnectionString),
        _ => RedactSqlite(ConnectionString),
    };

    public void Configure(DbContextOptionsBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        switch (Kind)
        {
            case DatabaseKind.Sqlite:
                builder.UseSqlite(ConnectionString, o => o.MigrationsAssembly(SqliteMigrationsAssembly))
                    .AddInterceptors(SqlitePragmas.Instance);
                break;
            case DatabaseKind.Postgres:
                builder.UseNpgsql(ConnectionString, o => o.MigrationsAssembly(PostgresMigrationsAssembly));
                break;
            default:
                throw new InvalidOperationException($"Unknown database kind {Kind}.");
        }
    }

    public DbContextOptions<CertMgrDbContext> CreateOptions()
    {
        var builder = new DbContextOptionsBuilder<CertMgrDbContext>();
        Configure(builder);
        return builder.Options;
    }

    private static string FromPostgresUri(Uri uri)
    {
        var b = new Npgsql.NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Database = uri.AbsolutePath.Trim('/'),
        };
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            var parts = uri.UserInfo.Split(':', 2);
            b.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2)
            {
                b.Password = Uri.UnescapeDataString(parts[1]);
            }
        }

        return b.ConnectionString;
    }

    // SQLite takes a Password too (encrypted builds, e.g. SQLCipher).
    private static string RedactSqlite(string connectionString)
    {
        var b = new SqliteConnectionStringBuilder(connectionString);
        if (!string.IsNullOrEmpty(b.Password))
        {
            b.Password = "***";
        }

        return b.ConnectionString;
    }

    private static string RedactPostgres(string connectionString)
    {
        var b = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (!string.IsNullOrEmpty(b.Password))
        {
            b.Password = "***";
        }

        return b.ConnectionString;
    }
}
