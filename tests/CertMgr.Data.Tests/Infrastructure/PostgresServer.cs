using System.Diagnostics;
using System.Net.Sockets;
using Npgsql;

namespace CertMgr.Data.Tests.Infrastructure;

/// <summary>
/// The PostgreSQL server the tests use: the one <c>scripts/test.sh</c> started (<c>CERTMGR_TEST_PG</c>), or else a
/// private cluster this process starts on a free loopback port and stops when it exits.
/// </summary>
internal sealed class PostgresServer
{
    public const string EnvironmentVariable = "CERTMGR_TEST_PG";

    private static readonly Lazy<Task<PostgresServer>> Shared = new(StartOrAttachAsync);

    private PostgresServer(string adminConnectionString) => AdminConnectionString = adminConnectionString;

    /// <summary>Connects to a database that always exists, to create and drop the test databases.</summary>
    public string AdminConnectionString { get; }

    public static Task<PostgresServer> GetAsync() => Shared.Value;

    public string ConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = database }.ConnectionString;

    /// <summary>Creates an empty database, or a copy of <paramref name="template"/> (which must have no connections).</summary>
    public async Task<string> CreateDatabaseAsync(string? template = null)
    {
        var name = $"certmgr_t_{Guid.NewGuid():N}";
        await ExecuteAsync(template is null ? $"CREATE DATABASE \"{name}\"" : $"CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"");
        return name;
    }

    public async Task DropDatabaseAsync(string name)
    {
        using (var connection = new NpgsqlConnection(ConnectionStringFor(name)))
        {
            NpgsqlConnection.ClearPool(connection);
        }

        await ExecuteAsync($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    // Self-contained (the end-to-end tests compile this file too): hide a password before it reaches a message.
    private static string Redacted(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        if (!string.IsNullOrEmpty(b.Password))
        {
            b.Password = "***";
        }

        return b.ConnectionString;
    }

    private static async Task<PostgresServer> StartOrAttachAsync()
    {
        var configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            var server = new PostgresServer(configured);
            try
            {
                await server.ExecuteAsync("SELECT 1");
            }
            catch (Exception e) when (e is NpgsqlException or SocketException)
            {
                throw new InvalidOperationException(
                    $"{EnvironmentVariable} is set but PostgreSQL cannot be reached with it ({Redacted(configured)}): {e.Message}", e);
            }

            return server;
        }

        return new PostgresServer(await PrivateCluster.StartAsync());
    }

    /// <summary>initdb + pg_ctl start under a temp directory, as <c>scripts/test.sh</c> does.</summary>
    private static class PrivateCluster
    {
        public static async Task<string> StartAsync()
        {
            var bin = FindServerBinaries();
            var root = Directory.CreateTempSubdirectory("certmgr-pg-");
            // The postgres user must be able to reach its data directory.
            File.SetUnixFileMode(root.FullName, (UnixFileMode)0b111_101_101);
            var data = Path.Combine(root.FullName, "data");
            Directory.CreateDirectory(data);
            var asRoot = Environment.IsPrivilegedProcess;
            StopWhenThisProcessExits(bin, data, root.FullName, asRoot);
            if (asRoot)
            {
                await RunAsync("chown", ["postgres:postgres", data], asPostgres: false);
            }

            await RunAsync(Path.Combine(bin, "initdb"),
                ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"], asRoot);

            Exception? last = null;
            for (var attempt = 0; attempt < 5; attempt++)
            {
                var port = TestPorts.Next();
                try
                {
                    await RunAsync(Path.Combine(bin, "pg_ctl"),
                    [
                        "-D", data, "-l", Path.Combine(data, "server.log"), "-w", "-t", "60", "-o",
                        $"-c listen_addresses=127.0.0.1 -p {port} -k {data} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
                        "start",
                    ], asRoot);
                }
                catch (InvalidOperationException e)
                {
                    last = e;
                    continue;
                }

                return $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres";
            }

            throw new InvalidOperationException($"The private PostgreSQL cluster under {root.FullName} did not start.", last);
        }

        /// <summary>
        /// Stops the cluster and removes its directory once this process is gone, however it ends: the test host
        /// is often killed right after the run, before any exit handler could finish.
        /// </summary>
        private static void StopWhenThisProcessExits(string bin, string data, string root, bool asRoot)
        {
            var (pgCtl, args) = Command(Path.Combine(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"], asRoot);
            var stop = string.Join(' ', new[] { pgCtl }.Concat(args).Select(Quote));
            var script = $"exec </dev/null >/dev/null 2>&1; while kill -0 {Environment.ProcessId}; do sleep 0.5; done; {stop}; rm -rf {Quote(root)}";
            using var watcher = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", script]))
                ?? throw new InvalidOperationException("Could not start the PostgreSQL clean-up watcher.");
        }

        private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

        private static string FindServerBinaries()
        {
            var configured = Environment.GetEnvironmentVariable("CERTMGR_TEST_PGBIN");
            var candidates = new List<string>();
            if (!string.IsNullOrEmpty(configured))
            {
                candidates.Add(configured);
            }

            candidates.Add("/usr/lib/postgresql/15/bin");
            if (Directory.Exists("/usr/lib/postgresql"))
            {
                candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql")
                    .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
                    .Select(d => Path.Combine(d, "bin")));
            }

            return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")))
                ?? throw new InvalidOperationException(
                    $"The PostgreSQL tests need a server: set {EnvironmentVariable} to an Npgsql connection string, " +
                    "or install the Debian package 'postgresql' so that the tests can start a private cluster " +
                    "(scripts/test.sh does both).");
        }

        private static (string File, IEnumerable<string> Args) Command(string file, IReadOnlyList<string> args, bool asPostgres) =>
            asPostgres ? ("runuser", ["-u", "postgres", "--", file, .. args]) : (file, args);

        private static async Task RunAsync(string file, IReadOnlyList<string> args, bool asPostgres)
        {
            var (command, arguments) = Command(file, args, asPostgres);
            var info = new ProcessStartInfo(command, arguments)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {command}.");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await process.WaitForExitAsync(timeout.Token);
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException(
                    $"{file} {string.Join(' ', args)} exited with {process.ExitCode}: {await stderr}{await stdout}");
            }
        }
    }
}
