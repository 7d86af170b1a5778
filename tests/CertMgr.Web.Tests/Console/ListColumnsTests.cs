using CertMgr.Web.ConsoleUi;

namespace CertMgr.Web.Tests.Console;

public sealed class ListColumnsTests
{
    private sealed record Row(int Id, string Name, DateTimeOffset? Expiry);

    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static ListColumns<Row> Columns() => new ListColumns<Row>("name")
        .Sortable("name", r => r.Name)
        .Sortable("expiry", r => r.Expiry, nullsLast: true)
        .Sortable("recent", r => r.Id, descendingFirst: true)
        .UniqueKey(r => r.Id)
        .SearchWith(text => r => r.Name.Contains(text, StringComparison.OrdinalIgnoreCase));

    private static readonly Row[] Rows =
    [
        new(1, "delta", T0.AddDays(4)),
        new(2, "alpha", null),
        new(3, "charlie", T0.AddDays(1)),
        new(4, "bravo", T0.AddDays(9)),
        new(5, "alpha", T0.AddDays(2)),
    ];

    [Fact]
    public void Normalize_EmptyQuery_Defaults()
    {
        var state = Columns().Normalize(new ListQuery());

        Assert.Equal(new ListState(1, ListQuery.DefaultPageSize, "name", false, null), state);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(-5, 1)]
    [InlineData(7, 7)]
    [InlineData(int.MaxValue, ListQuery.MaxPage)]
    public void Normalize_Page_ClampedToRange(int page, int expected)
    {
        Assert.Equal(expected, Columns().Normalize(new ListQuery { Page = page }).Page);
    }

    [Theory]
    [InlineData(0, ListQuery.MinPageSize)]
    [InlineData(1, ListQuery.MinPageSize)]
    [InlineData(50, 50)]
    [InlineData(100_000, ListQuery.MaxPageSize)]
    public void Normalize_Size_ClampedToBounds(int size, int expected)
    {
        Assert.Equal(expected, Columns().Normalize(new ListQuery { Size = size }).PageSize);
    }

    [Theory]
    [InlineData("EXPIRY", "expiry")]
    [InlineData(" expiry ", "expiry")]
    [InlineData("password", "name")]
    [InlineData("Name; DROP TABLE definitions", "name")]
    public void Normalize_Sort_OnlyFromAllowList(string sort, string expected)
    {
        Assert.Equal(expected, Columns().Normalize(new ListQuery { Sort = sort }).Sort);
    }

    [Theory]
    [InlineData("name", "desc", true)]
    [InlineData("name", "DESC", true)]
    [InlineData("name", "asc", false)]
    [InlineData("name", "sideways", false)]
    [InlineData("recent", null, true)]
    [InlineData("recent", "asc", false)]
    public void Normalize_Direction_ExplicitOrColumnDefault(string sort, string? dir, bool descending)
    {
        Assert.Equal(descending, Columns().Normalize(new ListQuery { Sort = sort, Dir = dir }).Descending);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("   ", null)]
    [InlineData("  web  ", "web")]
    public void Normalize_Search_Trimmed(string? q, string? expected)
    {
        Assert.Equal(expected, Columns().Normalize(new ListQuery { Q = q }).Search);
    }

    [Fact]
    public void Normalize_LongSearch_Truncated()
    {
        var state = Columns().Normalize(new ListQuery { Q = new string('x', 5000) });

        Assert.Equal(ListQuery.MaxSearchLength, state.Search!.Length);
    }

    [Fact]
    public void Normalize_DefaultSortNotSortable_Throws()
    {
        var columns = new ListColumns<Row>("missing").Sortable("name", r => r.Name);

        Assert.Throws<InvalidOperationException>(() => columns.Normalize(new ListQuery()));
    }

    [Fact]
    public void Sortable_NullsLastOnNonNullableKey_Throws()
    {
        var columns = new ListColumns<Row>("id");

        Assert.Throws<ArgumentException>(() => columns.Sortable("id", r => r.Id, nullsLast: true));
    }

    [Theory]
    [InlineData("asc", new[] { 3, 5, 1, 4, 2 })]
    [InlineData("desc", new[] { 4, 1, 5, 3, 2 })]
    public void ToPagedResult_NullsLast_InBothDirections(string dir, int[] expectedIds)
    {
        var columns = Columns();
        var result = Rows.AsQueryable().ToPagedResult(columns.Normalize(new ListQuery { Sort = "expiry", Dir = dir }), columns);

        Assert.Equal(expectedIds, result.Items.Select(r => r.Id));
    }

    [Fact]
    public void ToPagedResult_EqualKeys_TieBrokenByUniqueKey()
    {
        var columns = Columns();
        var result = Rows.AsQueryable().ToPagedResult(columns.Normalize(new ListQuery { Sort = "name" }), columns);

        Assert.Equal([2, 5, 4, 3, 1], result.Items.Select(r => r.Id));
    }

    [Fact]
    public void ToPagedResult_Search_FiltersAndCounts()
    {
        var columns = Columns();
        var result = Rows.AsQueryable().ToPagedResult(columns.Normalize(new ListQuery { Q = "ALPHA" }), columns);

        Assert.Equal(2, result.TotalCount);
        Assert.Equal([2, 5], result.Items.Select(r => r.Id));
    }

    [Fact]
    public void ToPagedResult_SecondPage_NextRows()
    {
        var rows = Enumerable.Range(1, 12).Select(i => new Row(i, $"n{i:D2}", null)).ToArray();
        var columns = Columns();
        var result = rows.AsQueryable().ToPagedResult(columns.Normalize(new ListQuery { Size = 5, Page = 2 }), columns);

        Assert.Equal(["n06", "n07", "n08", "n09", "n10"], result.Items.Select(r => r.Name));
        Assert.Equal(12, result.TotalCount);
    }

    [Fact]
    public void ToPagedResult_PageBeyondLast_ClampedToLastPage()
    {
        var rows = Enumerable.Range(1, 12).Select(i => new Row(i, $"n{i:D2}", null)).ToArray();
        var columns = Columns();
        var result = rows.AsQueryable().ToPagedResult(columns.Normalize(new ListQuery { Size = 5, Page = 99 }), columns);

        Assert.Equal(3, result.Page);
        Assert.Equal(3, result.PageCount);
        Assert.Equal(["n11", "n12"], result.Items.Select(r => r.Name));
        Assert.Equal(11, result.FirstItem);
        Assert.Equal(12, result.LastItem);
        Assert.True(result.HasPrevious);
        Assert.False(result.HasNext);
    }

    [Fact]
    public void ToPagedResult_Empty_OnePageNoItems()
    {
        var columns = Columns();
        var result = Array.Empty<Row>().AsQueryable().ToPagedResult(columns.Normalize(new ListQuery { Page = 4 }), columns);

        Assert.Equal(0, result.TotalCount);
        Assert.Equal(1, result.PageCount);
        Assert.Equal(1, result.Page);
        Assert.Equal(0, result.FirstItem);
        Assert.Empty(result.Items);
    }
}
