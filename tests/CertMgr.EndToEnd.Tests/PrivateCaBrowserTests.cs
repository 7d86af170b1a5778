using Microsoft.Playwright;

namespace CertMgr.EndToEnd.Tests;

/// <summary>The Private CA screen in Chromium: details, downloads, and a confirmed revocation.</summary>
public sealed class PrivateCaBrowserTests
{
    [Fact]
    public async Task PrivateCa_AdminRevokesConsoleCertificate_ConfirmedAndShownRevoked()
    {
        using var home = new TempHome();
        await using var server = await CertMgrServer.StartAsync(home.Path);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await BrowserTests.LaunchAsync(playwright);
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { IgnoreHTTPSErrors = true, ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(server.Url + "/account/login");
        await page.FillAsync("#UserName", "admin");
        await page.FillAsync("#Password", server.InitialPassword!);
        await page.ClickAsync("#sign-in");
        await page.WaitForURLAsync("**/account/change-password**");
        const string newPassword = "correct horse battery staple";
        await page.FillAsync("#CurrentPassword", server.InitialPassword!);
        await page.FillAsync("#NewPassword", newPassword);
        await page.FillAsync("#ConfirmPassword", newPassword);
        await page.ClickAsync("#change-password");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Certificate Definitions");

        await page.GotoAsync(server.Url + "/private-ca");

        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Private CA");
        await Assertions.Expect(page.Locator("dl")).ToContainTextAsync("CertMgr Auto-Generated CA");
        var rows = page.Locator("table tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows.First).ToContainTextAsync("Console");
        await Assertions.Expect(rows.First).ToContainTextAsync("Valid");
        var pem = await page.APIRequest.GetAsync(server.Url + "/private-ca?handler=Certificate&format=pem");
        Assert.Contains("BEGIN CERTIFICATE", await pem.TextAsync(), StringComparison.Ordinal);
        var crl = await page.APIRequest.GetAsync(server.Url + "/private-ca?handler=Crl");
        Assert.Equal("application/pkix-crl", crl.Headers["content-type"]);

        await rows.First.GetByRole(AriaRole.Link, new() { Name = "Revoke…" }).ClickAsync();
        await page.SelectOptionAsync("#reason", "superseded");
        Directory.CreateDirectory(BrowserTests.ArtifactsDirectory);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserTests.ArtifactsDirectory, "private-ca-confirm-revoke.png"), FullPage = true });
        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke", Exact = true }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Status).First).ToContainTextAsync("Revoked serial");
        await Assertions.Expect(page.Locator("table tbody tr").First).ToContainTextAsync("Revoked");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserTests.ArtifactsDirectory, "private-ca.png"), FullPage = true });
    }
}
