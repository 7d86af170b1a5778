using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.Common;
using CertMgr.Core.Pki;
using CertMgr.Core.Probe;

namespace CertMgr.Core.TrustedCas;

/// <summary>One file of the system collection: its name, how many certificates it holds, or why it cannot be read.</summary>
public sealed record SystemFileInfo(string Name, int CertificateCount, long Bytes, DateTimeOffset ModifiedAt, string? Problem);

/// <summary>Facts about one CA certificate, for lists and the API (never the whole certificate object).</summary>
public sealed record CaCertificateInfo(string Subject, string Issuer, string Sha256, DateTimeOffset NotBefore, DateTimeOffset NotAfter, bool IsCa)
{
    public static CaCertificateInfo Of(X509Certificate2 c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return new(c.Subject, c.Issuer, Thumbprints.Sha256(c),
            new DateTimeOffset(c.NotBefore.ToUniversalTime(), TimeSpan.Zero), new DateTimeOffset(c.NotAfter.ToUniversalTime(), TimeSpan.Zero), CaUpload.IsCa(c));
    }
}

/// <summary>
/// The system collection: PEM files in <c>trusted-cas/system-list/</c>, by plain file name (never a path). Reads are
/// cached by file name, size and modification time, so lists and merges do not re-parse ~150 roots each time.
/// </summary>
internal static class SystemCollection
{
    private static readonly ConcurrentDictionary<string, Parsed> Cache = new(StringComparer.Ordinal);

    internal sealed record Parsed(long Length, DateTime Modified, string Sha256, Result<X509Certificate2Collection> Certificates);

    public static List<string> Names(string directory) => Directory.Exists(directory)
        ? [.. Directory.EnumerateFiles(directory, "*.pem").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)]
        : [];

    public static List<SystemFileInfo> Describe(string directory) =>
        [.. Names(directory).Select(name =>
        {
            var path = Path.Combine(directory, name);
            var parsed = Read(path, name);
            var info = new FileInfo(path);
            return parsed is null
                ? new SystemFileInfo(name, 0, 0, default, "The file is gone.")
                : new SystemFileInfo(name, parsed.Certificates.IsSuccess ? parsed.Certificates.Value.Count : 0, parsed.Length,
                    new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero), parsed.Certificates.Error?.Message);
        })];

    /// <summary>The parsed file, or null when it does not exist. The collection is shared: do not dispose or change it.</summary>
    public static Parsed? Read(string path, string name)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            return null;
        }

        if (Cache.TryGetValue(path, out var cached) && cached.Length == info.Length && cached.Modified == info.LastWriteTimeUtc)
        {
            return cached;
        }

        var bytes = File.ReadAllBytes(path);
        var parsed = new Parsed(bytes.Length, info.LastWriteTimeUtc, Convert.ToHexString(SHA256.HashData(bytes)), TrustAnchorFiles.Read(bytes, $"System file '{name}'"));
        Cache[path] = parsed;
        return parsed;
    }

    /// <summary>Whether a name is a plain file name of the collection (no folders, no traversal).</summary>
    public static bool IsPlainName(string name) =>
        !string.IsNullOrWhiteSpace(name) && name == Path.GetFileName(name) && name is not "." and not ".." && name.EndsWith(".pem", StringComparison.Ordinal);
}
