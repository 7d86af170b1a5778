using CertMgr.Web.ConsoleUi;

namespace CertMgr.Web.Tests.Console;

public sealed class ConsoleNavigationTests
{
    [Theory]
    [InlineData("/", "/definitions")]
    [InlineData("", "/definitions")]
    [InlineData("/definitions", "/definitions")]
    [InlineData("/Definitions/0193a0c4-1111-7000-8000-000000000000", "/definitions")]
    [InlineData("/keys", "/keys")]
    [InlineData("/trusted-ca-sets/default/edit", "/trusted-ca-sets")]
    public void Find_PathOrSubPath_OwningItem(string path, string expected)
    {
        Assert.Equal(expected, ConsoleNavigation.Find(path)?.Path);
    }

    [Theory]
    [InlineData("/keystore")]
    [InlineData("/account/login")]
    public void Find_UnrelatedPath_Null(string path)
    {
        Assert.Null(ConsoleNavigation.Find(path));
    }

    [Fact]
    public void Sections_GuideOrder()
    {
        Assert.Equal(
            [
                "/definitions", "/acquisitions", "/requests", "/certificates", "/deployments", "/keys",
                "/provider-accounts", "/products", "/monitor", "/unattended", "/discovery", "/emails", "/webhooks", "/events", "/private-ca", "/acme-server",
                "/ca-contracts", "/trusted-ca-sets", "/users", "/audit", "/settings",
            ],
            ConsoleNavigation.Sections.SelectMany(s => s.Items).Select(i => i.Path));
        Assert.Equal([null, "Operations", "Administration"], ConsoleNavigation.Sections.Select(s => s.Title));
    }

    [Fact]
    public void VisibleTo_PlainUser_NoAdminOnlyEntries()
    {
        var paths = ConsoleNavigation.VisibleTo(isAdmin: false).SelectMany(s => s.Items).Select(i => i.Path).ToList();

        Assert.DoesNotContain("/users", paths);
        Assert.DoesNotContain("/audit", paths);
        Assert.DoesNotContain("/settings", paths);
        Assert.Contains("/events", paths);
        Assert.Equal(ConsoleNavigation.Sections.Sum(s => s.Items.Count), ConsoleNavigation.VisibleTo(isAdmin: true).Sum(s => s.Items.Count));
    }
}
