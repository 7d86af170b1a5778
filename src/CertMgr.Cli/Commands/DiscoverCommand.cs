using System.CommandLine;
using System.Globalization;
using CertMgr.Core.Discovery;
using CertMgr.Core.Setup;
using CertMgr.Core.TrustedCas;

namespace CertMgr.Cli.Commands;

/// <summary>
/// <c>certmgr discover TARGETS... -p PORTS</c>: scan addresses and ports for TLS servers, judge each certificate
/// (guide 2.6, 4.5). Without <c>--save</c> nothing is written: an existing data directory lends its default Trusted
/// CA Set and its inventory (for "managed"); without one the shipped public roots are the trust anchors.
/// </summary>
internal static class DiscoverCommand
{
    private static readonly Argument<string[]> Targets = new("TARGETS")
    {
        Description = "Addresses, CIDR ranges (10.0.0.0/24), address ranges (10.0.0.5-10.0.0.80 or 10.0.0.5-80), host names.",
        Arity = ArgumentArity.OneOrMore,
    };

    private static readonly Option<string> Ports = new("--ports", "-p")
    {
        Description = "Ports: a list and ranges, e.g. 443,8443,9000-9010.",
        HelpName = "PORTS",
        Required = true,
    };

    private static readonly Option<string[]> Sni = new("--sni")
    {
        Description = "Extra server names to try on every open port (comma-separated or repeated).",
        HelpName = "NAMES",
        AllowMultipleArgumentsPerToken = false,
    };

    private static readonly Option<string[]> Exclude = new("--exclude")
    {
        Description = "Targets never to touch (same forms as TARGETS; comma-separated or repeated).",
        HelpName = "TARGETS",
    };

    private static readonly Option<int?> Concurrency = new("--concurrency")
    {
        Description = "TLS handshakes in flight at once (default: 6 per core). The TCP sweep runs 256 connects at once.",
        HelpName = "N",
    };

    private static readonly Option<int?> Timeout = new("--timeout")
    {
        Description = "Milliseconds allowed for each TCP connect, and again for each TLS handshake (default 2000 and 5000).",
        HelpName = "MS",
    };

    private static readonly Option<bool> Json = new("--json") { Description = "Print one JSON document." };
    private static readonly Option<bool> Csv = new("--csv") { Description = "Print the findings as CSV." };
    private static readonly Option<bool> Save = new("--save") { Description = "Store the scan and its report in the database (creates the data directory when new)." };

    public static void AddTo(RootCommand root, TextWriter output, TextWriter error)
    {
        var discover = new Command("discover", "Scan addresses and ports for TLS servers and judge their certificates (trust, expiry, names, keys).");
        discover.Arguments.Add(Targets);
        foreach (var option in new Option[] { Ports, Sni, Exclude, Concurrency, Timeout, Json, Csv, Save })
        {
            discover.Options.Add(option);
        }

        discover.Validators.Add(r =>
        {
            if (r.GetValue(Json) && r.GetValue(Csv))
            {
                r.AddError("Use either --json or --csv, not both.");
            }

            if (ScanOptions.From(r.GetValue(Concurrency), r.GetValue(Timeout)) is { IsSuccess: false } bad)
            {
                r.AddError($"--{bad.Error.Fields!.Keys.First()}: {bad.Error.Message}");
            }
        });
        discover.SetAction((parse, ct) => RunAsync(parse, output, error, ct));
        root.Subcommands.Add(discover);
    }

