using CertMgr.Web.ConsoleUi;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace CertMgr.Web.Tests.Console;

public sealed class ListViewTests
{
    private static ListView View(string query, string sort = "name", bool descending = false, int page = 1) =>
        new(
            "/definitions",
            new QueryCollection(QueryHelpers.ParseQuery(query)),
            "definitions-list",
            new ListState(page, 25, sort, descending, null),
            totalCount: 120,
            itemsOnPage: 25,
            descendingFirst: column => column == "recent");

    [Fact]
    public void PageUrl_KeepsOtherKeys()
    {
        var url = View("?q=web&mode=lifecycle&sort=name&dir=asc").PageUrl(3);

        Assert.Equal("/definitions?q=web&mode=lifecycle&sort=name&dir=asc&page=3", url);
    }

    [Fact]
    public void PageUrl_PageOne_LeftOut()
    {
        Assert.Equal("/definitions?q=web", View("?q=web&page=4").PageUrl(1));
    }

    [Fact]
    public void SortUrl_SameColumn_TogglesAndResetsPage()
    {
        var url = View("?sort=name&dir=asc&page=3&q=x", "name", descending: false, page: 3).SortUrl("name");

        Assert.Equal("/definitions?q=x&sort=name&dir=desc", url);
    }

    [Fact]
    public void SortUrl_OtherColumn_UsesItsFirstDirection()
    {
        var view = View("?sort=name");

        Assert.Equal("/definitions?sort=expiry&dir=asc", view.SortUrl("expiry"));
        Assert.Equal("/definitions?sort=recent&dir=desc", view.SortUrl("recent"));
    }

    [Fact]
    public void PageSizeUrl_ResetsPage()
    {
        Assert.Equal("/definitions?mode=x&size=100", View("?page=3&mode=x&size=25").PageSizeUrl(100));
    }

    [Fact]
    public void Url_EncodesValues()
    {
        Assert.Equal("/definitions?q=a%26b%3Dc%20d", View("").Url(new KeyValuePair<string, string?>("q", "a&b=c d")));
    }

    [Fact]
    public void CarriedFields_SkipsFormKeysPageAndEmptyValues()
    {
        var fields = View("?q=web&mode=&status=expired&page=2&sort=name&tag=a&tag=b").CarriedFields(["q", "mode"]);

        Assert.Equal(
            [new("status", "expired"), new("sort", "name"), new("tag", "a"), new("tag", "b")],
            fields.ToArray());
    }

    [Fact]
    public void ClearUrl_KeepsOnlySortDirectionAndSize()
    {
        Assert.Equal("/definitions?sort=name&dir=desc&size=50", View("?q=web&mode=x&sort=name&dir=desc&size=50&page=2").ClearUrl());
    }

    [Theory]
    [InlineData("", false)]
    [InlineData("?sort=name&dir=asc&size=50&page=2", false)]
    [InlineData("?q=", false)]
    [InlineData("?q=web", true)]
    [InlineData("?mode=lifecycle", true)]
    public void IsFiltered_OnlySearchAndFilters(string query, bool expected)
    {
        Assert.Equal(expected, View(query).IsFiltered);
    }

    [Fact]
    public void AriaSort_DescribesCurrentColumnOnly()
    {
        var view = View("", "expiry", descending: true);

        Assert.Equal("descending", view.AriaSort("expiry"));
        Assert.Equal("none", view.AriaSort("name"));
    }

    [Fact]
    public void Counts_DescribeThePage()
    {
        var view = View("", page: 2);

        Assert.Equal(5, view.PageCount);
        Assert.Equal(26, view.FirstItem);
        Assert.Equal(50, view.LastItem);
    }
}
