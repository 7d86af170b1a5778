using CertMgr.Core.Tests.Notifications;
using Microsoft.Playwright;

namespace CertMgr.EndToEnd.Tests;

/// <summary>
/// Settings and Sent Emails in Chromium against the real certmgr process and a real SMTP server on loopback: a save with
/// per-field errors, the fixed save, Send Test Email accepted and then refused (the server's answer shown), and both
/// test emails on the Sent Emails list and detail.
/// </summary>
public sealed class NotificationsBrowserTests
{
    private const string SmtpPassword = "Browser-Smtp-Password-3";

    [Fact]
    public async Task Settings_SaveWithErrorsFixSendTestEmail_ThenSentEmailsList()
    {
        using var home = new TempHome();
        await using var server = await CertMgrServer.StartAsync(home.Path);
        await using var smtp = TestSmtpServer.Start();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await BrowserTests.LaunchAsync(playwright);
        var page = await BrowserSession.SignInAsync(browser, server);

        await page.GotoAsync($"{server.Url}/settings");
        await page.FillAsync("#admin-name", "Alice Admin");
        await page.FillAsync("#admin-email", "not-an-address");
        await page.FillAsync("#smtp-host", $"127.0.0.1:{smtp.Port}");
        await page.SelectOptionAsync("#smtp-security", "None");
        await page.FillAsync("#smtp-password", SmtpPassword);
        await page.ClickAsync("#settings-save");
        await Assertions.Expect(page.Locator("#settings-error")).ToContainTextAsync("nothing was saved");
        await Assertions.Expect(page.Locator("#admin-email-error")).ToContainTextAsync("Enter one email address");
        await Assertions.Expect(page.Locator("#sender-address-error")).ToContainTextAsync("needs a sender address");
        await Assertions.Expect(page.Locator("#smtp-user-error")).ToContainTextAsync("A password needs a user name");
        Assert.DoesNotContain(SmtpPassword, await page.ContentAsync(), StringComparison.Ordinal);
        await BrowserSession.ScreenshotAsync(page, "settings-errors");

        await page.FillAsync("#admin-email", "admin@example.test");
        await page.FillAsync("#sender-address", "certmgr@example.test");
        await page.FillAsync("#sender-name", "CertMgr");
        await page.ClickAsync("#settings-save");
        await page.WaitForURLAsync("**/settings?done=saved");
        await Assertions.Expect(page.Locator("#settings-done")).ToContainTextAsync("Settings saved");
        await Assertions.Expect(page.Locator("#smtp-host")).ToHaveValueAsync("127.0.0.1");
        await Assertions.Expect(page.Locator("#smtp-port")).ToHaveValueAsync(smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));

        await page.ClickAsync("#test-email-send");
        await Assertions.Expect(page.Locator("#test-email-result")).ToContainTextAsync("The server answered");
        var received = Assert.Single(smtp.Received);
        Assert.Equal("admin@example.test", received.Message.To.Mailboxes.Single().Address);
        Assert.Equal("CertMgr test email", received.Message.Subject);
        await BrowserSession.ScreenshotAsync(page, "settings");

        smtp.Answer = SmtpAnswer.RejectPermanent;
        await page.FillAsync("#test-to", "ops@example.test");
        await page.ClickAsync("#test-email-send");
        await Assertions.Expect(page.Locator("#test-email-error")).ToContainTextAsync("5.7.1 Message rejected by policy");
        await BrowserSession.ScreenshotAsync(page, "settings-test-refused");

        await page.GotoAsync($"{server.Url}/emails");
        var rows = page.Locator("tr[data-email-id]");
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await Assertions.Expect(rows.Nth(0)).ToContainTextAsync("Failed");
        await Assertions.Expect(rows.Nth(1)).ToContainTextAsync("Sent");
        await BrowserSession.ScreenshotAsync(page, "emails");

        await page.GotoAsync($"{server.Url}/emails?status=Failed");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await rows.Nth(0).Locator("a.cm-row-title").ClickAsync();
        await page.WaitForURLAsync("**/emails/*");
        await Assertions.Expect(page.Locator("#email-error")).ToContainTextAsync("5.7.1");
        await Assertions.Expect(page.Locator("#email-body")).ToContainTextAsync("This is a test email from CertMgr");
        await BrowserSession.ScreenshotAsync(page, "email-details");
    }
}
