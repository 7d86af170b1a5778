using Microsoft.EntityFrameworkCore;

namespace CertMgr.Web.ConsoleUi;

/// <summary>Applies a screen's <see cref="ListState"/> (search, sort, page) to a query.</summary>
public static class QueryableListExtensions
{
    /// <summary>
    /// Counts the matching rows, clamps the page to the last one, and reads that page, in two queries.
    /// Project to a row type before calling: the columns' expressions are written against the projection.
    /// </summary>
    public static async Task<PagedResult<T>> ToPagedResultAsync<T>(
        this IQueryable<T> source, ListState state, ListColumns<T> columns, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var filtered = columns.ApplySearch(source, state);
        var total = await filtered.CountAsync(cancellationToken);
        var clamped = Clamp(state, total);
        var items = await columns.ApplyPage(source, filtered, clamped).ToListAsync(cancellationToken);
        return new PagedResult<T>(items, total, clamped);
    }

    /// <summary>The synchronous form, for in-memory sources.</summary>
    public static PagedResult<T> ToPagedResult<T>(this IQueryable<T> source, ListState state, ListColumns<T> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var filtered = columns.ApplySearch(source, state);
        var total = filtered.Count();
        var clamped = Clamp(state, total);
        var items = columns.ApplyPage(source, filtered, clamped).ToList();
        return new PagedResult<T>(items, total, clamped);
    }

    private static ListState Clamp(ListState state, int total)
    {
        var last = Paging.PageCount(total, state.PageSize);
        return state.Page > last ? state with { Page = last } : state;
    }
}
