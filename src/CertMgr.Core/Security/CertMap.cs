using System.Globalization;

namespace CertMgr.Core.Security;

/// <summary>One allowed client certificate: who may use it (<c>*</c> = any user) and its SHA-1 thumbprint (upper-case hex).</summary>
public sealed record CertMapEntry(string User, string Sha1);

/// <summary>A line of <c>certmap.txt</c> that was not understood; it allows no certificate.</summary>
public sealed record CertMapProblem(int LineNumber, string Line, string Reason);

/// <summary>
/// The client-certificate map, <c>certmap.txt</c> (guide 3.5): one allowed certificate per line,
/// <c>* Hash_SHA1 2c 74 2e 10 b8 c0 7f d5 8e 2a ad 2d a9 7b 7f 1a ba e4 f6 dc</c> — a user (<c>*</c> for any), the
/// keyword <c>Hash_SHA1</c> (any case), and the 20-byte SHA-1 thumbprint as hex bytes (spaced, or written together, with
/// or without colons). <c>#</c> starts a comment. A malformed line allows nothing and is reported.
/// </summary>
public sealed class CertMap
{
    public const string FileName = "certmap.txt";

    private CertMap(IReadOnlyList<CertMapEntry> entries, IReadOnlyList<CertMapProblem> problems)
    {
        Entries = entries;
        Problems = problems;
    }

    public IReadOnlyList<CertMapEntry> Entries { get; }

    public IReadOnlyList<CertMapProblem> Problems { get; }

    public static CertMap Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var entries = new List<CertMapEntry>();
        var problems = new List<CertMapProblem>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var raw = lines[i].TrimEnd('\r');
            var hash = raw.IndexOf('#', StringComparison.Ordinal);
            var line = (hash >= 0 ? raw[..hash] : raw).Trim();
            if (line.Length == 0)
            {
                continue;
            }

            var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            string? reason = null;
            string? hex = null;
            if (fields.Length < 3)
            {
                reason = "expected: <user or *> Hash_SHA1 <20 hex bytes>.";
            }
            else if (!string.Equals(fields[1], "Hash_SHA1", StringComparison.OrdinalIgnoreCase))
            {
                reason = $"'{fields[1]}' is not a supported hash; only Hash_SHA1 is.";
            }
            else
            {
                hex = string.Concat(fields.Skip(2)).Replace(":", "", StringComparison.Ordinal);
                if (hex.Length != 40 || !hex.All(char.IsAsciiHexDigit) || fields.Skip(2).Any(f => f.Replace(":", "", StringComparison.Ordinal).Length % 2 != 0))
                {
                    reason = "the SHA-1 thumbprint must be 20 bytes in hex (40 hex digits).";
                }
            }

            if (reason is null)
            {
                entries.Add(new CertMapEntry(fields[0], hex!.ToUpperInvariant()));
            }
            else
            {
                problems.Add(new CertMapProblem(i + 1, raw.Length > 200 ? raw[..200] : raw, reason));
            }
        }

        return new CertMap(entries, problems);
    }

    /// <summary>Whether a certificate with this SHA-1 thumbprint may be used by <paramref name="userName"/> (null: by anyone listed).</summary>
    public bool Allows(string sha1Thumbprint, string? userName = null)
    {
        ArgumentNullException.ThrowIfNull(sha1Thumbprint);
        var wanted = sha1Thumbprint.Replace(":", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal).ToUpper(CultureInfo.InvariantCulture);
        return Entries.Any(e => e.Sha1 == wanted &&
            (userName is null || e.User == "*" || string.Equals(e.User, userName, StringComparison.OrdinalIgnoreCase)));
    }
}
