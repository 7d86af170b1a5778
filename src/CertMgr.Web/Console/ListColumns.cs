using System.Linq.Expressions;

namespace CertMgr.Web.ConsoleUi;

/// <summary>
/// The allow-list of a list screen: which columns sort, by which key expression, how the search text filters, and
/// the default order. Build one per screen, once (a static field), and reuse it; it is not changed after set-up.
/// </summary>
/// <typeparam name="T">The row type the screen projects to.</typeparam>
public sealed class ListColumns<T>
{
    private readonly Dictionary<string, SortColumn> _columns = new(StringComparer.OrdinalIgnoreCase);
    private Func<IOrderedQueryable<T>, IOrderedQueryable<T>>? _tieBreaker;
    private Func<IQueryable<T>, IQueryable<T>, IQueryable<T>>? _rowsOfPage;
    private Func<string, Expression<Func<T, bool>>>? _search;

    /// <param name="defaultSort">The column key used when the query names none or an unknown one.</param>
    public ListColumns(string defaultSort)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(defaultSort);
        DefaultSort = defaultSort;
    }

    public string DefaultSort { get; }

    /// <summary>Adds a sortable column.</summary>
    /// <param name="key">The query-string key (<c>?sort=key</c>); matched case-insensitively.</param>
    /// <param name="selector">The sort key; it must translate to SQL.</param>
    /// <param name="descendingFirst">Whether a first click sorts descending (e.g. most recent first).</param>
    /// <param name="nullsLast">
    /// Rows whose key is null come last in both directions (databases disagree on where nulls sort).
    /// Needs a nullable <typeparamref name="TKey"/>.
    /// </param>
    public ListColumns<T> Sortable<TKey>(
        string key, Expression<Func<T, TKey>> selector, bool descendingFirst = false, bool nullsLast = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentNullException.ThrowIfNull(selector);
        Func<IQueryable<T>, bool, IOrderedQueryable<T>> orderBy =
            (q, desc) => desc ? q.OrderByDescending(selector) : q.OrderBy(selector);
        if (nullsLast)
        {
            if (default(TKey) is not null)
            {
                throw new ArgumentException($"Column '{key}' cannot sort nulls last: its key type is not nullable.", nameof(nullsLast));
            }

            var isNull = Expression.Lambda<Func<T, bool>>(
                Expression.Equal(selector.Body, Expression.Constant(null, typeof(TKey))), selector.Parameters);
            orderBy = (q, desc) =>
            {
                var nullsAfter = q.OrderBy(isNull);
                return desc ? nullsAfter.ThenByDescending(selector) : nullsAfter.ThenBy(selector);
            };
        }

        _columns.Add(key, new SortColumn(key, descendingFirst, orderBy));
        return this;
    }

    /// <summary>
    /// The row's unique key (usually the id). It ends every sort, so that rows never swap between pages, and lets a
    /// page be read in two steps inside one query: first the keys of the page (sorted, skipped and taken over as few
    /// columns as the sort needs), then the full rows of just those keys. Without it, a database may compute every
    /// projected column of every skipped row, and deep pages get slow.
    /// </summary>
    public ListColumns<T> UniqueKey<TKey>(Expression<Func<T, TKey>> key)
    {
        ArgumentNullException.ThrowIfNull(key);
        _tieBreaker = q => q.ThenBy(key);
        _rowsOfPage = (source, page) =>
        {
            var keys = page.Select(key);
            // The outer lambda needs a parameter of its own: the key selector's is already bound inside keys.
            var row = Expression.Parameter(typeof(T), "row");
            var rowKey = new ReplaceParameter(key.Parameters[0], row).Visit(key.Body);
            var contains = Expression.Call(
                typeof(Queryable), nameof(Queryable.Contains), [typeof(TKey)], keys.Expression, rowKey);
            return source.Where(Expression.Lambda<Func<T, bool>>(contains, row));
        };
        return this;
    }

    /// <summary>
    /// How the search text filters rows. The function receives the trimmed text and returns a translatable predicate.
    /// </summary>
    public ListColumns<T> SearchWith(Func<string, Expression<Func<T, bool>>> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        _search = predicate;
        return this;
    }

    public bool IsSortable(string key) => _columns.ContainsKey(key);

    /// <summary>Whether the first click on <paramref name="key"/> sorts descending.</summary>
    public bool DescendingFirst(string key) => _columns.TryGetValue(key, out var c) && c.DescendingFirst;

    /// <summary>Validates a raw query against this allow-list; anything out of range falls back to a default.</summary>
    public ListState Normalize(ListQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (!_columns.TryGetValue(DefaultSort, out var fallback))
        {
            throw new InvalidOperationException($"The default sort column '{DefaultSort}' is not a sortable column.");
        }

        var column = query.Sort is { } s && _columns.TryGetValue(s.Trim(), out var c) ? c : fallback;
        var descending = query.Dir?.Trim().ToUpperInvariant() switch
        {
            "DESC" => true,
            "ASC" => false,
            _ => column.DescendingFirst,
        };
        var size = Math.Clamp(query.Size ?? ListQuery.DefaultPageSize, ListQuery.MinPageSize, ListQuery.MaxPageSize);
        var page = Math.Clamp(query.Page ?? 1, 1, ListQuery.MaxPage);
        return new ListState(page, size, column.Key, descending, NormalizeSearch(query.Q));
    }

    /// <summary>Filters by the search text, if any.</summary>
    public IQueryable<T> ApplySearch(IQueryable<T> source, ListState state)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(state);
        return state.Search is { } text && _search is not null ? source.Where(_search(text)) : source;
    }

    /// <summary>Orders by the state's column and direction, then by the tie-breaker.</summary>
    public IOrderedQueryable<T> ApplySort(IQueryable<T> source, ListState state)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(state);
        var column = _columns.TryGetValue(state.Sort, out var c)
            ? c
            : throw new ArgumentException($"'{state.Sort}' is not a sortable column.", nameof(state));
        var ordered = column.OrderBy(source, state.Descending);
        return _tieBreaker is null ? ordered : _tieBreaker(ordered);
    }

    /// <summary>
    /// The query of one page: sorted, skipped and taken; with a <see cref="UniqueKey{TKey}"/>, as rows of
    /// <paramref name="source"/> whose key is among the page's keys, sorted again (cheap: one page of rows).
    /// </summary>
    public IQueryable<T> ApplyPage(IQueryable<T> source, IQueryable<T> filtered, ListState state)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(filtered);
        ArgumentNullException.ThrowIfNull(state);
        var page = ApplySort(filtered, state).Skip(state.Skip).Take(state.PageSize);
        return _rowsOfPage is null ? page : ApplySort(_rowsOfPage(source, page), state);
    }

    private static string? NormalizeSearch(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var trimmed = text.Trim();
        return trimmed.Length <= ListQuery.MaxSearchLength ? trimmed : trimmed[..ListQuery.MaxSearchLength];
    }

    private sealed record SortColumn(
        string Key,
        bool DescendingFirst,
        Func<IQueryable<T>, bool, IOrderedQueryable<T>> OrderBy);

    private sealed class ReplaceParameter(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : node;
    }
}
