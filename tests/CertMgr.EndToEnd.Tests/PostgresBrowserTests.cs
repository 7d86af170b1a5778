using System.Globalization;
using CertMgr.Data.Tests.Infrastructure;
using Microsoft.Playwright;

namespace CertMgr.EndToEnd.Tests;

/// <summary>
/// One whole console flow on PostgreSQL (the other browser tests run on SQLite): definitions added through the API,
/// a certificate acquired from the built-in CA in Chromium, then the lists that read the stored list state and the
/// stored search text — overview expiry, search by a SAN, certificates and requests — from the PostgreSQL database.
/// </summary>
public sealed class PostgresBrowserTests
{
    [Fact]
    public async Task Postgres_AcquireFromBuiltInCa_ListsSearchAndShowExpiry()
    {
        var pg = await PostgresServer.GetAsync();
        var database = await pg.CreateDatabaseAsync();
        try
        {
            using var home = new TempHome();
            var env = new Dictionary<string, string> { ["CERTMGR_DB"] = pg.ConnectionStringFor(database) };
            await using var server = await CertMgrServer.StartAsync(home.Path, env);
            Assert.Contains("Database: Postgres", server.Output, StringComparison.Ordinal);
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await BrowserTests.LaunchAsync(playwright);
            var page = await BrowserSession.SignInAsync(browser, server);
            var one = await AddDefinitionAsync(page, server, "pg-one.example.test", ["pg-one.example.test", "alt-pg.example.test"]);
            await AddDefinitionAsync(page, server, "pg-two.example.test", ["pg-two.example.test"]);

            await BrowserSession.AcquireFromBuiltInCaAsync(page, server.Url, one);

            // The overview's expiry column comes from the stored list state, refreshed in the acquisition's transaction.
            await page.GotoAsync(server.Url + "/definitions");
            var row = page.Locator("#definitions-list tbody tr", new() { HasTextString = "pg-one.example.test" });
            var expiry = await row.Locator(".cm-col-expiry time").GetAttributeAsync("datetime");
            var days = (DateTimeOffset.Parse(expiry!, CultureInfo.InvariantCulture) - TimeProvider.System.GetUtcNow()).TotalDays;
            Assert.InRange(days, 390, 398);

            // Search by a SAN reads the stored search text (strpos on PostgreSQL): one row, the right one.
            await page.GotoAsync(server.Url + "/definitions?q=ALT-PG");
            await Assertions.Expect(page.Locator("#definitions-list tbody tr")).ToHaveCountAsync(1);
            await Assertions.Expect(page.Locator("#definitions-list tbody tr").First).ToContainTextAsync("pg-one.example.test");
            await BrowserSession.ScreenshotAsync(page, "postgres-definitions-search");

            await page.GotoAsync(server.Url + "/certificates?q=pg-one");
            await Assertions.Expect(page.Locator("#certificates-list tbody tr")).ToHaveCountAsync(1);
            await page.GotoAsync(server.Url + "/requests");
            await Assertions.Expect(page.Locator("#requests-list tbody tr", new() { HasTextString = "Completed" })).ToHaveCountAsync(1);
        }
        finally
        {
            await pg.DropDatabaseAsync(database);
        }
    }

    private static Task<Guid> AddDefinitionAsync(IPage page, CertMgrServer server, string cn, string[] sans) =>
        ConsoleApi.CreateDefinitionAsync(page, server.Url, new Dictionary<string, object?>
        {
            ["name"] = cn, ["operationMode"] = "LifecycleManaged", ["commonName"] = cn, ["organization"] = "Example Ltd", ["country"] = "DE",
            ["subjectAlternativeNames"] = sans, ["keyAlgorithm"] = "Ecdsa", ["keySize"] = 256, ["serverSoftware"] = "Nginx", ["port"] = 443,
            ["tags"] = ConsoleApi.E2eTags,
        });
}
