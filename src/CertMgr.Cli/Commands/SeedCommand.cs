using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using CertMgr.Core.Inventory.Seeding;

namespace CertMgr.Cli.Commands;

/// <summary><c>certmgr seed --definitions N</c>: a development/demo verb that fills a data directory with a realistic inventory.</summary>
internal static class SeedCommand
{
    public const int MaxDefinitions = 1_000_000;

    private static readonly Option<int> Definitions = new("--definitions")
    {
        Description = "How many certificate definitions to create (each with its certificate; some with previous ones, keys, requests, deployments, monitor results).",
        DefaultValueFactory = _ => 1000,
        HelpName = "N",
    };

    private static readonly Option<bool> Json = new("--json") { Description = "Print the counts as one JSON object." };

    public static void AddTo(RootCommand root, TextWriter output, TextWriter error)
    {
        var seed = new Command("seed", "Fill the data directory with demo inventory (development and benchmarks; adds to what is there).");
        seed.Options.Add(Definitions);
        seed.Options.Add(Json);
        seed.Validators.Add(r =>
        {
            if (r.GetResult(Definitions) is { Implicit: false } given && given.GetValueOrDefault<int>() is < 1 or > MaxDefinitions)
            {
                r.AddError($"--definitions must be between 1 and {MaxDefinitions}.");
            }
        });
        seed.SetAction(async (parse, ct) =>
        {
            var (host, code) = await CliHost.OpenAsync(parse, error, ensureCa: true, ct);
            if (host is null)
            {
                return code;
            }

            await using (host)
            {
                var json = parse.GetValue(Json);
                var outcome = await host.Get<InventorySeeder>().SeedAsync(parse.GetValue(Definitions),
                    json ? null : line => error.WriteLine($"seed: {line}"), ct);
                var c = CultureInfo.InvariantCulture;
                if (json)
                {
                    await output.WriteLineAsync(JsonSerializer.Serialize(new
                    {
                        definitions = outcome.Definitions,
                        certificates = outcome.Certificates,
                        keys = outcome.Keys,
                        requests = outcome.Requests,
                        deployments = outcome.Deployments,
                        monitorResults = outcome.MonitorResults,
                        seconds = Math.Round(outcome.Elapsed.TotalSeconds, 2),
                    }));
                }
                else
                {
                    await output.WriteLineAsync(string.Create(c,
                        $"Seeded {outcome.Definitions:N0} definitions, {outcome.Certificates:N0} certificates, {outcome.Keys:N0} keys, {outcome.Requests:N0} requests, {outcome.Deployments:N0} deployments, {outcome.MonitorResults:N0} monitor results into {host.Settings.Home.Root} in {outcome.Elapsed.TotalSeconds:0.0} s."));
                }

                return CliApp.ExitOk;
            }
        });
        root.Subcommands.Add(seed);
    }
}
