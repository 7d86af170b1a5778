namespace CertMgr.Web.ConsoleUi;

/// <summary>A validated <see cref="ListQuery"/>: every value is in range and the sort key is on the allow-list.</summary>
/// <param name="Page">1-based page number.</param>
/// <param name="PageSize">Rows per page, within <see cref="ListQuery.MinPageSize"/>..<see cref="ListQuery.MaxPageSize"/>.</param>
/// <param name="Sort">The canonical key of an allowed sort column.</param>
/// <param name="Descending">Sort direction.</param>
/// <param name="Search">Trimmed search text, or null for none.</param>
public sealed record ListState(int Page, int PageSize, string Sort, bool Descending, string? Search)
{
    /// <summary>Rows to skip for <see cref="Page"/>.</summary>
    public int Skip => (Page - 1) * PageSize;

    /// <summary>The query-string value of <see cref="Descending"/>.</summary>
    public string Direction => Descending ? "desc" : "asc";
}
