using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace CertMgr.Web.ConsoleUi;

/// <summary>
/// What the list partials (<c>_Pager</c>, <c>_SortHeader</c>, <c>_SearchBox</c>) need: the page read, and links that
/// change one thing while keeping every other query-string value (filters, sort, size) as it is.
/// </summary>
public sealed class ListView
{
    public const string PageKey = "page";
    public const string SizeKey = "size";
    public const string SortKey = "sort";
    public const string DirKey = "dir";
    public const string SearchKey = "q";

    /// <summary>The keys the list region itself changes (sort headers, pager); <c>page</c> aside.</summary>
    public static IReadOnlyList<string> RegionKeys { get; } = [SortKey, DirKey, SizeKey];

    private readonly IQueryCollection _query;
    private readonly Func<string, bool> _descendingFirst;

    /// <param name="path">Path base and path of the screen, e.g. <c>/definitions</c>.</param>
    /// <param name="query">The current query string.</param>
    /// <param name="targetId">The id of the element that holds the table; htmx swaps just that element.</param>
    /// <param name="state">The state the page was read with.</param>
    /// <param name="totalCount">Matching rows over all pages.</param>
    /// <param name="itemsOnPage">Rows on this page.</param>
    /// <param name="descendingFirst">Whether a first click on a column sorts descending.</param>
    public ListView(
        string path,
        IQueryCollection query,
        string targetId,
        ListState state,
        int totalCount,
        int itemsOnPage,
        Func<string, bool> descendingFirst)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(query);
        ArgumentException.ThrowIfNullOrWhiteSpace(targetId);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(descendingFirst);
        Path = path;
        _query = query;
        TargetId = targetId;
        State = state;
        TotalCount = totalCount;
        ItemsOnPage = itemsOnPage;
        _descendingFirst = descendingFirst;
    }

    /// <summary>The view of <paramref name="result"/> for the current request.</summary>
    public static ListView For<T>(HttpRequest request, string targetId, PagedResult<T> result, ListColumns<T> columns)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(columns);
        return new ListView(
            (request.PathBase + request.Path).ToString(),
            request.Query,
            targetId,
            result.State,
            result.TotalCount,
            result.Items.Count,
            columns.DescendingFirst);
    }

    public string Path { get; }

    public string TargetId { get; }

    /// <summary>The CSS selector of <see cref="TargetId"/>, for <c>hx-target</c>.</summary>
    public string TargetSelector => "#" + TargetId;

    public ListState State { get; }

    public int TotalCount { get; }

    public int ItemsOnPage { get; }

    public int PageCount => Paging.PageCount(TotalCount, State.PageSize);

    public int FirstItem => ItemsOnPage == 0 ? 0 : State.Skip + 1;

    public int LastItem => ItemsOnPage == 0 ? 0 : State.Skip + ItemsOnPage;

    /// <summary>Whether any search text or filter other than paging and sorting is set.</summary>
    public bool IsFiltered => _query.Any(p =>
        p.Key is not (PageKey or SizeKey or SortKey or DirKey) && !StringValues.IsNullOrEmpty(p.Value));

    /// <summary>The current value of a query-string key, or null.</summary>
    public string? Value(string key)
    {
        var value = _query[key];
        return StringValues.IsNullOrEmpty(value) ? null : value.ToString();
    }

    /// <summary>
    /// This screen's URL with the given keys changed (a null value removes the key) and all others kept.
    /// </summary>
    public string Url(params ReadOnlySpan<KeyValuePair<string, string?>> changes)
    {
        var pairs = new List<KeyValuePair<string, StringValues>>();
        foreach (var (key, value) in _query)
        {
            if (!Contains(changes, key) && !StringValues.IsNullOrEmpty(value))
            {
                pairs.Add(new(key, value));
            }
        }

        foreach (var (key, value) in changes)
        {
            if (!string.IsNullOrEmpty(value))
            {
                pairs.Add(new(key, value));
            }
        }

        return Path + QueryString.Create(pairs).ToUriComponent();
    }

    /// <summary>This screen without search text and filters, keeping sort and page size.</summary>
    public string ClearUrl()
    {
        var pairs = new List<KeyValuePair<string, StringValues>>();
        foreach (var key in RegionKeys)
        {
            if (Value(key) is { } value)
            {
                pairs.Add(new(key, value));
            }
        }

        return Path + QueryString.Create(pairs).ToUriComponent();
    }

    /// <summary>The URL of page <paramref name="page"/>; page 1 is left out of the URL.</summary>
    public string PageUrl(int page) =>
        Url(Pair(PageKey, page <= 1 ? null : page.ToString(CultureInfo.InvariantCulture)));

    /// <summary>The URL with another page size, back on page 1.</summary>
    public string PageSizeUrl(int size) =>
        Url(Pair(SizeKey, size.ToString(CultureInfo.InvariantCulture)), Pair(PageKey, null));

    /// <summary>
    /// The URL that sorts by <paramref name="column"/>: the other direction when it is already the sort column, else
    /// the column's first direction; back on page 1.
    /// </summary>
    public string SortUrl(string column)
    {
        var descending = IsSortedBy(column) ? !State.Descending : _descendingFirst(column);
        return Url(Pair(SortKey, column), Pair(DirKey, descending ? "desc" : "asc"), Pair(PageKey, null));
    }

    public bool IsSortedBy(string column) => string.Equals(State.Sort, column, StringComparison.OrdinalIgnoreCase);

    /// <summary>The <c>aria-sort</c> value of a column header.</summary>
    public string AriaSort(string column) =>
        !IsSortedBy(column) ? "none" : State.Descending ? "descending" : "ascending";

    /// <summary>
    /// The current query-string values a GET form must repeat as hidden fields so that submitting it keeps them;
    /// leaves out the keys the form edits itself and the page number (a new search starts on page 1).
    /// </summary>
    public IEnumerable<KeyValuePair<string, string>> CarriedFields(params IReadOnlyCollection<string> formKeys)
    {
        ArgumentNullException.ThrowIfNull(formKeys);
        foreach (var (key, values) in _query)
        {
            if (key == PageKey || formKeys.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            foreach (var value in values)
            {
                if (!string.IsNullOrEmpty(value))
                {
                    yield return new(key, value);
                }
            }
        }
    }

    private static KeyValuePair<string, string?> Pair(string key, string? value) => new(key, value);

    private static bool Contains(ReadOnlySpan<KeyValuePair<string, string?>> changes, string key)
    {
        foreach (var change in changes)
        {
            if (string.Equals(change.Key, key, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
