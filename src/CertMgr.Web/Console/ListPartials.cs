namespace CertMgr.Web.ConsoleUi;

/// <summary>The model of <c>_SortHeader</c>: one sortable column header.</summary>
/// <param name="View">The list.</param>
/// <param name="Column">The column key on the screen's <see cref="ListColumns{T}"/> allow-list.</param>
/// <param name="Label">The header text.</param>
/// <param name="CssClass">Extra classes for the <c>th</c>, or null.</param>
public sealed record SortHeader(ListView View, string Column, string Label, string? CssClass = null);

/// <summary>The model of <c>_SearchBox</c>: the search field and the screen's filters, in one GET form.</summary>
/// <param name="View">The list.</param>
/// <param name="Placeholder">What can be searched, e.g. "Name, common name or tag".</param>
/// <param name="Filters">Drop-down filters shown next to the search field.</param>
public sealed record SearchBox(ListView View, string Placeholder, IReadOnlyList<ListFilter> Filters)
{
    public SearchBox(ListView view, string placeholder)
        : this(view, placeholder, [])
    {
    }

    /// <summary>The query-string keys this form edits itself.</summary>
    public IReadOnlyCollection<string> FormKeys => [ListView.SearchKey, .. Filters.Select(f => f.Key)];

    /// <summary>
    /// Keys repeated as plain hidden fields: neither edited by the form nor kept current by <c>_ListState</c>.
    /// </summary>
    public IEnumerable<KeyValuePair<string, string>> CarriedFields =>
        View.CarriedFields([.. FormKeys, .. ListView.RegionKeys]);
}

/// <summary>A drop-down filter; its first option is usually "all" with a null value.</summary>
/// <param name="Key">The query-string key, e.g. <c>mode</c>.</param>
/// <param name="Label">The accessible label, e.g. "Operation mode".</param>
/// <param name="Options">The choices.</param>
public sealed record ListFilter(string Key, string Label, IReadOnlyList<FilterOption> Options);

/// <summary>One choice of a <see cref="ListFilter"/>; a null value means "no filter".</summary>
public sealed record FilterOption(string? Value, string Label);
