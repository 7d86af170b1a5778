using CertMgr.Data.Secrets;

namespace CertMgr.Data.Tests.Secrets;

public sealed class MasterKeyFileTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("certmgr-key-");

    private string KeyPath => Path.Combine(_dir.FullName, MasterKeyFile.FileName);

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public void LoadOrCreate_NoFile_CreatesOwnerOnlyFileWith32ByteKey()
    {
        var (key, created) = MasterKeyFile.LoadOrCreate(KeyPath);

        Assert.True(created);
        Assert.Equal(32, key.Length);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyPath));
        Assert.Equal(Convert.ToBase64String(key), File.ReadAllText(KeyPath).Trim());
    }

    [Fact]
    public void LoadOrCreate_ExistingFile_ReturnsSameKey()
    {
        var (first, _) = MasterKeyFile.LoadOrCreate(KeyPath);

        var (again, created) = MasterKeyFile.LoadOrCreate(KeyPath);

        Assert.False(created);
        Assert.Equal(first, again);
    }

    [Fact]
    public void LoadOrCreate_ReloadedKey_OpensSecretsSealedBefore()
    {
        var sealedValue = new SecretProtector(MasterKeyFile.LoadOrCreate(KeyPath).Key).Protect("smtp-password", SecretPurposes.Setting);

        var reloaded = new SecretProtector(MasterKeyFile.LoadOrCreate(KeyPath).Key);

        Assert.Equal("smtp-password", reloaded.UnprotectString(sealedValue, SecretPurposes.Setting));
    }

    [Theory]
    [InlineData("not base64 at all!")]
    [InlineData("")]
    [InlineData("AAAA")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void LoadOrCreate_DamagedFile_ThrowsSecretUnavailable(string content)
    {
        File.WriteAllText(KeyPath, content);

        var error = Assert.Throws<SecretUnavailableException>(() => MasterKeyFile.LoadOrCreate(KeyPath));

        Assert.Contains("damaged", error.Message, StringComparison.Ordinal);
        Assert.Contains(KeyPath, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadOrCreate_DamagedFile_LeavesItUntouched()
    {
        File.WriteAllText(KeyPath, "garbage");

        Assert.Throws<SecretUnavailableException>(() => MasterKeyFile.LoadOrCreate(KeyPath));

        Assert.Equal("garbage", File.ReadAllText(KeyPath));
    }
}
