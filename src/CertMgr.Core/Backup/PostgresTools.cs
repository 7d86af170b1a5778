using System.Diagnostics;
using CertMgr.Core.Common;
using Npgsql;

namespace CertMgr.Core.Backup;

/// <summary>
/// pg_dump and pg_restore for PostgreSQL backups. The connection goes through libpq's environment variables, so the
/// password is never on a command line (visible to every user in <c>ps</c>) nor in an error message.
/// </summary>
internal static class PostgresTools
{
    public static Task<Result<bool>> DumpAsync(string connectionString, string outputFile, CancellationToken ct) =>
        RunAsync("pg_dump", connectionString, ["--format=custom", "--no-owner", "--no-privileges", "--file", outputFile], ct);

    public static Task<Result<bool>> RestoreAsync(string connectionString, string dumpFile, CancellationToken ct) =>
        RunAsync("pg_restore", connectionString, ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", "--dbname", DatabaseOf(connectionString), dumpFile], ct);

    private static string DatabaseOf(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString).Database ?? "postgres";

    private static async Task<Result<bool>> RunAsync(string tool, string connectionString, IReadOnlyList<string> args, CancellationToken ct)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["PGHOST"] = builder.Host ?? "localhost";
        start.Environment["PGPORT"] = builder.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["PGDATABASE"] = builder.Database ?? "postgres";
        if (builder.Username is { } user)
        {
            start.Environment["PGUSER"] = user;
        }

        if (builder.Password is { } password)
        {
            start.Environment["PGPASSWORD"] = password;
        }

        start.Environment["PGSSLMODE"] = builder.SslMode switch
        {
            SslMode.Disable => "disable",
            SslMode.Require => "require",
            SslMode.VerifyCA => "verify-ca",
            SslMode.VerifyFull => "verify-full",
            _ => "prefer",
        };

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start.");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return Error.Unavailable("backup.pg-tool", $"{tool} is not installed (PostgreSQL client tools are needed for PostgreSQL backups).");
        }

        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync(ct);
            _ = process.StandardOutput.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct);
            if (process.ExitCode != 0)
            {
                var message = (await stderr).Trim();
                if (builder.Password is { Length: > 0 } secret)
                {
                    message = message.Replace(secret, "***", StringComparison.Ordinal);
                }

                var first = message.Split('\n').FirstOrDefault() ?? "";
                return Error.Unavailable("backup.pg-tool", $"{tool} failed (exit {process.ExitCode}): {first}");
            }
        }

        return true;
    }
}
