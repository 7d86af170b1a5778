namespace CertMgr.Core.Tests.Pki.Reading;

/// <summary>Runs a real tool (openssl, keytool) and fails with its stderr when it fails.</summary>
internal static class Tools
{
    public static void Run(string directory, string file, params string[] args)
    {
        var outcome = ExternalTool.Try(directory, file, args);
        if (outcome.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{file} {string.Join(' ', args)} exited with {outcome.ExitCode}: {outcome.Stderr} {outcome.Stdout}");
        }
    }

    public static void OpenSsl(string directory, params string[] args) => Run(directory, "openssl", args);

    public static void Keytool(string directory, params string[] args) => Run(directory, "keytool", args);
}
