using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using CertMgr.Core.Discovery;
using CertMgr.Core.Probe;

namespace CertMgr.Cli.Commands.Bench;

/// <summary>
/// <c>certmgr bench discover</c>: certmgr's discovery scan (connect sweep, handshakes capturing full chains, trust
/// and policy analysis) over the reference farm beside <c>nmap -sT -n -Pn --script ssl-cert</c> (leaf only), alternated
/// in one run; medians, the throughput ratio (target ≥ 2), every endpoint checked against the farm's manifest, and
/// the process's peak memory (target &lt; 300 MB).
/// </summary>
internal static class DiscoverBenchmark
{
    public sealed record Outcome(
        int Endpoints, int Runs, double CertmgrMedian, double NmapMedian, IReadOnlyList<double> CertmgrRuns, IReadOnlyList<double> NmapRuns,
        long PeakBytes, int Mismatches, IReadOnlyList<string> MismatchSamples, double ScanMedian, double AnalysisMedian, double CpuMedian)
    {
        public double Ratio => NmapMedian / CertmgrMedian;
    }


    public static Command Command(TextWriter output, TextWriter error)
    {
        var farm = new Option<string>("--farm")
        {
            Description = "The farm's directory (default: $FARM_DIR, else /tmp/tls-farm).",
            HelpName = "DIR",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("FARM_DIR") is { Length: > 0 } d ? d : "/tmp/tls-farm",
        };
        var range = new Option<string>("--range") { Description = "The farm's scan range.", DefaultValueFactory = _ => "127.0.4.0/22" };
        var ports = new Option<string>("--ports") { Description = "The farm's ports.", DefaultValueFactory = _ => "8443,9443" };
        var runs = new Option<int>("--runs") { Description = "Timed runs of each tool (alternated).", DefaultValueFactory = _ => 5 };
        var concurrency = new Option<int?>("--concurrency") { Description = "TLS handshakes in flight (default: the scanner's)." };
        var sslStream = new Option<bool>("--sslstream") { Description = "Handshake through .NET's SslStream instead of libssl directly (to compare the two paths)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object." };
        var command = new Command("discover", "A discovery scan of the reference TLS farm vs `nmap -sT -n -Pn --script ssl-cert`, alternated (target: ratio >= 2, memory < 300 MB).");
        foreach (var o in new Option[] { farm, range, ports, runs, concurrency, sslStream, json })
        {
            command.Options.Add(o);
        }

        command.Validators.Add(r =>
        {
            if (r.GetResult(runs) is { Implicit: false } n && n.GetValueOrDefault<int>() is < 1 or > 50)
            {
                r.AddError("--runs must be between 1 and 50.");
            }
        });
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                var o = await RunAsync(parse.GetValue(farm)!, parse.GetValue(range)!, parse.GetValue(ports)!, parse.GetValue(runs), parse.GetValue(concurrency), parse.GetValue(sslStream), ct);
                var c = CultureInfo.InvariantCulture;
                if (parse.GetValue(json))
                {
                    await output.WriteLineAsync(System.Text.Json.JsonSerializer.Serialize(new
                    {
                        benchmark = "discover",
                        endpoints = o.Endpoints,
                        runs = o.Runs,
                        certmgrMedianSeconds = Math.Round(o.CertmgrMedian, 3),
                        nmapMedianSeconds = Math.Round(o.NmapMedian, 3),
                        certmgrRuns = o.CertmgrRuns.Select(s => Math.Round(s, 3)),
                        nmapRuns = o.NmapRuns.Select(s => Math.Round(s, 3)),
                        ratio = Math.Round(o.Ratio, 3),
                        target = 2.0,
                        peakMegabytes = Math.Round(o.PeakBytes / 1048576.0, 1),
                        mismatches = o.Mismatches,
                        scanMedianSeconds = Math.Round(o.ScanMedian, 3),
                        analysisMedianSeconds = Math.Round(o.AnalysisMedian, 3),
                        cpuMedianSeconds = Math.Round(o.CpuMedian, 3),
                    }));
                }
                else
                {
                    await output.WriteLineAsync(string.Create(c, $"discover: {o.Endpoints} farm endpoints, {o.Runs} run(s) each, alternated"));
                    await output.WriteLineAsync(string.Create(c, $"  certmgr discover (full chains, verified)  median {o.CertmgrMedian,7:0.000} s  [{string.Join(", ", o.CertmgrRuns.Select(s => s.ToString("0.000", c)))}]"));
                    await output.WriteLineAsync(string.Create(c, $"    where the time goes: scan {o.ScanMedian:0.000} s + analysis {o.AnalysisMedian:0.000} s; this process's CPU {o.CpuMedian:0.000} s (medians)"));
                    await output.WriteLineAsync(string.Create(c, $"  nmap -sT --script ssl-cert (leaf only)    median {o.NmapMedian,7:0.000} s  [{string.Join(", ", o.NmapRuns.Select(s => s.ToString("0.000", c)))}]"));
                    await output.WriteLineAsync(string.Create(c, $"  throughput ratio                          {o.Ratio,7:0.00}   (target >= 2: {(o.Ratio >= 2 ? "met" : "NOT met")})"));
                    await output.WriteLineAsync(string.Create(c, $"  peak memory (this process)                {o.PeakBytes / 1048576.0,7:0.0} MB (target < 300: {(o.PeakBytes < 300L * 1048576 ? "met" : "NOT met")})"));
                    await output.WriteLineAsync(string.Create(c, $"  endpoints matching the manifest           {o.Endpoints - o.Mismatches} of {o.Endpoints}"));
                    foreach (var m in o.MismatchSamples)
                    {
                        await output.WriteLineAsync($"    mismatch: {m}");
                    }
                }

                return o.Mismatches == 0 ? CliApp.ExitOk : CliApp.ExitFailure;
            }
            catch (Exception ex) when (ex is InvalidOperationException or IOException or System.ComponentModel.Win32Exception)
            {
                await error.WriteLineAsync($"certmgr: {ex.Message}");
                return CliApp.ExitFailure;
            }
        });
        return command;
    }

    public static async Task<Outcome> RunAsync(string farmDirectory, string range, string ports, int runs, int? concurrency, bool sslStream, CancellationToken ct)
    {
        var endpoints = FarmManifest.Read(farmDirectory);
        var anchors = TrustAnchorFiles.Read(await File.ReadAllBytesAsync(Path.Combine(farmDirectory, "ca-bundle.pem"), ct), "ca-bundle.pem");
        if (!anchors.IsSuccess)
        {
            throw new InvalidOperationException(anchors.Error.Message);
        }

        var plan = DiscoveryTargets.Parse(new DiscoveryInput([range], ports), 65_536);
        if (!plan.IsSuccess)
        {
            throw new InvalidOperationException(plan.Error.Message);
        }

        if (plan.Value.Hosts.Any(h => h.Address is not { } a || !IPAddress.IsLoopback(a)))
        {
            throw new InvalidOperationException($"{range} is not all loopback; the benchmark scans only 127.0.0.0/8.");
        }

        var options = (concurrency is { } n ? new ScanOptions { HandshakeConcurrency = n } : new ScanOptions()) with { UseSslStream = sslStream };
        await ScanAsync(plan.Value, options, anchors.Value, ct); // warm-up: JIT, thread pool
        var certmgr = new List<double>();
        var nmap = new List<double>();
        var scans = new List<double>();
        var analyses = new List<double>();
        var cpu = new List<double>();
        DiscoveryReport? last = null;
        for (var i = 0; i < runs; i++)
        {
            // Alternate which tool goes first, so neither always gets the warmer machine.
            if (i % 2 == 1)
            {
                nmap.Add(await NmapAsync(range, ports, ct));
            }

            var watch = Stopwatch.StartNew();
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var phases = await ScanAsync(plan.Value, options, anchors.Value, ct);
            certmgr.Add(watch.Elapsed.TotalSeconds);
            cpu.Add((Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds);
            (last, var scan, var analysis) = phases;
            scans.Add(scan);
            analyses.Add(analysis);
            if (i % 2 == 0)
            {
                nmap.Add(await NmapAsync(range, ports, ct));
            }
        }

        var mismatches = Compare(endpoints, last!);
        using var self = Process.GetCurrentProcess();
        return new Outcome(endpoints.Count, runs, Median(certmgr), Median(nmap), certmgr, nmap, self.PeakWorkingSet64, mismatches.Count, mismatches.Take(5).ToList(),
            Median(scans), Median(analyses), Median(cpu));
    }

    /// <summary>One scan and its analysis: the report, and the seconds each phase took.</summary>
    private static async Task<(DiscoveryReport Report, double Scan, double Analysis)> ScanAsync(
        DiscoveryPlan plan, ScanOptions options, System.Security.Cryptography.X509Certificates.X509Certificate2Collection anchors, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        var progress = new ScanProgress();
        var observations = await DiscoveryScanner.ScanAsync(plan, options, progress, ct);
        var scan = watch.Elapsed.TotalSeconds;
        using var analyzer = new FindingAnalyzer(anchors, CertificatePolicy.Default, TimeProvider.System.GetUtcNow());
        var report = DiscoveryReport.From(plan, observations, analyzer, progress);
        return (report, scan, watch.Elapsed.TotalSeconds - scan);
    }

    private static async Task<double> NmapAsync(string range, string ports, CancellationToken ct)
    {
        var (code, output, elapsed) = await PeerTools.RunAsync("nmap", ["-sT", "-n", "-Pn", "-p", ports, "--script", "ssl-cert", range], null, ct);
        return code == 0 ? elapsed.TotalSeconds : throw new InvalidOperationException($"nmap failed ({code}): {output[..Math.Min(300, output.Length)]}");
    }

    /// <summary>Every manifest endpoint found with its certificate and the verdict its status implies; nothing else found.</summary>
    private static List<string> Compare(List<FarmEndpoint> endpoints, DiscoveryReport report)
    {
        var found = report.Found.Where(f => f.Sni is null).ToDictionary(f => $"{f.Address}:{f.Port}");
        var mismatches = new List<string>();
        foreach (var e in endpoints)
        {
            if (!found.Remove($"{e.Address}:{e.Port}", out var f))
            {
                mismatches.Add($"{e.Id} {e.Address}:{e.Port} ({e.Status}): not found");
                continue;
            }

            var ok = string.Equals(f.Sha256, e.Sha256, StringComparison.OrdinalIgnoreCase) && e.Status switch
            {
                "valid" => f.Trusted && !f.Expired && !f.Expiring && !f.SelfSigned,
                "near-expiry" => f.Trusted && f.Expiring && !f.Expired,
                "expired" => f.Expired && !f.SelfSigned,
                "self-signed" => f.SelfSigned && !f.Trusted,
                _ => false,
            };
            if (!ok)
            {
                mismatches.Add($"{e.Id} {e.Address}:{e.Port} ({e.Status}): trusted={f.Trusted} expired={f.Expired} expiring={f.Expiring} self-signed={f.SelfSigned} ({f.TrustDetail})");
            }
        }

        mismatches.AddRange(found.Keys.Select(k => $"{k}: found, but not in the manifest"));
        return mismatches;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
