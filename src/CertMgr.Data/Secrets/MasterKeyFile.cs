using System.Security.Cryptography;

namespace CertMgr.Data.Secrets;

/// <summary>
/// The master key lives in a file of its own beside (never inside) the database, readable by the owner only.
/// </summary>
public static class MasterKeyFile
{
    public const string FileName = "master.key";
    private const int KeyBytes = 32;

    /// <summary>Reads the key, creating it (owner-only, 0600) when absent.</summary>
    /// <returns>The key, and whether it was created now.</returns>
    public static (byte[] Key, bool Created) LoadOrCreate(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (File.Exists(path))
        {
            return (Read(path), false);
        }

        var key = RandomNumberGenerator.GetBytes(KeyBytes);
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using var stream = new FileStream(path, options);
            using var writer = new StreamWriter(stream);
            writer.Write(Convert.ToBase64String(key));
            writer.Write('\n');
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it first: use theirs.
            return (Read(path), false);
        }

        return (key, true);
    }

    private static byte[] Read(string path)
    {
        var text = File.ReadAllText(path).Trim();
        byte[] key;
        try
        {
            key = Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw new SecretUnavailableException($"The master key file {path} is damaged (not base64).");
        }

        if (key.Length != KeyBytes)
        {
            throw new SecretUnavailableException($"The master key file {path} is damaged (expected {KeyBytes} bytes, found {key.Length}).");
        }

        return key;
    }
}
