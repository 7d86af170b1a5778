using Microsoft.Playwright;

namespace CertMgr.EndToEnd.Tests;

/// <summary>
/// Email templates in Chromium against the real certmgr process: the live preview follows typing and says why it
/// cannot render, a save with an unknown placeholder is refused per field and stores nothing, a valid save is marked
/// "edited", and Reset to default brings the default text back.
/// </summary>
public sealed class EmailTemplatesBrowserTests
{
    [Fact]
    public async Task Templates_LivePreviewRefusedSaveSavedThenReset()
    {
        using var home = new TempHome();
        await using var server = await CertMgrServer.StartAsync(home.Path);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await BrowserTests.LaunchAsync(playwright);
        var page = await BrowserSession.SignInAsync(browser, server);

        await page.GotoAsync($"{server.Url}/settings/templates?kind=monitor-ng");
        await Assertions.Expect(page.Locator("#template-default")).ToBeVisibleAsync();
        var defaultSubject = await page.InputValueAsync("#template-subject");
        await Assertions.Expect(page.Locator("#preview-subject")).Not.ToBeEmptyAsync();

        await page.FillAsync("#template-subject", "[NG] {{nope}}");
        await Assertions.Expect(page.Locator("#preview-problems")).ToContainTextAsync("Unknown placeholder {{nope}}");
        await page.ClickAsync("#template-save");
        await Assertions.Expect(page.Locator("#subject-error")).ToContainTextAsync("Unknown placeholder {{nope}}");
        await Assertions.Expect(page.Locator("#template-default")).ToBeVisibleAsync();
        await BrowserSession.ScreenshotAsync(page, "email-templates-errors");

        await page.FillAsync("#template-subject", "[NG] {{common_name}} on {{endpoint}}");
        await Assertions.Expect(page.Locator("#preview-subject")).ToHaveTextAsync("[NG] www.example.com on www.example.com:443 (SNI www.example.com)");
        await page.ClickAsync("#template-save");
        await Assertions.Expect(page.Locator("#templates-done")).ToContainTextAsync("Template saved");
        await Assertions.Expect(page.Locator("#template-edited")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#kind-monitor-ng")).ToContainTextAsync("edited");
        Assert.Equal("[NG] {{common_name}} on {{endpoint}}", await page.InputValueAsync("#template-subject"));
        await BrowserSession.ScreenshotAsync(page, "email-templates");

        await page.ClickAsync("#template-reset");
        await Assertions.Expect(page.Locator("#templates-done")).ToContainTextAsync("reset to the default");
        await Assertions.Expect(page.Locator("#template-default")).ToBeVisibleAsync();
        Assert.Equal(defaultSubject, await page.InputValueAsync("#template-subject"));
    }
}
