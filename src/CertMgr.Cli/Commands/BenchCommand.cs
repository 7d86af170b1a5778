using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using CertMgr.Cli.Commands.Bench;

namespace CertMgr.Cli.Commands;

/// <summary><c>certmgr bench</c>: the product's hot paths measured beside their peers in one run, as ratios.</summary>
internal static class BenchCommand
{
    private static readonly Option<int> Count = new("--count")
    {
        Description = "How many certificates to sign.",
        DefaultValueFactory = _ => 10_000,
    };

    private static readonly Option<bool> Json = new("--json") { Description = "Print the figures as one JSON object." };

    public static void AddTo(RootCommand root, TextWriter output, TextWriter error)
    {
        var bench = new Command("bench", "Measure hot paths beside peer tools (openssl) on this machine; report ratios.");
        var caSign = new Command("ca-sign", "The CA signing path (build, policy check, sign) for ECDSA P-256 leaves vs `openssl speed ecdsap256` (target >= 0.30).");
        caSign.Options.Add(Count);
        caSign.Options.Add(Json);
        caSign.Validators.Add(r =>
        {
            if (r.GetResult(Count) is { Implicit: false } given && given.GetValueOrDefault<int>() is < 1 or > 1_000_000)
            {
                r.AddError("--count must be between 1 and 1000000.");
            }
        });
        caSign.SetAction(async (parse, ct) =>
        {
            try
            {
                var o = await CaSignBenchmark.RunAsync(parse.GetValue(Count), TimeProvider.System, ct);
                if (parse.GetValue(Json))
                {
                    await output.WriteLineAsync(JsonSerializer.Serialize(new
                    {
                        benchmark = "ca-sign",
                        count = o.Count,
                        certmgrCertsPerCpuSecond = Math.Round(o.CertsPerCpuSecond, 1),
                        certmgrCertsPerWallSecond = Math.Round(o.CertsPerWallSecond, 1),
                        opensslSignsPerSecond = Math.Round(o.OpensslSignsPerSecond, 1),
                        ratio = Math.Round(o.Ratio, 3),
                        target = 0.30,
                    }));
                }
                else
                {
                    var c = CultureInfo.InvariantCulture;
                    await output.WriteLineAsync(string.Create(c, $"ca-sign: {o.Count} ECDSA P-256 leaves, one core"));
                    await output.WriteLineAsync(string.Create(c, $"  certmgr signing path        {o.CertsPerCpuSecond,10:N0} certs per CPU-second ({o.CertsPerWallSecond:N0}/s wall)"));
                    await output.WriteLineAsync(string.Create(c, $"  openssl speed ecdsap256     {o.OpensslSignsPerSecond,10:N0} signs per CPU-second"));
                    await output.WriteLineAsync(string.Create(c, $"  ratio                       {o.Ratio,10:0.00}   (target >= 0.30: {(o.Ratio >= 0.30 ? "met" : "NOT met")})"));
                }

                return CliApp.ExitOk;
            }
            catch (InvalidOperationException ex)
            {
                await error.WriteLineAsync($"certmgr: {ex.Message}");
                return CliApp.ExitFailure;
            }
        });
        bench.Subcommands.Add(caSign);

        var issueCount = new Option<int>("--count") { Description = "How many CSRs to issue.", DefaultValueFactory = _ => 1000 };
        var caIssue = new Command("ca-issue", "End-to-end issuance through the API's code path with durable storage vs one `openssl ca -batch -infiles` process on the same CSRs (target >= 1.0).");
        caIssue.Options.Add(issueCount);
        caIssue.Options.Add(Json);
        caIssue.Validators.Add(r =>
        {
            if (r.GetResult(issueCount) is { Implicit: false } given && given.GetValueOrDefault<int>() is < 2 or > 100_000)
            {
                r.AddError("--count must be between 2 and 100000.");
            }
        });
        caIssue.SetAction(async (parse, ct) =>
        {
            try
            {
                var o = await CaIssueBenchmark.RunAsync(parse.GetValue(issueCount), ct);
                var c = CultureInfo.InvariantCulture;
                if (parse.GetValue(Json))
                {
                    await output.WriteLineAsync(JsonSerializer.Serialize(new
                    {
                        benchmark = "ca-issue",
                        count = o.Count,
                        certmgrCertsPerSecond = Math.Round(o.CertmgrPerSecond, 1),
                        certmgrOneByOneCertsPerSecond = Math.Round(o.CertmgrOneByOnePerSecond, 1),
                        opensslCaCertsPerSecond = Math.Round(o.OpensslPerSecond, 1),
                        ratio = Math.Round(o.Ratio, 3),
                        target = 1.0,
                    }));
                }
                else
                {
                    await output.WriteLineAsync(string.Create(c, $"ca-issue: {o.Count} CSRs, ECDSA P-256 CA, durable storage"));
                    await output.WriteLineAsync(string.Create(c, $"  certmgr batch (issue-batch path)  {o.CertmgrPerSecond,8:N0} certs/s"));
                    await output.WriteLineAsync(string.Create(c, $"  certmgr one request per cert     {o.CertmgrOneByOnePerSecond,8:N0} certs/s   (not in the ratio)"));
                    await output.WriteLineAsync(string.Create(c, $"  openssl ca -batch -infiles        {o.OpensslPerSecond,8:N0} certs/s"));
                    await output.WriteLineAsync(string.Create(c, $"  ratio                             {o.Ratio,8:0.00}   (target >= 1.0: {(o.Ratio >= 1.0 ? "met" : "NOT met")})"));
                }

                return CliApp.ExitOk;
            }
            catch (InvalidOperationException ex)
            {
                await error.WriteLineAsync($"certmgr: {ex.Message}");
                return CliApp.ExitFailure;
            }
        });
        bench.Subcommands.Add(caIssue);
        bench.Subcommands.Add(MonitorBenchmark.Command(output, error));
        bench.Subcommands.Add(DiscoverBenchmark.Command(output, error));
        bench.Subcommands.Add(UnattendedBenchmark.Command(output, error));
        bench.Subcommands.Add(ImportBenchCommand(output, error));
        bench.Subcommands.Add(InventoryBenchCommand(output, error));
        root.Subcommands.Add(bench);
    }

