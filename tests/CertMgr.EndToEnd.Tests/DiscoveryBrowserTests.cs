using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace CertMgr.EndToEnd.Tests;

/// <summary>
/// Certificate Discovery in Chromium against the real certmgr process: a refused form (the port field explains
/// why), then a scan of 127.0.0.1 over the console's own TLS port, a silent listener (which holds the scan for its
/// timeout, so progress shows) and a closed port; the report, and the import of the console's certificate.
/// </summary>
public sealed class DiscoveryBrowserTests
{
    [Fact]
    public async Task Discovery_StartScanProgressReportImport_EndToEnd()
    {
        using var home = new TempHome();
        await using var server = await CertMgrServer.StartAsync(home.Path);
        var consolePort = new Uri(server.Url).Port;
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start(); // connections wait in the backlog, never answered
        var silentPort = ((IPEndPoint)silent.LocalEndpoint).Port;
        int closedPort;
        closedPort = TestPorts.Next();

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await BrowserTests.LaunchAsync(playwright);
        var page = await BrowserSession.SignInAsync(browser, server);

        await page.GetByRole(AriaRole.Link, new() { Name = "Certificate Discovery" }).First.ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Certificate Discovery");
        await page.FillAsync("#targets", "127.0.0.1");
        await page.FillAsync("#ports", "0");
        await page.FillAsync("#exclude", "10.0.0.0/99");
        await page.ClickAsync("#start-scan");
        await Assertions.Expect(page.Locator("#ports-error")).ToContainTextAsync("is not a port");
        await Assertions.Expect(page.Locator("#exclude-error")).ToContainTextAsync("prefix length");
        await Assertions.Expect(page.Locator("#targets-error")).ToBeEmptyAsync();
        await Assertions.Expect(page.Locator("#ports")).ToHaveClassAsync(new Regex("is-invalid"));
        await BrowserSession.ScreenshotAsync(page, "discovery-form-refused");

        await page.FillAsync("#ports", $"{consolePort},{silentPort},{closedPort}");
        await page.FillAsync("#exclude", "");
        await page.FillAsync("#timeout", "3000");
        await page.ClickAsync("#start-scan");
        await page.WaitForURLAsync("**/discovery/scans/**");
        await Assertions.Expect(page.Locator("#progress-text")).ToContainTextAsync("of 3 endpoints done");
        await BrowserSession.ScreenshotAsync(page, "discovery-progress");

        // The page reloads itself when the scan ends.
        await Assertions.Expect(page.Locator("#scan-summary [data-status]")).ToHaveTextAsync(new Regex("Completed"), new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#summary-found")).ToHaveTextAsync("1");
        var rows = page.Locator("#findings-table tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(1); // certificates only; the silent listener is under "Timeouts and failed handshakes"
        var tls = rows.Filter(new() { HasTextString = $"127.0.0.1:{consolePort}" });
        await Assertions.Expect(tls).ToContainTextAsync("trusted"); // the console certificate comes from the built-in CA, in the default set
        await page.SelectOptionAsync("#verdict", "failed");
        await page.ClickAsync("#apply-filter");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows.Filter(new() { HasTextString = $"127.0.0.1:{silentPort}" })).ToContainTextAsync("Timeout");
        await page.SelectOptionAsync("#verdict", "");
        await page.ClickAsync("#apply-filter");
        await page.CheckAsync("#findings-table tbody input[type=checkbox]");
        await page.SelectOptionAsync("#import-mode", "monitored-only");
        await page.ClickAsync("#import-selected");
        await Assertions.Expect(page.Locator("#scan-flash")).ToContainTextAsync("Imported 1 certificate as monitored-only");
        await Assertions.Expect(tls).ToContainTextAsync("managed");
        await BrowserSession.ScreenshotAsync(page, "discovery-report");

        // Importing the same certificate again makes nothing new.
        await page.ClickAsync("#import-all");
        await Assertions.Expect(page.Locator("#scan-flash")).ToContainTextAsync("Imported 0 certificates");
        await Assertions.Expect(page.Locator("#scan-flash")).ToContainTextAsync("1 already in the inventory");

        await page.GotoAsync(server.Url + "/discovery");
        await Assertions.Expect(page.Locator("#scans-table tbody tr")).ToHaveCountAsync(1);
        await BrowserSession.ScreenshotAsync(page, "discovery-index");
    }
}
