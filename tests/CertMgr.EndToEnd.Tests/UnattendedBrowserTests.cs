using Microsoft.Playwright;

namespace CertMgr.EndToEnd.Tests;

/// <summary>
/// Unattended Processes in Chromium against the real certmgr process: Run now over an unattended definition without a
/// product, the pass's outcome, the process waiting for a person on the page and on the definitions dashboard, the
/// pass's report.
/// </summary>
public sealed class UnattendedBrowserTests
{
    [Fact]
    public async Task UnattendedProcesses_RunNowWaitingForAPersonReport_EndToEnd()
    {
        using var home = new TempHome();
        await using var server = await CertMgrServer.StartAsync(home.Path);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await BrowserTests.LaunchAsync(playwright);
        var page = await BrowserSession.SignInAsync(browser, server);
        const string cn = "noproduct.unattended.test";
        await ConsoleApi.CreateDefinitionAsync(page, server.Url, new Dictionary<string, object?>
        {
            ["name"] = cn, ["operationMode"] = "LifecycleManaged", ["executionMode"] = "Unattended", ["commonName"] = cn,
            ["subjectAlternativeNames"] = new[] { cn }, ["keyAlgorithm"] = "Ecdsa", ["keySize"] = 256, ["serverSoftware"] = "Nginx", ["port"] = 443,
            ["tags"] = ConsoleApi.E2eTags,
        });

        await page.GotoAsync(server.Url + "/unattended");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Unattended Processes");
        await Assertions.Expect(page.Locator("#schedule-text")).ToContainTextAsync("every 60 minutes");
        await Assertions.Expect(page.Locator("#waiting-none")).ToBeVisibleAsync();
        await page.ClickAsync("#run-now");
        await Assertions.Expect(page.Locator("#unattended-flash")).ToContainTextAsync("Unattended pass started");
        await Assertions.Expect(page.Locator("#run-finished")).ToContainTextAsync("1 definition in", new() { Timeout = 30_000 });
        await page.ReloadAsync();
        var waiting = page.Locator("#waiting-table tbody tr");
        await Assertions.Expect(waiting).ToHaveCountAsync(1);
        await Assertions.Expect(waiting).ToContainTextAsync(cn);
        await Assertions.Expect(waiting).ToContainTextAsync("The definition has no product");
        await Assertions.Expect(page.Locator("#runs-table tbody tr")).ToHaveCountAsync(1);
        await BrowserSession.ScreenshotAsync(page, "unattended-processes");

        await page.ClickAsync("#run-finished-report");
        await page.WaitForURLAsync("**/unattended/runs/**");
        var item = page.Locator("#items-table tbody tr");
        await Assertions.Expect(item).ToContainTextAsync("Waiting for a person");
        await Assertions.Expect(item).ToContainTextAsync("product");
        await BrowserSession.ScreenshotAsync(page, "unattended-run");

        await page.GotoAsync(server.Url + "/definitions");
        await Assertions.Expect(page.Locator("#unattended-waiting")).ToContainTextAsync("1 unattended process waits for a person");
        await Assertions.Expect(page.Locator("#unattended-waiting")).ToContainTextAsync(cn);
        await BrowserSession.ScreenshotAsync(page, "unattended-dashboard");
    }
}
