using System.Diagnostics;

namespace CertMgr.Core.Tests.Pki.Reading;

/// <summary>Runs a real tool (openssl, keytool) and fails with its stderr when it fails.</summary>
internal static class Tools
{
    public static void Run(string directory, string file, params string[] args)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Cannot start {file}.");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{file} {string.Join(' ', args)} exited with {process.ExitCode}: {stderr} {stdout.Result}");
        }
    }

    public static void OpenSsl(string directory, params string[] args) => Run(directory, "openssl", args);

    public static void Keytool(string directory, params string[] args) => Run(directory, "keytool", args);
}
