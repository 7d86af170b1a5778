using System.CommandLine;
using System.Globalization;
using CertMgr.Core.Backup;

namespace CertMgr.Cli.Commands;

/// <summary>
/// <c>certmgr restore FILE --home DIR</c>: a backup into a new (absent or empty) data directory; <c>--force</c> moves a
/// non-empty one aside first. A PostgreSQL backup goes into <c>--database</c> with pg_restore.
/// </summary>
internal static class RestoreCommand
{
    private static readonly Argument<FileInfo> BackupFile = new("FILE") { Description = "The backup file made by 'certmgr backup'." };

    private static readonly Option<bool> Force = new("--force")
    {
        Description = "Restore even when the data directory is not empty (it is moved aside to DIR.replaced-XXXXXXXX first).",
    };

    private static readonly Option<string?> Database = new("--database")
    {
        Description = "For a PostgreSQL backup: the connection string of the empty database to load it into (also read from $CERTMGR_DB). Set the same in the restored certmgr.json or CERTMGR_DB before starting.",
        HelpName = "CONNECTION",
    };

    public static void AddTo(RootCommand root, TextWriter output, TextWriter error)
    {
        var restore = new Command("restore", "Restore a backup into a new data directory (--home DIR, absent or empty).");
        restore.Arguments.Add(BackupFile);
        restore.Options.Add(Force);
        restore.Options.Add(Database);
        restore.Options.Add(BackupPassphrase.File);
        restore.SetAction(async (parse, ct) =>
        {
            if (CliHost.FindHome(parse) is not { Explicit: true } found)
            {
                return await CliHost.UsageAsync(error, "restore needs the data directory to create: give --home DIR.");
            }

            var passphrase = await BackupPassphrase.ReadAsync(parse, error, confirm: false, ct);
            if (passphrase is null)
            {
                return CliApp.ExitFailure;
            }

            var database = parse.GetValue(Database) ?? Environment.GetEnvironmentVariable(Core.Setup.CertMgrSettings.DatabaseVariable);
            var result = await BackupRestore.RestoreAsync(parse.GetValue(BackupFile)!.FullName, passphrase, found.Home.Root,
                parse.GetValue(Force), string.IsNullOrWhiteSpace(database) ? null : database, ct);
            if (!result.IsSuccess)
            {
                return await CliHost.FailAsync(error, result.Error);
            }

            var s = result.Value;
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Restored {s.Files} files ({s.Bytes:N0} bytes, {s.Database} database) into {s.File}."));
            return CliApp.ExitOk;
        });
        root.Subcommands.Add(restore);
    }
}
