using System.Text.Json;

namespace CertMgr.Cli.Tests;

public sealed class SeedCommandTests
{
    [Fact]
    public async Task Seed_Definitions_JsonCountsAndRepeatAdds()
    {
        var home = Directory.CreateTempSubdirectory("certmgr-cli-seed-").FullName;
        try
        {
            var (code, stdout, _) = await RunAsync("--home", home, "seed", "--definitions", "25", "--json");
            var (again, _, _) = await RunAsync("--home", home, "seed", "--definitions", "5");

            Assert.Equal(0, code);
            using var doc = JsonDocument.Parse(stdout);
            Assert.Equal(25, doc.RootElement.GetProperty("definitions").GetInt32());
            Assert.True(doc.RootElement.GetProperty("certificates").GetInt32() >= 25);
            Assert.Equal(0, again);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(home, recursive: true);
        }
    }

    [Theory]
    [InlineData("0")]
    [InlineData("2000000")]
    public async Task Seed_OutOfRange_UsageError(string count)
    {
        var (code, _, stderr) = await RunAsync("seed", "--definitions", count);

        Assert.Equal(2, code);
        Assert.Contains("--definitions", stderr, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync(args, stdout, stderr, CancellationToken.None);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
