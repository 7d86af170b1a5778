using Microsoft.Playwright;

namespace CertMgr.EndToEnd.Tests;

/// <summary>What most browser tests start with: the admin's first sign-in (with the forced password change), and screenshots.</summary>
internal static class BrowserSession
{
    /// <summary>The admin's password after the first sign-in.</summary>
    public const string AdminPassword = "correct horse battery staple";

    /// <summary>Signs in as admin with the initial password, sets <see cref="AdminPassword"/>, and lands on the overview.</summary>
    public static async Task<IPage> SignInAsync(IBrowser browser, CertMgrServer server)
    {
        ArgumentNullException.ThrowIfNull(browser);
        ArgumentNullException.ThrowIfNull(server);
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { IgnoreHTTPSErrors = true, ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(server.Url + "/account/login");
        await page.FillAsync("#UserName", "admin");
        await page.FillAsync("#Password", server.InitialPassword!);
        await page.ClickAsync("#sign-in");
        await page.WaitForURLAsync("**/account/change-password**");
        await page.FillAsync("#CurrentPassword", server.InitialPassword!);
        await page.FillAsync("#NewPassword", AdminPassword);
        await page.FillAsync("#ConfirmPassword", AdminPassword);
        await page.ClickAsync("#change-password");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Certificate Definitions");
        return page;
    }

    /// <summary>
    /// A definition's new certificate from the built-in CA, through the console's acquisition process to Completed (the
    /// way a person does it; AcquisitionBrowserTests checks each step on the way). Returns the process page's path.
    /// </summary>
    public static async Task<string> AcquireFromBuiltInCaAsync(IPage page, string serverUrl, object definitionId)
    {
        ArgumentNullException.ThrowIfNull(page);
        await page.GotoAsync($"{serverUrl}/acquisitions/new?definition={definitionId}&kind=New");
        await page.ClickAsync("#start-acquisition");
        await page.WaitForURLAsync("**/acquisitions/process/**");
        var path = new Uri(page.Url).AbsolutePath;
        await page.ClickAsync("#key-submit");
        await Assertions.Expect(page.Locator("#step-message")).ToContainTextAsync("Key chosen");
        var builtIn = await page.Locator("#product-select option", new() { HasTextString = "Built-in Private CA" }).GetAttributeAsync("value");
        await page.SelectOptionAsync("#product-select", builtIn!);
        await page.ClickAsync("#product-submit");
        await Assertions.Expect(page.Locator("#acquisition-status")).ToContainTextAsync("Received");
        await page.ClickAsync("#complete-submit");
        await Assertions.Expect(page.Locator("#acquisition-status")).ToContainTextAsync("Completed");
        return path;
    }

    /// <summary>A full-page screenshot as <c>test-artifacts/NAME.png</c>.</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        ArgumentNullException.ThrowIfNull(page);
        Directory.CreateDirectory(BrowserTests.ArtifactsDirectory);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserTests.ArtifactsDirectory, name + ".png"), FullPage = true });
    }
}
