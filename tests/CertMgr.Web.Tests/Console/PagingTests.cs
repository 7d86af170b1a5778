using CertMgr.Web.ConsoleUi;

namespace CertMgr.Web.Tests.Console;

public sealed class PagingTests
{
    [Theory]
    [InlineData(0, 25, 1)]
    [InlineData(1, 25, 1)]
    [InlineData(25, 25, 1)]
    [InlineData(26, 25, 2)]
    [InlineData(int.MaxValue, 5, 429_496_730)]
    public void PageCount_RoundsUpAndIsAtLeastOne(int total, int size, int expected)
    {
        Assert.Equal(expected, Paging.PageCount(total, size));
    }

    [Theory]
    [InlineData(1, 1, "1")]
    [InlineData(1, 5, "1 2 3 4 5")]
    [InlineData(6, 20, "1 … 4 5 6 7 8 … 20")]
    [InlineData(1, 20, "1 2 3 … 20")]
    [InlineData(20, 20, "1 … 18 19 20")]
    [InlineData(4, 20, "1 2 3 4 5 6 … 20")]
    [InlineData(5, 20, "1 2 3 4 5 6 7 … 20")]
    [InlineData(16, 20, "1 … 14 15 16 17 18 19 20")]
    [InlineData(99, 20, "1 … 18 19 20")]
    public void Window_ShowsEndsNeighboursAndGaps(int current, int pageCount, string expected)
    {
        var text = string.Join(' ', Paging.Window(current, pageCount).Select(p => p?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "…"));

        Assert.Equal(expected, text);
    }
}
