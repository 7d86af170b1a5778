namespace CertMgr.Core.Common;

/// <summary>
/// Files that take effect without a restart (ip_acl.txt, certmap.txt, the client-certificate CA file): tells when any
/// of them changed, by their time stamps and sizes, looked at no more than once a <see cref="CheckEvery"/> so a hot
/// path (every request, every handshake) costs at most one stat per file per second. A missing file is a state too:
/// creating or deleting one is a change. Not thread-safe: the owner calls it under its own lock.
/// </summary>
public sealed class WatchedFiles(TimeProvider time, params string?[] paths)
{
    public static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(1);

    private readonly string?[] _paths = paths;
    private DateTimeOffset _checkedAt;
    private FileStamp?[]? _seen;

    /// <summary>
    /// Whether any file differs from the last look: always true the first time and after <see cref="Forget"/>; false
    /// without looking when the last look was less than <see cref="CheckEvery"/> ago.
    /// </summary>
    public bool Changed()
    {
        var now = time.GetUtcNow();
        if (_seen is not null && now - _checkedAt < CheckEvery && now >= _checkedAt)
        {
            return false;
        }

        _checkedAt = now;
        var stamps = Array.ConvertAll(_paths, FileStamp.Of);
        if (_seen is not null && stamps.AsSpan().SequenceEqual(_seen))
        {
            return false;
        }

        _seen = stamps;
        return true;
    }

    /// <summary>Makes the next <see cref="Changed"/> true: the owner reads the files again now.</summary>
    public void Forget() => _seen = null;

    /// <summary>A file's last write time and size; null when there is no path or no file.</summary>
    private readonly record struct FileStamp(DateTime WrittenUtc, long Length)
    {
        public static FileStamp? Of(string? path)
        {
            if (path is null)
            {
                return null;
            }

            var info = new FileInfo(path);
            return info.Exists ? new FileStamp(info.LastWriteTimeUtc, info.Length) : null;
        }
    }
}
