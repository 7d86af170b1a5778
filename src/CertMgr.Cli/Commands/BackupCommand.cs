using System.CommandLine;
using System.Globalization;
using CertMgr.Core.Backup;

namespace CertMgr.Cli.Commands;

/// <summary>
/// <c>certmgr backup --out FILE</c>: an encrypted, consistent snapshot of the data directory, taken while the server
/// runs. The passphrase comes from <c>--passphrase-file</c>, <c>CERTMGR_BACKUP_PASSPHRASE</c>, or the terminal —
/// never from the command line, where every user of the machine could read it.
/// </summary>
internal static class BackupCommand
{
    private static readonly Option<string> Out = new("--out")
    {
        Description = "The backup file to write (must not exist; written owner-only).",
        HelpName = "FILE",
        Required = true,
    };

    public static void AddTo(RootCommand root, TextWriter output, TextWriter error)
    {
        var backup = new Command("backup", "Back up the data directory (database, documents, CA and keys, trusted CA sets, master key, configuration) into one passphrase-encrypted file; safe while the server runs.");
        backup.Options.Add(Out);
        backup.Options.Add(BackupPassphrase.File);
        backup.SetAction(async (parse, ct) =>
        {
            var passphrase = await BackupPassphrase.ReadAsync(parse, error, confirm: true, ct);
            if (passphrase is null)
            {
                return CliApp.ExitFailure;
            }

            var (host, code) = await CliHost.OpenAsync(parse, error, ensureCa: false, ct, readOnly: true);
            if (host is null)
            {
                return code;
            }

            await using (host)
            {
                var result = await host.Get<BackupService>().CreateAsync(parse.GetValue(Out)!, passphrase, ct);
                if (!result.IsSuccess)
                {
                    return await CliHost.FailAsync(error, result.Error);
                }

                var s = result.Value;
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"Backed up {host.Settings.Home.Root} ({s.Database} database, {s.Files} files, {s.Bytes:N0} bytes) to {s.File}."));
                return CliApp.ExitOk;
            }
        });
        root.Subcommands.Add(backup);
    }
}

/// <summary>Where a backup passphrase comes from: a file, the environment, or the terminal (in that order).</summary>
internal static class BackupPassphrase
{
    public const string Variable = "CERTMGR_BACKUP_PASSPHRASE";

    public static readonly Option<FileInfo?> File = new("--passphrase-file")
    {
        Description = $"Read the passphrase from the first line of FILE (else ${Variable}, else it is asked on the terminal).",
        HelpName = "FILE",
    };

    /// <summary>The passphrase, or null after a one-line message.</summary>
    public static async Task<string?> ReadAsync(ParseResult parse, TextWriter error, bool confirm, CancellationToken ct)
    {
        string? passphrase;
        if (parse.GetValue(File) is { } file)
        {
            if (!file.Exists)
            {
                await error.WriteLineAsync($"certmgr: the passphrase file {file.FullName} does not exist.");
                return null;
            }

            var text = await System.IO.File.ReadAllTextAsync(file.FullName, ct);
            passphrase = text.Split('\n')[0].TrimEnd('\r');
        }
        else if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } fromEnvironment)
        {
            passphrase = fromEnvironment;
        }
        else if (Console.IsInputRedirected)
        {
            await error.WriteLineAsync($"certmgr: give --passphrase-file FILE or set {Variable}; standard input is not a terminal to ask for the passphrase.");
            return null;
        }
        else
        {
            passphrase = HiddenInput.Read(error, "Backup passphrase: ");
            if (confirm && HiddenInput.Read(error, "Repeat the passphrase: ") != passphrase)
            {
                await error.WriteLineAsync("certmgr: the passphrases differ.");
                return null;
            }
        }

        if (confirm && BackupCipher.CheckPassphrase(passphrase) is { IsSuccess: false } weak)
        {
            await error.WriteLineAsync($"certmgr: {weak.Error.Message}");
            return null;
        }

        if (passphrase.Length == 0)
        {
            await error.WriteLineAsync("certmgr: the passphrase is empty.");
            return null;
        }

        return passphrase;
    }
}
