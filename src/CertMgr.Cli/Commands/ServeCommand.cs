using System.CommandLine;
using System.Net.Sockets;
using CertMgr.Core.Security;
using CertMgr.Core.Setup;
using CertMgr.Data.Secrets;
using CertMgr.Web.Hosting;
using Microsoft.AspNetCore.Connections;

namespace CertMgr.Cli.Commands;

/// <summary><c>certmgr serve</c>: the web console, REST API and background jobs.</summary>
internal static class ServeCommand
{
    private static readonly Option<string?> Urls = new("--urls")
    {
        Description = "Listen addresses, separated by ';' (default: $CERTMGR_URLS, the configuration file, else https://127.0.0.1:23466).",
        HelpName = "URLS",
    };

    public static void AddTo(RootCommand root, TextWriter output, TextWriter error)
    {
        var serve = new Command("serve", "Run the web console and REST API (the default verb).");
        serve.Options.Add(Urls);
        serve.SetAction((parse, ct) => RunAsync(parse, output, error, ct));
        root.Subcommands.Add(serve);

        // With no verb, serve: the same option on the root, the same action.
        root.Options.Add(Urls);
        root.SetAction((parse, ct) => RunAsync(parse, output, error, ct));
    }

    private static async Task<int> RunAsync(ParseResult parse, TextWriter output, TextWriter error, CancellationToken ct)
    {
        CertMgrSettings settings;
        try
        {
            settings = CertMgrSettings.Resolve(parse.GetValue(GlobalOptions.Home), parse.GetValue(Urls), Environment.GetEnvironmentVariable);
        }
        catch (SettingsException ex)
        {
            await error.WriteLineAsync($"certmgr: {ex.Message}");
            return CliApp.ExitUsage;
        }

        WebApplication app;
        InitializationOutcome outcome;
        try
        {
            app = CertMgrWebApp.Build(settings);
            outcome = await CertMgrWebApp.InitializeAsync(app, ct);
        }
        catch (SettingsException ex)
        {
            // e.g. a bad PkiHttpUrl or PrivateCa section in certmgr.json
            await error.WriteLineAsync($"certmgr: {ex.Message}");
            return CliApp.ExitUsage;
        }
        catch (Exception ex) when (ex is SecretUnavailableException or IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"certmgr: cannot initialise {settings.Home.Root}: {ex.Message}");
            return CliApp.ExitFailure;
        }

        await using (app)
        {
            try
            {
                await app.StartAsync(ct);
            }
            catch (Exception ex) when (ex is IOException or SocketException or AddressInUseException)
            {
                var reason = ex is AddressInUseException || ex.InnerException is AddressInUseException ? "address already in use" : ex.Message;
                var wanted = string.Join(", ", settings.Urls.Select(u => u.GetLeftPart(UriPartial.Authority)));
                await error.WriteLineAsync($"certmgr: cannot listen on {wanted}: {reason}");
                return CliApp.ExitFailure;
            }

            var urls = CertMgrWebApp.BoundAddresses(app);
            if (outcome.InitialAdminPassword is { } password)
            {
                await PrintInitialPasswordAsync(output, password, settings.Home, urls);
            }

            CertMgrWebApp.LogListening(app);
            await app.WaitForShutdownAsync(ct);
        }

        return CliApp.ExitOk;
    }

    internal static async Task PrintInitialPasswordAsync(TextWriter output, string password, DataDirectory home, IReadOnlyList<string> urls)
    {
        var rule = new string('=', 72);
        await output.WriteLineAsync(rule);
        await output.WriteLineAsync($"CertMgr created user '{UserAccounts.InitialAdminName}' with this initial password (shown once):");
        await output.WriteLineAsync();
        await output.WriteLineAsync($"    {password}");
        await output.WriteLineAsync();
        await output.WriteLineAsync($"It is also in {home.InitialPasswordPath} until you change it.");
        await output.WriteLineAsync($"Sign in at {(urls.Count > 0 ? urls[0] : "the console")}; you will be asked to choose a new password.");
        await output.WriteLineAsync(rule);
        await output.FlushAsync();
    }
}