    private static Command InventoryBenchCommand(TextWriter output, TextWriter error)
    {
        var count = new Option<int>("--count") { Description = "How many definitions to seed.", DefaultValueFactory = _ => 100_000 };
        var runs = new Option<int>("--runs") { Description = "Timed runs per list (after one warm-up).", DefaultValueFactory = _ => 10 };
        var keep = new Option<string?>("--keep-home") { Description = "Seed into this directory and keep it; a directory already seeded with --count definitions is measured as it is (default: a scratch directory, deleted)." };
        var inventory = new Command("inventory", "Each console list's first page and a search at inventory scale (seeded), median and p95 server time vs the 200 ms target.");
        inventory.Options.Add(count);
        inventory.Options.Add(runs);
        inventory.Options.Add(keep);
        inventory.Options.Add(Json);
        inventory.Validators.Add(r =>
        {
            if (r.GetResult(count) is { Implicit: false } c && c.GetValueOrDefault<int>() is < 100 or > 1_000_000)
            {
                r.AddError("--count must be between 100 and 1000000.");
            }

            if (r.GetResult(runs) is { Implicit: false } n && n.GetValueOrDefault<int>() is < 1 or > 1000)
            {
                r.AddError("--runs must be between 1 and 1000.");
            }
        });
        inventory.SetAction(async (parse, ct) =>
        {
            try
            {
                var o = await InventoryBenchmark.RunAsync(parse.GetValue(count), parse.GetValue(runs), parse.GetValue(keep), line => error.WriteLine($"seed: {line}"), ct);
                var c = CultureInfo.InvariantCulture;
                if (parse.GetValue(Json))
                {
                    await output.WriteLineAsync(JsonSerializer.Serialize(new
                    {
                        benchmark = "inventory",
                        count = o.Count,
                        seedSeconds = Math.Round(o.Seed.Elapsed.TotalSeconds, 2),
                        certificates = o.Seed.Certificates,
                        targetMs = InventoryBenchmark.TargetMs,
                        lists = o.Scenarios.Select(s => new { name = s.Name, medianMs = Math.Round(s.MedianMs, 1), p95Ms = Math.Round(s.P95Ms, 1), rows = s.Rows, ratio = Math.Round(s.Ratio, 3) }),
                    }));
                }
                else
                {
                    await output.WriteLineAsync(string.Create(c, $"inventory: {o.Count:N0} definitions, {o.Seed.Certificates:N0} certificates, {o.Seed.Keys:N0} keys, {o.Seed.Requests:N0} requests ({(o.Seed.Elapsed == TimeSpan.Zero ? "reused" : $"seeded in {o.Seed.Elapsed.TotalSeconds:0.0} s")}), SQLite"));
                    await output.WriteLineAsync(string.Create(c, $"  {"list",-40} {"median",9} {"p95",9} {"p95/200ms",10}"));
                    foreach (var s in o.Scenarios)
                    {
                        await output.WriteLineAsync(string.Create(c, $"  {s.Name,-40} {s.MedianMs,7:0.0}ms {s.P95Ms,7:0.0}ms {s.Ratio,10:0.00}{(s.Ratio <= 1 ? "" : "  OVER")}"));
                    }
                }

                return o.Scenarios.All(s => s.Ratio <= 1) ? CliApp.ExitOk : CliApp.ExitFailure;
            }
            catch (InvalidOperationException ex)
            {
                await error.WriteLineAsync($"certmgr: {ex.Message}");
                return CliApp.ExitFailure;
            }
        });
        return inventory;
    }

