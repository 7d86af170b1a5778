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
        var outcome = ExternalTool.Try(workDir, "openssl", args);
        return (outcome.ExitCode, outcome.Stdout, outcome.Stderr);
    }
}
