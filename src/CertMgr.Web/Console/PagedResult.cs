namespace CertMgr.Web.ConsoleUi;

/// <summary>One page of a list, with what the pager needs to know about the rest.</summary>
public sealed class PagedResult<T>
{
    public PagedResult(IReadOnlyList<T> items, int totalCount, ListState state)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentOutOfRangeException.ThrowIfNegative(totalCount);
        Items = items;
        TotalCount = totalCount;
        State = state;
    }

    public IReadOnlyList<T> Items { get; }

    /// <summary>Rows matching the search and filters, over all pages.</summary>
    public int TotalCount { get; }

    /// <summary>The state this page was read with; its page is clamped to <see cref="PageCount"/>.</summary>
    public ListState State { get; }

    public int Page => State.Page;

    public int PageSize => State.PageSize;

    /// <summary>At least 1, so that an empty list still has a (single, empty) page.</summary>
    public int PageCount => Paging.PageCount(TotalCount, PageSize);

    public bool HasPrevious => Page > 1;

    public bool HasNext => Page < PageCount;

    /// <summary>1-based number of the first row shown, 0 when there are none.</summary>
    public int FirstItem => Items.Count == 0 ? 0 : State.Skip + 1;

    /// <summary>1-based number of the last row shown, 0 when there are none.</summary>
    public int LastItem => Items.Count == 0 ? 0 : State.Skip + Items.Count;
}
