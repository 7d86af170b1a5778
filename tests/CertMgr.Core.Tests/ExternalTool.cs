using System.Diagnostics;

namespace CertMgr.Core.Tests;

/// <summary>
/// Runs a real command-line tool (openssl, keytool, haproxy) and returns what it printed: the one process runner of
/// this test project.
/// </summary>
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

    public static Task<Outcome> TryAsync(string tool, params string[] args) => Task.Run(() => Try(null, tool, args));

    /// <summary>Runs the tool in a working directory (null: the current one), stdin closed, within the timeout.</summary>
    public static Outcome Try(string? workingDirectory, string tool, params string[] args)
    {
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start.");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{tool} {string.Join(' ', args)} did not finish within {Timeout.TotalSeconds} s.");
        }

        return new Outcome(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>The full path of a tool on PATH (or in the sbin directories), or null.</summary>
    public static string? Find(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/usr/bin", "/sbin"])
            .Select(dir => Path.Combine(dir, tool))
            .FirstOrDefault(File.Exists);
}
