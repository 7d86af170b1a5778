using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace CertMgr.EndToEnd.Tests;

/// <summary>
/// Monitor Control and the Event Log in Chromium against the real certmgr process: a refused then saved schedule,
/// Run Now over three monitored-only endpoints (the console's own TLS port, whose name does not match: NG; a closed
/// loopback port and a silent listener: Unreachable) with its progress, the history row with its counts, the run's report, and the events it left.
/// </summary>
public sealed class MonitorBrowserTests
{

    [Fact]
    public async Task MonitorControl_ScheduleRunNowHistoryReport_EndToEnd()
    {
        using var home = new TempHome();
        await using var server = await CertMgrServer.StartAsync(home.Path);
        var consolePort = new Uri(server.Url).Port;
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await BrowserTests.LaunchAsync(playwright);
        var page = await BrowserSession.SignInAsync(browser, server);
        var mismatch = await AddMonitoredAsync(page, server, "wrong-name.monitor.test", consolePort);
        await AddMonitoredAsync(page, server, "closed.monitor.test", TestPorts.Next());
        // A listener that accepts and never speaks holds its slot until the probe's handshake timeout: progress shows.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start(); // connections wait in the backlog, never answered
        await AddMonitoredAsync(page, server, "silent.monitor.test", ((IPEndPoint)silent.LocalEndpoint).Port);

        // Schedule: a bad interval is refused at its field, then a good one is saved and shown with the next run.
        await page.GotoAsync(server.Url + "/monitor");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Monitor Control");
        await Assertions.Expect(page.Locator("#schedule-text")).ToContainTextAsync("daily at 06:00 UTC");
        await page.ClickAsync("#schedule-edit");
        await Assertions.Expect(page.Locator("#runs-list")).ToContainTextAsync("No monitor run yet"); // ?edit is no filter
        await page.CheckAsync("#kind-interval");
        await page.FillAsync("#interval-value", "2");
        await page.SelectOptionAsync("#interval-unit", "minutes");
        await page.ClickAsync("#schedule-save");
        await Assertions.Expect(page.Locator("#interval-error")).ToContainTextAsync("between 5 minutes and 7 days");
        await Assertions.Expect(page.Locator("#interval-value")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("is-invalid"));
        await BrowserSession.ScreenshotAsync(page, "monitor-schedule-refused");
        await Assertions.Expect(page.Locator("#runs-list")).ToContainTextAsync("No monitor run yet");
        await page.FillAsync("#interval-value", "2");
        await page.SelectOptionAsync("#interval-unit", "hours");
        await page.ClickAsync("#schedule-save");
        await Assertions.Expect(page.Locator("#monitor-flash")).ToContainTextAsync("Schedule saved: every 120 minutes");
        await Assertions.Expect(page.Locator("#schedule-text")).ToContainTextAsync("every 2 hours");
        await Assertions.Expect(page.Locator("#next-run")).ToContainTextAsync("in 1 h 59 min");

        // Run Now: the pass runs in the background; the panel reports its end, and the history gains its row.
        await Assertions.Expect(page.Locator("#runs-list")).ToContainTextAsync("No monitor run yet");
        await page.ClickAsync("#run-now");
        await Assertions.Expect(page.Locator("#monitor-flash")).ToContainTextAsync("Monitoring pass started");
        await Assertions.Expect(page.Locator("#progress-text")).ToContainTextAsync("2 of 3 endpoints checked", new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("#run-now")).ToBeDisabledAsync();
        await BrowserSession.ScreenshotAsync(page, "monitor-progress");
        await Assertions.Expect(page.Locator("#run-finished")).ToContainTextAsync("3 endpoints", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#run-now")).ToBeEnabledAsync();
        var row = page.Locator("#runs-list tbody tr"); // brought in by the panel when the pass ended, without a reload
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await Assertions.Expect(row.Locator(".cm-count-ok")).ToHaveTextAsync("0");
        await Assertions.Expect(row.Locator(".cm-count-ng")).ToHaveTextAsync("1");
        await Assertions.Expect(row.Locator(".cm-count-unreachable")).ToHaveTextAsync("2");
        await Assertions.Expect(row).ToContainTextAsync("Manual");
        await Assertions.Expect(row).ToContainTextAsync("Completed");
        await BrowserSession.ScreenshotAsync(page, "monitor-control");

        // The report: both endpoints with their verdicts and reasons; filter and checks.
        await row.GetByRole(AriaRole.Link, new() { Name = "Report" }).ClickAsync();
        await page.WaitForURLAsync("**/monitor/runs/**");
        var results = page.Locator("#results-list tbody tr");
        await Assertions.Expect(results).ToHaveCountAsync(3);
        var ng = results.Filter(new() { HasTextString = "wrong-name.monitor.test" });
        await Assertions.Expect(ng).ToContainTextAsync("NG");
        await Assertions.Expect(ng).ToContainTextAsync($"127.0.0.1:{consolePort}");
        await Assertions.Expect(ng.Locator(".cm-result-reason")).ToContainTextAsync("name");
        await ng.Locator("details.cm-checks summary").ClickAsync();
        await Assertions.Expect(ng.Locator("details.cm-checks li").First).ToBeVisibleAsync();
        await Assertions.Expect(results.Filter(new() { HasTextString = "closed.monitor.test" })).ToContainTextAsync("Unreachable");
        await BrowserSession.ScreenshotAsync(page, "monitor-report");
        await page.SelectOptionAsync("#results-list-status", "ng");
        await Assertions.Expect(results).ToHaveCountAsync(1);
        await Assertions.Expect(results.First).ToContainTextAsync("wrong-name.monitor.test");
        await page.FillAsync("#results-list-q", "silent");
        await page.SelectOptionAsync("#results-list-status", "unreachable");
        await Assertions.Expect(results).ToHaveCountAsync(1);
        await Assertions.Expect(results.First).ToContainTextAsync("silent.monitor.test");
        await page.ClickAsync("#summary-all");
        await Assertions.Expect(results).ToHaveCountAsync(3);
        await ng.GetByRole(AriaRole.Link, new() { Name = "wrong-name.monitor.test" }).ClickAsync();
        await page.WaitForURLAsync($"**/definitions/{mismatch}");

        // The event log: the schedule change and the run, filterable by object type, linked to the run's report.
        await page.GotoAsync(server.Url + "/events");
        await Assertions.Expect(page.Locator("#events-list")).ToContainTextAsync("every 120 minutes");
        // The toolbar's second filter applies on change, without the Apply button (every select triggers, not only the first).
        await page.SelectOptionAsync("#events-list-type", "MonitorRun");
        // htmx pushes the filtered URL (same-document): poll the address rather than wait for a navigation event.
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("[?&]type=MonitorRun"));
        var events = page.Locator("#events-list tbody tr");
        await Assertions.Expect(events).ToHaveCountAsync(2);
        await Assertions.Expect(events.First).ToContainTextAsync("complete");
        await Assertions.Expect(events.First).ToContainTextAsync("OK 0, NG 1, Unreachable 2");
        await BrowserSession.ScreenshotAsync(page, "events");
        await events.First.Locator("a").First.ClickAsync();
        await page.WaitForURLAsync("**/monitor/runs/**");
    }

    /// <summary>Adds a monitored-only definition checked at 127.0.0.1:port, through the REST API.</summary>
    private static Task<Guid> AddMonitoredAsync(IPage page, CertMgrServer server, string cn, int port) =>
        ConsoleApi.CreateDefinitionAsync(page, server.Url, new Dictionary<string, object?>
        {
            ["name"] = cn, ["operationMode"] = "MonitoredOnly", ["commonName"] = cn, ["organization"] = "Example Ltd", ["country"] = "DE",
            ["subjectAlternativeNames"] = new[] { cn }, ["keyAlgorithm"] = "Ecdsa", ["keySize"] = 256, ["serverSoftware"] = "Nginx", ["port"] = 443,
            ["serverNameForCheck"] = "127.0.0.1", ["checkPort"] = port, ["tags"] = ConsoleApi.E2eTags,
        });

}
