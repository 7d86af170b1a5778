using CertMgr.Core.Setup;

namespace CertMgr.Core.Tests.Setup;

/// <summary>The data directory's layout and its owner-only modes, on the real file system.</summary>
public sealed class DataDirectoryTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "certmgr-datadir-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, true);
        }
    }

    [Fact]
    public void EnsureLayout_NewDirectory_FoldersOwnerOnlyAndConfigFile600()
    {
        var home = new DataDirectory(_root);

        home.EnsureLayout();

        foreach (var dir in new[] { home.Root, home.DatabaseDirectory, home.DocumentsDirectory, home.CaDirectory, home.TrustedCasDirectory })
        {
            Assert.Equal(DataDirectory.OwnerOnlyDirectory, File.GetUnixFileMode(dir));
        }

        Assert.Equal(DataDirectory.OwnerOnlyFile, File.GetUnixFileMode(home.ConfigPath));
        Assert.Null(home.TightenedFrom);
    }

    [Fact]
    public void EnsureLayout_Existing755Home_MadeOwnerOnlyAndReported()
    {
        Directory.CreateDirectory(_root);
        var open = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute |
            UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        File.SetUnixFileMode(_root, open);
        var home = new DataDirectory(_root);

        home.EnsureLayout();

        Assert.Equal(DataDirectory.OwnerOnlyDirectory, File.GetUnixFileMode(_root));
        Assert.Equal(open, home.TightenedFrom);
    }

    [Fact]
    public void RestrictFiles_644File_Becomes600()
    {
        Directory.CreateDirectory(_root);
        var file = Path.Combine(_root, "certmgr.db-wal");
        File.WriteAllText(file, "x");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        DataDirectory.RestrictFiles(file, Path.Combine(_root, "missing"));

        Assert.Equal(DataDirectory.OwnerOnlyFile, File.GetUnixFileMode(file));
    }
}
