using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using CertMgr.Core.Common;
using CertMgr.Core.Pki;

namespace CertMgr.Core.TrustedCas;

/// <summary>
/// What "save and merge" merged: the system files (each with the SHA-256 of its content then) and the user CA
/// certificates (by SHA-256). Written as the first line of the merged PEM file, so the file says what it holds.
/// </summary>
public sealed record MergedContent(IReadOnlyDictionary<string, string> Files, IReadOnlyList<string> UserCertificates);

/// <summary>
/// The differences between a set as edited and as last merged; <see cref="Any"/> is false when the effective set the
/// monitor validates against is current.
/// </summary>
public sealed record PendingChanges(
    IReadOnlyList<string> FilesAdded, IReadOnlyList<string> FilesRemoved, IReadOnlyList<string> FilesChanged,
    int CertificatesToAdd, int CertificatesToRemove)
{
    public static PendingChanges None { get; } = new([], [], [], 0, 0);

    public bool Any => FilesAdded.Count + FilesRemoved.Count + FilesChanged.Count + CertificatesToAdd + CertificatesToRemove > 0;

    /// <summary>Only system files changed content (e.g. the shipped roots were refreshed); nothing an admin edited.</summary>
    public bool OnlyFileContent => FilesChanged.Count > 0 && FilesAdded.Count + FilesRemoved.Count + CertificatesToAdd + CertificatesToRemove == 0;

    /// <summary>One short line per kind of change, for the console and the API.</summary>
    public IReadOnlyList<string> Describe()
    {
        var lines = new List<string>();
        if (FilesAdded.Count > 0)
        {
            lines.Add($"System files to add: {string.Join(", ", FilesAdded)}");
        }

        if (FilesRemoved.Count > 0)
        {
            lines.Add($"System files to remove: {string.Join(", ", FilesRemoved)}");
        }

        if (FilesChanged.Count > 0)
        {
            lines.Add($"System files changed on disk since the merge: {string.Join(", ", FilesChanged)}");
        }

        if (CertificatesToAdd > 0)
        {
            lines.Add($"{Plural.Of(CertificatesToAdd, "user CA certificate")} to add");
        }

        if (CertificatesToRemove > 0)
        {
            lines.Add($"{Plural.Of(CertificatesToRemove, "user CA certificate")} to remove");
        }

        return lines;
    }
}

/// <summary>The merged (effective) file of a set: <c>trusted-cas/merged/&lt;set id&gt;.pem</c>.</summary>
internal static class MergedSnapshot
{
    private const string Marker = "# certmgr-merged: ";

    public static string Write(string path, MergedContent content, IEnumerable<X509Certificate2> certificates)
    {
        var text = new StringBuilder();
        text.Append(Marker).Append(JsonSerializer.Serialize(new Header(new SortedDictionary<string, string>(content.Files.ToDictionary(), StringComparer.Ordinal), [.. content.UserCertificates.Order(StringComparer.Ordinal)]))).Append('\n');
        text.Append("# The effective Trusted CA Set CertMgr validates against; \"save and merge\" rewrites this file.\n");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var count = 0;
        foreach (var c in certificates)
        {
            if (seen.Add(Thumbprints.Sha256(c)))
            {
                text.Append(PemEncoding.WriteString("CERTIFICATE", c.RawData)).Append('\n');
                count++;
            }
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".tmp";
        File.WriteAllText(temp, text.ToString(), Encoding.ASCII);
        File.Move(temp, path, overwrite: true);
        return Plural.Of(count, "certificate");
    }

    /// <summary>What the merged file holds, or null when there is none (never merged, or written before this format).</summary>
    public static MergedContent? ReadContent(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        using var reader = new StreamReader(path, Encoding.ASCII);
        var first = reader.ReadLine();
        if (first is null || !first.StartsWith(Marker, StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            var header = JsonSerializer.Deserialize<Header>(first[Marker.Length..]);
            return header is null ? null : new MergedContent(header.Files, header.User);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static PendingChanges Compare(MergedContent merged, MergedContent working)
    {
        var added = working.Files.Keys.Where(f => !merged.Files.ContainsKey(f)).Order(StringComparer.Ordinal).ToList();
        var removed = merged.Files.Keys.Where(f => !working.Files.ContainsKey(f)).Order(StringComparer.Ordinal).ToList();
        var changed = working.Files.Where(f => merged.Files.TryGetValue(f.Key, out var h) && h != f.Value).Select(f => f.Key).Order(StringComparer.Ordinal).ToList();
        var mergedUsers = merged.UserCertificates.ToHashSet(StringComparer.Ordinal);
        var workingUsers = working.UserCertificates.ToHashSet(StringComparer.Ordinal);
        return new PendingChanges(added, removed, changed, workingUsers.Count(u => !mergedUsers.Contains(u)), mergedUsers.Count(u => !workingUsers.Contains(u)));
    }

    private sealed record Header(SortedDictionary<string, string> Files, List<string> User);
}