    private static Command ImportBenchCommand(TextWriter output, TextWriter error)
    {
        var count = new Option<int>("--count") { Description = "How many PEM files to import.", DefaultValueFactory = _ => 2000 };
        var command = new Command("import", "`certmgr import` of a folder of PEM leaves with durable storage vs `openssl x509` per file and one `openssl storeutl` (target >= 500 files/s).");
        command.Options.Add(count);
        command.Options.Add(Json);
        command.Validators.Add(r =>
        {
            if (r.GetResult(count) is { Implicit: false } given && given.GetValueOrDefault<int>() is < 1 or > 100_000)
            {
                r.AddError("--count must be between 1 and 100000.");
            }
        });
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                var o = await ImportBenchmark.RunAsync(parse.GetValue(count), ct);
                var c = CultureInfo.InvariantCulture;
                if (parse.GetValue(Json))
                {
                    await output.WriteLineAsync(JsonSerializer.Serialize(new
                    {
                        benchmark = "import",
                        count = o.Count,
                        certmgrFilesPerSecond = Math.Round(o.CertmgrFilesPerSecond, 1),
                        opensslX509FilesPerSecond = Math.Round(o.OpensslX509FilesPerSecond, 1),
                        opensslStoreutlFilesPerSecond = Math.Round(o.OpensslStoreutlFilesPerSecond, 1),
                        targetFilesPerSecond = ImportBenchmark.TargetFilesPerSecond,
                        ratio = Math.Round(o.TargetRatio, 3),
                    }));
                }
                else
                {
                    await output.WriteLineAsync(string.Create(c, $"import: {o.Count} PEM files (half EC P-256, half RSA-2048), durable SQLite"));
                    await output.WriteLineAsync(string.Create(c, $"  certmgr import FOLDER                {o.CertmgrFilesPerSecond,8:N0} files/s"));
                    await output.WriteLineAsync(string.Create(c, $"  openssl x509, one process per file   {o.OpensslX509FilesPerSecond,8:N0} files/s"));
                    await output.WriteLineAsync(string.Create(c, $"  openssl storeutl, one bundle         {o.OpensslStoreutlFilesPerSecond,8:N0} files/s   (parse only, nothing stored)"));
                    await output.WriteLineAsync(string.Create(c, $"  vs target {ImportBenchmark.TargetFilesPerSecond:N0} files/s            {o.TargetRatio,8:0.00}   ({(o.TargetRatio >= 1.0 ? "met" : "NOT met")})"));
                }

                return CliApp.ExitOk;
            }
            catch (InvalidOperationException ex)
            {
                await error.WriteLineAsync($"certmgr: {ex.Message}");
                return CliApp.ExitFailure;
            }
        });
        return command;
    }
}
