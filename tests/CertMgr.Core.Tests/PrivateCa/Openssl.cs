using System.Diagnostics;

namespace CertMgr.Core.Tests.PrivateCa;

/// <summary>Runs the real <c>openssl</c> in a working directory; a failure fails the test with openssl's stderr.</summary>
internal static class Openssl
{
    public static string Run(string workDir, params string[] args)
    {
        var (code, output, error) = TryRun(workDir, args);
        Assert.True(code == 0, $"openssl {string.Join(' ', args)} failed ({code}): {error}{output}");
        return output + error;
    }

    public static (int Code, string Output, string Error) TryRun(string workDir, params string[] args)
    {
        var start = new ProcessStartInfo("openssl")
        {
            WorkingDirectory = workDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("openssl did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(30_000), "openssl timed out");
        return (process.ExitCode, output.Result, error.Result);
    }
}
