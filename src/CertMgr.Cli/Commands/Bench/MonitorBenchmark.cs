using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using CertMgr.Core.Monitoring;
using CertMgr.Core.Probe;
using CertMgr.Data.Model;

namespace CertMgr.Cli.Commands.Bench;

/// <summary>
/// A monitor pass over the reference TLS farm (<c>tls-farm.sh start 1000</c>): handshake, chain capture, thumbprint
/// compare and chain verification for every endpoint, beside two <c>openssl s_time -new</c> clients against farm
/// endpoints in the same run. Every verdict is compared with the farm's manifest.
/// </summary>
internal static partial class MonitorBenchmark
{
    public sealed record Outcome(int Endpoints, int Degree, TimeSpan Pass, double EndpointsPerSecond, double OpensslHandshakesPerSecond, int Mismatches, IReadOnlyList<string> MismatchSamples)
    {
        public double Ratio => EndpointsPerSecond / OpensslHandshakesPerSecond;
    }

    public static Command Command(TextWriter output, TextWriter error)
    {
        var farm = new Option<string>("--farm")
        {
            Description = "The farm's directory (default: $FARM_DIR, else /tmp/tls-farm).",
            HelpName = "DIR",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("FARM_DIR") is { Length: > 0 } d ? d : "/tmp/tls-farm",
        };
        var degree = new Option<int>("--degree") { Description = "Concurrent probes.", DefaultValueFactory = _ => MonitorPass.DefaultDegree };
        var seconds = new Option<int>("--openssl-seconds") { Description = "How long each openssl s_time client runs.", DefaultValueFactory = _ => 5 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object." };
        var command = new Command("monitor", "A monitor pass over the reference TLS farm vs two `openssl s_time -new` clients (target: 1000 endpoints in <= 2 s, ratio >= 0.5).");
        command.Options.Add(farm);
        command.Options.Add(degree);
        command.Options.Add(seconds);
        command.Options.Add(json);
        command.Validators.Add(r =>
        {
            if (r.GetResult(degree) is { Implicit: false } d && d.GetValueOrDefault<int>() is < 1 or > 1024)
            {
                r.AddError("--degree must be between 1 and 1024.");
            }

            if (r.GetResult(seconds) is { Implicit: false } s && s.GetValueOrDefault<int>() is < 1 or > 60)
            {
                r.AddError("--openssl-seconds must be between 1 and 60.");
            }
        });
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                var o = await RunAsync(parse.GetValue(farm)!, parse.GetValue(degree), parse.GetValue(seconds), ct);
                var c = CultureInfo.InvariantCulture;
                if (parse.GetValue(json))
                {
                    await output.WriteLineAsync(System.Text.Json.JsonSerializer.Serialize(new
                    {
                        benchmark = "monitor",
                        endpoints = o.Endpoints,
                        degree = o.Degree,
                        passSeconds = Math.Round(o.Pass.TotalSeconds, 3),
                        certmgrEndpointsPerSecond = Math.Round(o.EndpointsPerSecond, 1),
                        opensslHandshakesPerSecond = Math.Round(o.OpensslHandshakesPerSecond, 1),
                        ratio = Math.Round(o.Ratio, 3),
                        target = 0.5,
                        mismatches = o.Mismatches,
                    }));
                }
                else
                {
                    await output.WriteLineAsync(string.Create(c, $"monitor: {o.Endpoints} farm endpoints, {o.Degree} concurrent probes"));
                    await output.WriteLineAsync(string.Create(c, $"  certmgr monitor pass             {o.Pass.TotalSeconds,8:0.000} s = {o.EndpointsPerSecond,7:N0} endpoints/s   (target <= 2 s)"));
                    await output.WriteLineAsync(string.Create(c, $"  2 x openssl s_time -new          {o.OpensslHandshakesPerSecond,21:N0} handshakes/s"));
                    await output.WriteLineAsync(string.Create(c, $"  ratio                            {o.Ratio,8:0.00}   (target >= 0.5: {(o.Ratio >= 0.5 ? "met" : "NOT met")})"));
                    await output.WriteLineAsync(string.Create(c, $"  verdicts matching the manifest   {o.Endpoints - o.Mismatches} of {o.Endpoints}"));
                    foreach (var m in o.MismatchSamples)
                    {
                        await output.WriteLineAsync($"    mismatch: {m}");
                    }
                }

                return o.Mismatches == 0 ? CliApp.ExitOk : CliApp.ExitFailure;
            }
            catch (Exception ex) when (ex is InvalidOperationException or IOException)
            {
                await error.WriteLineAsync($"certmgr: {ex.Message}");
                return CliApp.ExitFailure;
            }
        });
        return command;
    }


    public static async Task<Outcome> RunAsync(string farmDirectory, int degree, int opensslSeconds, CancellationToken ct)
    {
        var endpoints = FarmManifest.Read(farmDirectory);
        var anchors = TrustAnchorFiles.Read(await File.ReadAllBytesAsync(Path.Combine(farmDirectory, "ca-bundle.pem"), ct), "ca-bundle.pem");
        if (!anchors.IsSuccess)
        {
            throw new InvalidOperationException(anchors.Error.Message);
        }

        await EnsureUpAsync(endpoints[0], ct);
        var targets = endpoints.Select(e => new MonitorTarget(e.Id, e.Address, e.Port, null, new CheckExpectations
        {
            NameToCheck = e.Address,
            ExpectedSha1 = e.Sha1,
            TrustAnchors = anchors.Value,
            ThresholdDays = 30,
        })).ToList();
        var options = new ProbeOptions { ConnectTimeout = TimeSpan.FromSeconds(5), HandshakeTimeout = TimeSpan.FromSeconds(5), TotalTimeout = TimeSpan.FromSeconds(10) };

        // openssl first, then certmgr: warm-up (JIT, thread pool) on a slice, then the timed pass.
        var openssl = await OpensslHandshakesPerSecondAsync(endpoints, opensslSeconds, ct);
        await MonitorPass.RunAsync(targets.Take(Math.Min(100, targets.Count)).ToList(), degree, options, TimeProvider.System, ct);
        var watch = Stopwatch.StartNew();
        var reports = await MonitorPass.RunAsync(targets, degree, options, TimeProvider.System, ct);
        watch.Stop();

        var mismatches = new List<string>();
        for (var i = 0; i < endpoints.Count; i++)
        {
            var expected = Expected(endpoints[i]);
            if (reports[i].Status != expected)
            {
                mismatches.Add($"{endpoints[i].Id} {endpoints[i].Address}:{endpoints[i].Port} ({endpoints[i].Status}): expected {expected}, got {reports[i].Status}: {reports[i].Summary}");
            }
        }

        return new Outcome(endpoints.Count, degree, watch.Elapsed, endpoints.Count / watch.Elapsed.TotalSeconds, openssl, mismatches.Count, mismatches.Take(5).ToList());
    }

    /// <summary>What the manifest says a monitor must conclude (threshold 30 days).</summary>
    private static CheckStatus Expected(FarmEndpoint e) => e.Status == "valid" ? CheckStatus.Ok : CheckStatus.Ng;

    private static async Task EnsureUpAsync(FarmEndpoint e, CancellationToken ct)
    {
        try
        {
            using var client = new TcpClient();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            await client.ConnectAsync(IPAddress.Parse(e.Address), e.Port, timeout.Token);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            throw new InvalidOperationException($"The farm is not serving ({e.Address}:{e.Port}: {ex.Message}); start it with ../shared/bench/tls-farm.sh start 1000.");
        }
    }

    /// <summary>Two <c>openssl s_time -new</c> clients in parallel, each on a valid ECDSA endpoint (ANCHORS row 11).</summary>
    private static async Task<double> OpensslHandshakesPerSecondAsync(List<FarmEndpoint> endpoints, int seconds, CancellationToken ct)
    {
        var picks = endpoints.Where(e => e.Key.StartsWith("ec", StringComparison.Ordinal) && e.Status == "valid").Take(2).ToList();
        if (picks.Count < 2)
        {
            throw new InvalidOperationException("The farm has fewer than two valid ECDSA endpoints for openssl s_time.");
        }

        var watch = Stopwatch.StartNew();
        var runs = await Task.WhenAll(picks.Select(e => PeerTools.RunAsync("openssl",
            ["s_time", "-connect", $"{e.Address}:{e.Port}", "-new", "-time", seconds.ToString(CultureInfo.InvariantCulture)], null, ct)));
        watch.Stop();
        var total = 0;
        foreach (var (code, output, _) in runs)
        {
            var m = Connections().Match(output);
            if (code != 0 || !m.Success)
            {
                throw new InvalidOperationException($"openssl s_time failed: {output}");
            }

            total += int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        }

        return total / watch.Elapsed.TotalSeconds;
    }

    [GeneratedRegex(@"(\d+) connections in [0-9.]+s;")]
    private static partial Regex Connections();
}
