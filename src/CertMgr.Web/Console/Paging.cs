namespace CertMgr.Web.ConsoleUi;

/// <summary>Page arithmetic for the pager.</summary>
public static class Paging
{
    /// <summary>Pages needed for <paramref name="totalCount"/> rows; at least 1, so an empty list has one empty page.</summary>
    public static int PageCount(int totalCount, int pageSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(totalCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pageSize);
        return Math.Max(1, (int)(((long)totalCount + pageSize - 1) / pageSize));
    }

    /// <summary>
    /// The page numbers a pager shows: always the first and the last, the current one with <paramref name="radius"/>
    /// neighbours each side, and <c>null</c> for each gap ("…"). A gap of one page shows that page instead.
    /// </summary>
    /// <example><c>Window(6, 20, 1)</c> is <c>1, null, 5, 6, 7, null, 20</c>.</example>
    public static IReadOnlyList<int?> Window(int current, int pageCount, int radius = 2)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pageCount);
        ArgumentOutOfRangeException.ThrowIfNegative(radius);
        current = Math.Clamp(current, 1, pageCount);
        var from = Math.Max(1, current - radius);
        var to = Math.Min(pageCount, current + radius);

        var pages = new List<int?>();
        if (from > 1)
        {
            pages.Add(1);
            if (from == 3)
            {
                pages.Add(2);
            }
            else if (from > 3)
            {
                pages.Add(null);
            }
        }

        for (var p = from; p <= to; p++)
        {
            pages.Add(p);
        }

        if (to < pageCount)
        {
            if (to == pageCount - 2)
            {
                pages.Add(pageCount - 1);
            }
            else if (to < pageCount - 2)
            {
                pages.Add(null);
            }

            pages.Add(pageCount);
        }

        return pages;
    }
}
