using CertMgr.Core.Tests.Webhooks;
using Microsoft.Playwright;

namespace CertMgr.EndToEnd.Tests;

/// <summary>
/// Webhooks in Chromium against the real certmgr process and a real HTTP receiver on loopback: a create with per-field
/// errors that saves nothing, the fixed create showing the secret once, Send test notification with the receiver's
/// answer, and the list with the channel's state.
/// </summary>
public sealed class WebhooksBrowserTests
{
    [Fact]
    public async Task Webhooks_CreateWithErrorsFixTestAndList()
    {
        using var home = new TempHome();
        await using var server = await CertMgrServer.StartAsync(home.Path);
        await using var receiver = await TestWebhookReceiver.StartAsync();
        receiver.Default = new ReceiverAnswer(200, "ok from the receiver");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await BrowserTests.LaunchAsync(playwright);
        var page = await BrowserSession.SignInAsync(browser, server);

        await page.GotoAsync($"{server.Url}/webhooks");
        await Assertions.Expect(page.Locator(".cm-no-match")).ToContainTextAsync("No webhook yet");
        await page.ClickAsync("#new-webhook");
        await page.WaitForURLAsync("**/webhooks/edit");
        await page.FillAsync("#webhook-url", "ftp://hooks.example.test/tok3nPathSecret");
        await page.ClickAsync("#webhook-save");
        await Assertions.Expect(page.Locator("#webhook-error")).ToContainTextAsync("nothing was saved");
        await Assertions.Expect(page.Locator("#webhook-name-error")).ToContainTextAsync("Enter a name.");
        await Assertions.Expect(page.Locator("#webhook-url-error")).ToContainTextAsync("absolute http:// or https://");
        Assert.DoesNotContain("tok3nPathSecret", await page.ContentAsync(), StringComparison.Ordinal);
        await BrowserSession.ScreenshotAsync(page, "webhook-errors");

        await page.FillAsync("#webhook-name", "Ops channel");
        await page.FillAsync("#webhook-url", receiver.Url.AbsoluteUri);
        await page.UncheckAsync("#kind-digest");
        await page.ClickAsync("#webhook-save");
        await Assertions.Expect(page.Locator("#webhook-created")).ToContainTextAsync("Ops channel was created");
        var secret = await page.Locator("#webhook-secret").InputValueAsync();
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        await BrowserSession.ScreenshotAsync(page, "webhook-created");

        await page.ClickAsync("#webhook-created-open");
        await page.WaitForURLAsync("**/webhooks/*");
        await Assertions.Expect(page.Locator("#webhook-url")).ToHaveTextAsync($"http://127.0.0.1:{receiver.Port}/hooks/…");
        Assert.DoesNotContain("Digest", await page.Locator("#webhook-kinds").InnerTextAsync(), StringComparison.Ordinal);
        await page.ClickAsync("#webhook-test");
        await Assertions.Expect(page.Locator("#webhook-test-result")).ToContainTextAsync("HTTP 200 OK");
        await Assertions.Expect(page.Locator("#webhook-test-result")).ToContainTextAsync("ok from the receiver");
        var post = Assert.Single(receiver.Received);
        Assert.Equal("test", post.Header("X-CertMgr-Event"));
        Assert.DoesNotContain(secret, await page.ContentAsync(), StringComparison.Ordinal);
        await BrowserSession.ScreenshotAsync(page, "webhook-details");

        await page.GotoAsync($"{server.Url}/webhooks");
        var rows = page.Locator("tr[data-webhook-id]");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows.Nth(0)).ToContainTextAsync("Ops channel");
        await Assertions.Expect(rows.Nth(0)).ToContainTextAsync("Enabled");
        await Assertions.Expect(rows.Nth(0)).ToContainTextAsync("No delivery yet");
        await BrowserSession.ScreenshotAsync(page, "webhooks");

        await page.GotoAsync($"{server.Url}/webhooks?state=disabled");
        await Assertions.Expect(page.Locator(".cm-no-match")).ToContainTextAsync("No webhook matches");
    }
}
