using System.CommandLine;
using System.Text.Json;
using CertMgr.Core.Inventory;
using CertMgr.Core.Pki.Reading;
using CertMgr.Data.Model;

namespace CertMgr.Cli.Commands;

/// <summary>
/// <c>certmgr import PATH... [--password P] [--mode monitored|managed] [--json]</c>: imports certificate files and
/// whole folders (guide 4.3.1). A bad file is reported and skipped; the rest still import. Exit code 0 when no file
/// failed, 1 otherwise.
/// </summary>
internal static class ImportCommand
{
    private static readonly Argument<string[]> Paths = new("PATH")
    {
        Description = "Certificate files (PEM, DER, PKCS#7, PKCS#12, JKS; key and chain files of an Apache-style set) or folders, walked recursively.",
        Arity = ArgumentArity.OneOrMore,
    };

    private static readonly Option<string[]> Password = new("--password")
    {
        Description = $"Password of PKCS#12/JKS files or encrypted keys; repeat to try several (default: ${InspectCommand.PasswordVariable}).",
        HelpName = "P",
        Arity = ArgumentArity.ZeroOrMore,
    };

    private static readonly Option<string?> KeyPassword = new("--key-password")
    {
        Description = $"Password of a private key encrypted under another password than its file (PKCS#12 key bag, JKS key entry) (default: ${InspectCommand.KeyPasswordVariable}).",
        HelpName = "P",
    };

    private static readonly Option<string> Mode = CreateMode();

    private static readonly Option<bool> Json = new("--json")
    {
        Description = "Print one JSON object: the counts and the outcome of every file.",
    };

    public static void AddTo(RootCommand root, TextWriter output, TextWriter error)
    {
        var import = new Command("import", "Import existing certificates: each becomes a certificate definition (with its certificate and key when given).");
        import.Arguments.Add(Paths);
        import.Options.Add(Password);
        import.Options.Add(KeyPassword);
        import.Options.Add(Mode);
        import.Options.Add(Json);
        import.SetAction((parse, ct) => RunAsync(parse, output, error, ct));
        root.Subcommands.Add(import);
    }

    private static Option<string> CreateMode()
    {
        var option = new Option<string>("--mode")
        {
            Description = "Operation mode of the new definitions: managed (Lifecycle-Managed) or monitored (Monitored-Only).",
            HelpName = "managed|monitored",
            DefaultValueFactory = _ => "managed",
        };
        option.AcceptOnlyFromAmong("managed", "monitored");
        return option;
    }

    private static async Task<int> RunAsync(ParseResult parse, TextWriter output, TextWriter error, CancellationToken ct)
    {
        var mode = parse.GetValue(Mode) == "monitored" ? OperationMode.MonitoredOnly : OperationMode.LifecycleManaged;
        List<string> passwords = [.. parse.GetValue(Password) ?? []];
        if (passwords.Count == 0 && Environment.GetEnvironmentVariable(InspectCommand.PasswordVariable) is { Length: > 0 } fromEnvironment)
        {
            passwords.Add(fromEnvironment);
        }

        var keyPassword = parse.GetValue(KeyPassword) is { Length: > 0 } givenKey ? givenKey
            : Environment.GetEnvironmentVariable(InspectCommand.KeyPasswordVariable) is { Length: > 0 } keyFromEnvironment ? keyFromEnvironment : null;

        var (host, code) = await CliHost.OpenAsync(parse, error, ensureCa: true, ct);
        if (host is null)
        {
            return code;
        }

        await using (host)
        {
            var files = ImportFiles.Collect(parse.GetValue(Paths) ?? [], ReadOptions.DefaultMaxBytes);
            var summary = await host.Get<ImportService>().ImportAsync(files, new ImportSettings(mode, passwords, keyPassword), CaCommand.Actor, ct);
            if (parse.GetValue(Json))
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(summary, JsonOptions));
            }
            else
            {
                foreach (var file in summary.Files)
                {
                    var label = file.Status switch
                    {
                        ImportStatus.Imported => "imported ",
                        ImportStatus.Duplicate => "duplicate",
                        ImportStatus.Companion => "used     ",
                        _ => "FAILED   ",
                    };
                    await (file.Status == ImportStatus.Failed ? error : output).WriteLineAsync($"{label} {file.File}: {file.Message}");
                }

                await output.WriteLineAsync(
                    $"{summary.Imported} imported, {summary.Duplicates} skipped as duplicate, {summary.Failed} failed" +
                    (summary.Companions > 0 ? $" ({summary.Companions} key or chain files used)." : "."));
            }

            return summary.Failed == 0 ? CliApp.ExitOk : CliApp.ExitFailure;
        }
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };
}