    private static async Task<int> RunAsync(ParseResult parse, TextWriter output, TextWriter error, CancellationToken ct)
    {
        var input = new DiscoveryInput(parse.GetValue(Targets) ?? [], parse.GetValue(Ports) ?? "", parse.GetValue(Sni), parse.GetValue(Exclude));
        var scan = ScanOptions.From(parse.GetValue(Concurrency), parse.GetValue(Timeout)).Value;
        CertMgrSettings settings;
        try
        {
            settings = CertMgrSettings.Resolve(parse.GetValue(GlobalOptions.Home), null, Environment.GetEnvironmentVariable);
        }
        catch (SettingsException ex)
        {
            await error.WriteLineAsync($"certmgr: {ex.Message}");
            return CliApp.ExitUsage;
        }

        var save = parse.GetValue(Save);
        if (!save && !settings.Home.IsInitialized)
        {
            // No data directory and no --save: the shipped roots, nothing written.
            DiscoveryOptions discoveryOptions;
            try
            {
                discoveryOptions = DiscoveryOptions.From(settings.Configuration);
            }
            catch (SettingsException ex)
            {
                await error.WriteLineAsync($"certmgr: {ex.Message}");
                return CliApp.ExitUsage;
            }

            var plan = DiscoveryTargets.Parse(input, discoveryOptions.MaxTargets);
            if (!plan.IsSuccess)
            {
                return await CliHost.UsageAsync(error, plan.Error.Message);
            }

            var progress = new ScanProgress();
            var observations = await WithLiveProgressAsync(DiscoveryScanner.ScanAsync(plan.Value, scan, progress, ct), progress, error);
            using var analyzer = new FindingAnalyzer(ShippedRoots.Anchors, discoveryOptions.Policy, TimeProvider.System.GetUtcNow());
            return await WriteAsync(DiscoveryReport.From(plan.Value, observations, analyzer, progress), parse, output, error, null);
        }

        var (host, code) = await CliHost.OpenAsync(parse, error, ensureCa: save, ct);
        if (host is null)
        {
            return code;
        }

        await using (host)
        {
            var service = host.Get<DiscoveryService>();
            var plan = service.Plan(input);
            if (!plan.IsSuccess)
            {
                return await CliHost.UsageAsync(error, plan.Error.Message);
            }

            var progress = new ScanProgress();
            if (save)
            {
                var row = await service.CreateAsync(input, plan.Value, scan, "cli", ct);
                var report = await WithLiveProgressAsync(service.RunAsync(row.Id, plan.Value, scan, progress, ct), progress, error);
                return report is null
                    ? await CliHost.FailAsync(error, new Core.Common.Error("scan-failed", $"Scan {row.Id} did not complete; see 'Certificate Discovery' in the console."))
                    : await WriteAsync(report, parse, output, error, row.Id);
            }

            var anchors = await host.Get<TrustedCaSets>().AnchorsAsync(null, ct);
            if (!anchors.IsSuccess)
            {
                return await CliHost.FailAsync(error, anchors.Error);
            }

            var observations = await WithLiveProgressAsync(DiscoveryScanner.ScanAsync(plan.Value, scan, progress, ct), progress, error);
            var judged = await service.AnalyzeAsync(plan.Value, observations, anchors.Value, progress, ct);
            return await WriteAsync(judged, parse, output, error, null);
        }
    }

    /// <summary>Waits for the scan, drawing one live status line on stderr when stderr is a terminal.</summary>
    private static async Task<T> WithLiveProgressAsync<T>(Task<T> scan, ScanProgress progress, TextWriter error)
    {
        var live = ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected;
        while (live && !scan.IsCompleted)
        {
            await Task.WhenAny(scan, Task.Delay(200));
            await error.WriteAsync(string.Create(CultureInfo.InvariantCulture,
                $"\r  {progress.Done:N0}/{progress.Total:N0} endpoints, {progress.Found:N0} TLS found, {progress.Rate:N0}/s   "));
        }

        if (live)
        {
            await error.WriteAsync("\r" + new string(' ', 72) + "\r");
        }

        return await scan;
    }

    private static async Task<int> WriteAsync(DiscoveryReport report, ParseResult parse, TextWriter output, TextWriter error, Guid? savedAs)
    {
        if (parse.GetValue(Json))
        {
            await output.WriteLineAsync(DiscoveryExport.ToJson(report));
        }
        else if (parse.GetValue(Csv))
        {
            await output.WriteAsync(DiscoveryExport.ToCsv(report.Found));
        }
        else
        {
            foreach (var g in report.Groups())
            {
                var f = g.First;
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{f.CommonName ?? f.Subject}  SHA-256 {f.Sha256[..16]}…  expires {f.NotAfter:yyyy-MM-dd}  {(f.Trusted ? "trusted" : "NOT trusted")}{(f.Managed ? ", managed" : "")}"));
                foreach (var e in g.Findings)
                {
                    await output.WriteLineAsync($"  {e.Endpoint}{(e.Sni is null ? "" : $" (SNI {e.Sni})")}{(e.Problems.Count == 0 ? "  ok" : "  " + string.Join("; ", e.Problems))}");
                }
            }

            foreach (var o in report.Others)
            {
                await output.WriteLineAsync($"{(o.Address.Contains(':', StringComparison.Ordinal) ? $"[{o.Address}]" : o.Address)}:{o.Port}  {o.Kind}: {o.Reason}");
            }
        }

        await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"certmgr: {report.Targets:N0} endpoints in {report.Elapsed.TotalSeconds:0.00} s: {report.Found.Count:N0} TLS ({report.Groups().Count:N0} distinct certificates), {report.NonTls:N0} non-TLS, {report.Unreachable:N0} unreachable{(savedAs is { } id ? $"; saved as scan {id}" : "")}."));
        return CliApp.ExitOk;
    }
}
