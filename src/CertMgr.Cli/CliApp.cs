using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;
using CertMgr.Cli.Commands;

namespace CertMgr.Cli;

/// <summary>The <c>certmgr</c> command line: verbs, parsing, and exit codes.</summary>
public static class CliApp
{
    public const int ExitOk = 0;
    public const int ExitFailure = 1;
    public const int ExitUsage = 2;

    public static string Version =>
        typeof(CliApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    public static RootCommand BuildRoot(TextWriter output, TextWriter error)
    {
        var root = new RootCommand(
            "CertMgr: server-certificate lifecycle manager. Keeps an inventory of keys and certificates, runs a " +
            "built-in private CA, and serves the web console and REST API. With no verb, runs 'serve'.");
        root.Options.Add(GlobalOptions.Home);
        // The stock --version reports the entry assembly, which is the test host under tests; report ours.
        foreach (var option in root.Options.OfType<VersionOption>())
        {
            option.Action = new PrintVersionAction();
        }

        ServeCommand.AddTo(root, output, error);
        BenchCommand.AddTo(root, output, error);
        InspectCommand.AddTo(root, output, error);
        CheckCommand.AddTo(root, output, error);
        DiscoverCommand.AddTo(root, output, error);
        MonitorCommand.AddTo(root, output, error);
        UnattendedCommand.AddTo(root, output, error);
        ImportCommand.AddTo(root, output, error);
        CaCommand.AddTo(root, output, error);
        SeedCommand.AddTo(root, output, error);
        UserCommand.AddTo(root, output, error);
        BackupCommand.AddTo(root, output, error);
        RestoreCommand.AddTo(root, output, error);
        return root;
    }

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var root = BuildRoot(output, error);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // One line, not a page of help: scripts read it, people see what to fix.
            await error.WriteLineAsync($"certmgr: {parse.Errors[0].Message} Run 'certmgr --help' for usage.");
            return ExitUsage;
        }

        var config = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
        return await parse.InvokeAsync(config, ct);
    }
}

internal sealed class PrintVersionAction : SynchronousCommandLineAction
{
    public override int Invoke(ParseResult parseResult)
    {
        parseResult.InvocationConfiguration.Output.WriteLine(CliApp.Version);
        return CliApp.ExitOk;
    }
}
