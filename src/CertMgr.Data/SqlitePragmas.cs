using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace CertMgr.Data;

/// <summary>
/// Per-connection SQLite settings (the WAL journal itself is set once, in the file). synchronous=NORMAL: every commit survives a crash of the process
/// (the CA's record-before-sign guarantee needs exactly that) without an fsync per commit; only an OS crash or power
/// loss can take back the last commits, never corrupt the database. busy_timeout lets the CLI and the server share it.
/// mmap_size: reads map the file instead of copying each page through a read call, which makes the scans behind a list
/// search or count over 100,000 rows markedly cheaper (address space only; the OS page cache is shared).
/// </summary>
internal sealed class SqlitePragmas : DbConnectionInterceptor
{
    public const string Pragmas = "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000; PRAGMA mmap_size=1073741824;";

    public static readonly SqlitePragmas Instance = new();

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
