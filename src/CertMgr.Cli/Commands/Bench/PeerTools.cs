using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace CertMgr.Cli.Commands.Bench;

/// <summary>Runs the peer tools a benchmark is compared with, and reads their figures.</summary>
internal static partial class PeerTools
{
    public static async Task<(int ExitCode, string Output, TimeSpan Elapsed)> RunAsync(string file, IEnumerable<string> args, string? workingDirectory, CancellationToken ct)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        var watch = Stopwatch.StartNew();
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Cannot start {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        watch.Stop();
        return (process.ExitCode, await stdout + await stderr, watch.Elapsed);
    }

    /// <summary>ECDSA P-256 signatures per second on one core, from <c>openssl speed -seconds N ecdsap256</c>.</summary>
    public static async Task<double> OpensslEcdsaP256SignsPerSecondAsync(int seconds, CancellationToken ct)
    {
        var (code, output, _) = await RunAsync("openssl", ["speed", "-seconds", seconds.ToString(CultureInfo.InvariantCulture), "ecdsap256"], null, ct);
        if (code != 0)
        {
            throw new InvalidOperationException($"openssl speed failed: {output}");
        }

        // " 256 bits ecdsa (nistp256)   0.0000s   0.0001s  38712.3  12291.5"
        var m = SpeedLine().Match(output);
        return m.Success
            ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)
            : throw new InvalidOperationException($"Cannot read openssl speed's output: {output}");
    }

    [GeneratedRegex(@"256 bits ecdsa \(nistp256\)\s+\S+s\s+\S+s\s+([0-9.]+)\s+([0-9.]+)")]
    private static partial Regex SpeedLine();
}
