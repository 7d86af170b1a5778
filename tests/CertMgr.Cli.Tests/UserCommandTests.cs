namespace CertMgr.Cli.Tests;

public sealed class UserCommandTests
{
    [Fact]
    public async Task UserAdd_NewUserListedWithRole_DuplicateAndBadNameRefusedAndNothingAdded()
    {
        var home = Directory.CreateTempSubdirectory("certmgr-cli-user-").FullName;
        try
        {
            var (code, stdout, _) = await RunAsync("--home", home, "user", "add", "Bob", "--role", "User");
            var (dup, _, dupErr) = await RunAsync("--home", home, "user", "add", "bob");
            var (bad, _, badErr) = await RunAsync("--home", home, "user", "add", "bob smith");
            var (badRole, _, _) = await RunAsync("--home", home, "user", "add", "carol", "--role", "Root");
            var (_, list, _) = await RunAsync("--home", home, "user", "list");

            Assert.Equal(0, code);
            var password = stdout.Split('\n').Single(l => l.StartsWith("Initial password", StringComparison.Ordinal)).Split(": ", 2)[1].Trim();
            Assert.True(password.Length >= 16, "a random initial password");
            Assert.Equal(1, dup);
            Assert.Contains("already exists", dupErr, StringComparison.Ordinal);
            Assert.Equal(1, bad);
            Assert.Contains("user name", badErr, StringComparison.Ordinal);
            Assert.Equal(2, badRole);
            var lines = list.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(2, lines.Length); // admin and Bob, nothing else
            Assert.Contains(lines, l => l.StartsWith("Bob ", StringComparison.Ordinal) && l.Contains(" User ", StringComparison.Ordinal) && l.Contains("must change password", StringComparison.Ordinal));
            Assert.DoesNotContain(password, list, StringComparison.Ordinal);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(home, recursive: true);
        }
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync(args, stdout, stderr, CancellationToken.None);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
