using System.Globalization;

namespace CertMgr.Core.Common;

/// <summary>A count with its noun in the right number, for text people read: "1 certificate", "3 certificates".</summary>
public static class Plural
{
    /// <summary>
    /// <paramref name="count"/> (grouped, invariant: 1,234) and <paramref name="singular"/>, or
    /// <paramref name="plural"/> (default: singular + "s") when the count is not exactly one.
    /// </summary>
    public static string Of(long count, string singular, string? plural = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(singular);
        var noun = count == 1 ? singular : plural ?? singular + "s";
        return count.ToString("N0", CultureInfo.InvariantCulture) + " " + noun;
    }
}
