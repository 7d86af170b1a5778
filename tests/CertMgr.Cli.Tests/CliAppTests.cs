namespace CertMgr.Cli.Tests;

public sealed class CliAppTests
{
    private static async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync(args, output, error, CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Version_Flag_PrintsVersionAndExitsZero()
    {
        var (code, output, _) = await RunAsync("--version");

        Assert.Equal(0, code);
        Assert.Equal(CliApp.Version, output.Trim());
        Assert.Matches(@"^\d+\.\d+\.\d+", output.Trim());
    }

    [Fact]
    public async Task Help_Root_ListsServeAndGlobalOptions()
    {
        var (code, output, _) = await RunAsync("--help");

        Assert.Equal(0, code);
        Assert.Contains("serve", output, StringComparison.Ordinal);
        Assert.Contains("--home", output, StringComparison.Ordinal);
        Assert.Contains("CERTMGR_HOME", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_ServeVerb_DescribesUrlsAndHome()
    {
        var (code, output, _) = await RunAsync("serve", "--help");

        Assert.Equal(0, code);
        Assert.Contains("--urls", output, StringComparison.Ordinal);
        Assert.Contains("--home", output, StringComparison.Ordinal);
        Assert.Contains("23466", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("--no-such-option")]
    [InlineData("serve", "--urls")]
    [InlineData("serve", "extra-argument")]
    [InlineData("bench", "ca-issue", "--count", "1")]
    [InlineData("bench", "ca-sign", "--count", "0")]
    public async Task Run_BadUsage_OneLineErrorAndExitTwo(params string[] args)
    {
        var (code, output, error) = await RunAsync(args);

        Assert.Equal(2, code);
        Assert.Equal("", output);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("certmgr: ", line, StringComparison.Ordinal);
        Assert.Contains("certmgr --help", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_InvalidUrl_ExitTwoWithoutCreatingAnything()
    {
        var home = Path.Combine(Path.GetTempPath(), "certmgr-cli-" + Guid.NewGuid().ToString("N"));

        var (code, _, error) = await RunAsync("serve", "--home", home, "--urls", "not-a-url");

        Assert.Equal(2, code);
        Assert.Contains("not a valid listen URL", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(home));
    }

    [Fact]
    public async Task BenchCaIssue_SmallCount_ReportsBothSidesAndRatio()
    {
        var (code, output, error) = await RunAsync("bench", "ca-issue", "--count", "4", "--json");

        Assert.True(code == 0, error);
        using var json = System.Text.Json.JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal(4, root.GetProperty("count").GetInt32());
        Assert.True(root.GetProperty("certmgrCertsPerSecond").GetDouble() > 0);
        Assert.True(root.GetProperty("opensslCaCertsPerSecond").GetDouble() > 0);
        var expected = root.GetProperty("certmgrCertsPerSecond").GetDouble() / root.GetProperty("opensslCaCertsPerSecond").GetDouble();
        Assert.InRange(root.GetProperty("ratio").GetDouble(), expected * 0.98, expected * 1.02);
    }
}
