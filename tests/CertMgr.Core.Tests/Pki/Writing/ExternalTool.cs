using System.Diagnostics;

namespace CertMgr.Core.Tests.Pki.Writing;

/// <summary>Runs a real command-line tool (openssl, keytool, haproxy) and returns what it printed.</summary>
internal static class ExternalTool
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public sealed record Outcome(int ExitCode, string Stdout, string Stderr)
    {
        public string All => Stdout + Stderr;
    }

    /// <summary>Runs the tool and fails the test, with its stderr, when it exits non-zero.</summary>
    public static async Task<Outcome> RunAsync(string tool, params string[] args)
    {
        var outcome = await TryAsync(tool, args);
        Assert.True(
            outcome.ExitCode == 0,
            $"{tool} {string.Join(' ', args)} exited {outcome.ExitCode}:\n{outcome.Stderr}\n{outcome.Stdout}");
        return outcome;
    }

    public static async Task<Outcome> TryAsync(string tool, params string[] args)
    {
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start.");
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(Timeout);
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return new Outcome(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>The full path of a tool on PATH (or in the sbin directories), or null.</summary>
    public static string? Find(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/usr/bin", "/sbin"])
            .Select(dir => Path.Combine(dir, tool))
            .FirstOrDefault(File.Exists);
}
