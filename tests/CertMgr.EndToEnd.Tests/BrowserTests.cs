using Microsoft.Playwright;

namespace CertMgr.EndToEnd.Tests;

/// <summary>The console as a person uses it, in Debian's headless Chromium.</summary>
public sealed class BrowserTests
{
    public static readonly string ArtifactsDirectory = Path.Combine(CertMgrServer.RepoRoot, "test-artifacts");

    public static Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        // On CI's two cores, with the whole suite running beside the browser, a live-search round trip has taken over
        // Playwright's default 5 s. A slower wait still fails when the page never shows what the test expects.
        Assertions.SetDefaultExpectTimeout(15_000);
        return playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        });
    }

    [Fact]
    public async Task FirstLogin_InitialPassword_ForcesPasswordChangeThenShowsOverview()
    {
        using var home = new TempHome();
        await using var server = await CertMgrServer.StartAsync(home.Path);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        // The console's certificate comes from this run's own CA; ServeTests checks it against that CA.
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            IgnoreHTTPSErrors = true,
            ViewportSize = new ViewportSize { Width = 1400, Height = 900 },
        });
        var page = await context.NewPageAsync();

        await page.GotoAsync(server.Url);
        Assert.Contains("/account/login", page.Url, StringComparison.Ordinal);

        // A wrong password is refused with a message, and no session.
        await page.FillAsync("#UserName", "admin");
        await page.FillAsync("#Password", "definitely-wrong");
        await page.ClickAsync("#sign-in");
        await Assertions.Expect(page.Locator("#login-error")).ToContainTextAsync("incorrect");

        await page.FillAsync("#UserName", "admin");
        await page.FillAsync("#Password", server.InitialPassword!);
        await page.ClickAsync("#sign-in");
        await page.WaitForURLAsync("**/account/change-password**");
        await Assertions.Expect(page.Locator("#forced-change")).ToBeVisibleAsync();
        Directory.CreateDirectory(ArtifactsDirectory);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ArtifactsDirectory, "first-login-change-password.png") });

        // Anything else still leads back to the password change.
        await page.GotoAsync(server.Url + "/definitions");
        Assert.Contains("/account/change-password", page.Url, StringComparison.Ordinal);

        // A too-short password is explained, not accepted.
        await page.FillAsync("#CurrentPassword", server.InitialPassword!);
        await page.FillAsync("#NewPassword", "short");
        await page.FillAsync("#ConfirmPassword", "short");
        await page.ClickAsync("#change-password");
        await Assertions.Expect(page.Locator("form")).ToContainTextAsync("at least 12 characters");

        const string newPassword = "correct horse battery staple";
        await page.FillAsync("#CurrentPassword", server.InitialPassword!);
        await page.FillAsync("#NewPassword", newPassword);
        await page.FillAsync("#ConfirmPassword", newPassword);
        await page.ClickAsync("#change-password");

        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Certificate Definitions");
        var nav = page.GetByRole(AriaRole.Navigation);
        foreach (var item in new[] { "Certificate Definitions", "Acquisition Processes", "Certificates", "Private Keys", "Monitor Control", "Private CA" })
        {
            await Assertions.Expect(nav.GetByRole(AriaRole.Link, new() { Name = item, Exact = true })).ToBeVisibleAsync();
        }

        Assert.False(File.Exists(Path.Combine(home.Path, "initial-admin-password.txt")));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ArtifactsDirectory, "console-overview.png"), FullPage = true });

        // The new password is the one that works now.
        await context.ClearCookiesAsync();
        await page.GotoAsync(server.Url + "/account/login");
        await page.FillAsync("#UserName", "admin");
        await page.FillAsync("#Password", newPassword);
        await page.ClickAsync("#sign-in");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Certificate Definitions");

        // Session keys live in the database, sealed: a restarted server still honours the session.
        await server.StopAsync();
        await using var restarted = await CertMgrServer.StartAsync(home.Path);
        await page.GotoAsync(restarted.Url + "/");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Certificate Definitions");
    }
}
