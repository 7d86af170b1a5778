namespace CertMgr.Web.ConsoleUi;

/// <summary>
/// The list parameters of a console screen as they arrive in the query string:
/// <c>?page=2&amp;size=50&amp;sort=expiry&amp;dir=desc&amp;q=text</c>. Untrusted and possibly absent; turn it into a
/// <see cref="ListState"/> with <see cref="ListColumns{T}.Normalize"/> before use.
/// </summary>
/// <remarks>
/// Bind it as a handler parameter, <c>OnGetAsync([FromQuery] ListQuery query)</c>: the keys then bind without a prefix.
/// </remarks>
public sealed class ListQuery
{
    public const int DefaultPageSize = 25;
    public const int MinPageSize = 5;
    public const int MaxPageSize = 200;

    /// <summary>Far beyond any real inventory; keeps (page - 1) × size inside an <see cref="int"/>.</summary>
    public const int MaxPage = 1_000_000;

    public const int MaxSearchLength = 200;

    /// <summary>The page sizes offered in the pager.</summary>
    public static IReadOnlyList<int> PageSizeChoices { get; } = [10, 25, 50, 100, 200];

    /// <summary>1-based page number.</summary>
    public int? Page { get; set; }

    /// <summary>Rows per page.</summary>
    public int? Size { get; set; }

    /// <summary>A column key from the screen's allow-list.</summary>
    public string? Sort { get; set; }

    /// <summary><c>asc</c> or <c>desc</c>.</summary>
    public string? Dir { get; set; }

    /// <summary>Free search text.</summary>
    public string? Q { get; set; }
}
