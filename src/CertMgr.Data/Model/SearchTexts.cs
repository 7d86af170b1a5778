namespace CertMgr.Data.Model;

/// <summary>
/// The stored search text of a row: its searchable fields lower-cased, one per line. A list's search is then one
/// substring test on one column, the same on SQLite and PostgreSQL, and never a scan of JSON arrays.
/// </summary>
public static class SearchTexts
{
    /// <summary>The parts, lower-cased, each once (a name usually repeats as common name and SAN: a shorter text is a faster scan).</summary>
    public static string Join(IEnumerable<string?> parts) =>
        string.Join('\n', parts.Where(p => !string.IsNullOrEmpty(p)).Select(p => p!.ToLowerInvariant()).Distinct(StringComparer.Ordinal));

    /// <summary>The search term as the stored text holds it.</summary>
    public static string Term(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Trim().ToLowerInvariant();
    }
}
