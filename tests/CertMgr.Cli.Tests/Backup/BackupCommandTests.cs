namespace CertMgr.Cli.Tests.Backup;

/// <summary><c>certmgr backup</c> and <c>certmgr restore</c> end to end through the command line.</summary>
public sealed class BackupCommandTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("certmgr-cli-backup-");

    [Fact]
    public async Task BackupThenRestore_SeededHome_RestoredHomeOpensWithSameInventory()
    {
        var home = Path.Combine(_work.FullName, "home");
        var restored = Path.Combine(_work.FullName, "restored");
        var passFile = Path.Combine(_work.FullName, "pass.txt");
        var file = Path.Combine(_work.FullName, "cm.backup");
        await File.WriteAllTextAsync(passFile, "a passphrase for tests\n");
        Assert.Equal(0, (await RunAsync("--home", home, "seed", "--definitions", "10")).Code);

        var backup = await RunAsync("--home", home, "backup", "--out", file, "--passphrase-file", passFile);
        var restore = await RunAsync("restore", file, "--home", restored, "--passphrase-file", passFile);
        var again = await RunAsync("restore", file, "--home", restored, "--passphrase-file", passFile);
        var info = await RunAsync("--home", restored, "ca", "info");
        var original = await RunAsync("--home", home, "ca", "info");

        Assert.True(backup.Code == 0, backup.Stderr);
        Assert.Contains("sqlite database", backup.Stdout, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.True(restore.Code == 0, restore.Stderr);
        Assert.Equal(1, again.Code);
        Assert.Contains("not empty", again.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, info.Code);
        Assert.Equal(original.Stdout, info.Stdout);
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(home, "master.key")), await File.ReadAllBytesAsync(Path.Combine(restored, "master.key")));
    }

    [Fact]
    public async Task Restore_WrongPassphraseOrNoSource_FailsAndCreatesNothing()
    {
        var home = Path.Combine(_work.FullName, "home");
        var restored = Path.Combine(_work.FullName, "restored");
        var passFile = Path.Combine(_work.FullName, "pass.txt");
        var wrongFile = Path.Combine(_work.FullName, "wrong.txt");
        var shortFile = Path.Combine(_work.FullName, "short.txt");
        var file = Path.Combine(_work.FullName, "cm.backup");
        await File.WriteAllTextAsync(passFile, "a passphrase for tests");
        await File.WriteAllTextAsync(wrongFile, "not the passphrase at all");
        await File.WriteAllTextAsync(shortFile, "short");
        Assert.Equal(0, (await RunAsync("--home", home, "seed", "--definitions", "1")).Code);
        Assert.Equal(0, (await RunAsync("--home", home, "backup", "--out", file, "--passphrase-file", passFile)).Code);

        var weak = await RunAsync("--home", home, "backup", "--out", file + "2", "--passphrase-file", shortFile);
        var wrong = await RunAsync("restore", file, "--home", restored, "--passphrase-file", wrongFile);
        var noHome = await RunAsync("restore", file, "--passphrase-file", passFile);
        var absent = await RunAsync("--home", Path.Combine(_work.FullName, "absent"), "backup", "--out", file + "3", "--passphrase-file", passFile);

        Assert.Equal(1, weak.Code);
        Assert.Contains("at least", weak.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(file + "2"));
        Assert.Equal(1, wrong.Code);
        Assert.Contains("passphrase is wrong", wrong.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("not the passphrase", wrong.Stderr + wrong.Stdout, StringComparison.Ordinal);
        Assert.False(Directory.Exists(restored));
        Assert.Equal(2, noHome.Code);
        Assert.Equal(1, absent.Code);
        Assert.False(Directory.Exists(Path.Combine(_work.FullName, "absent")));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _work.Delete(recursive: true);
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync(args, stdout, stderr, CancellationToken.None);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
