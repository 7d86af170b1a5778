using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace CertMgr.EndToEnd.Tests;

/// <summary>The Trusted CA Sets screens in Chromium: create a set, upload a CA, save and merge, make it the default.</summary>
public sealed class TrustedCaSetsBrowserTests
{
    private static string PemFile(string directory, string fileName, string subject, bool isCa)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(isCa, false, 0, true));
        var now = TimeProvider.System.GetUtcNow();
        using var cert = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(10));
        var path = Path.Combine(directory, fileName);
        File.WriteAllText(path, PemEncoding.WriteString("CERTIFICATE", cert.RawData) + "\n");
        return path;
    }

    private static async Task ShotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(BrowserTests.ArtifactsDirectory);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserTests.ArtifactsDirectory, name), FullPage = true });
    }

    [Fact]
    public async Task TrustedCaSets_CreateUploadMergeMakeDefault_ShownAtEachStep()
    {
        using var home = new TempHome();
        await using var server = await CertMgrServer.StartAsync(home.Path);
        var caFile = PemFile(home.Path, "lab-root.pem", "CN=Lab Root CA, O=Example", isCa: true);
        var leafFile = PemFile(home.Path, "www.pem", "CN=www.lab.example", isCa: false);
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

        await page.GotoAsync(server.Url + "/trusted-ca-sets");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Trusted CA Sets");
        await Assertions.Expect(page.Locator("#sets-table tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#sets-table tbody tr").First).ToContainTextAsync("Default");
        await Assertions.Expect(page.Locator("#system-files")).ToContainTextAsync("public-roots.pem");

        // A duplicate name is refused at the field.
        await page.FillAsync("#new-set-name", "Default");
        await page.ClickAsync("#create-set");
        await Assertions.Expect(page.Locator("#new-set-error")).ToContainTextAsync("already exists");

        await page.FillAsync("#new-set-name", "Lab CAs");
        await page.ClickAsync("#create-set");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Lab CAs");
        await Assertions.Expect(page.Locator("#merge-state")).ToHaveTextAsync("Merged");

        await page.SetInputFilesAsync("#ca-upload", leafFile);
        await page.ClickAsync("#upload-ca");
        await Assertions.Expect(page.Locator("#upload-error")).ToContainTextAsync("end-entity");

        await page.SetInputFilesAsync("#ca-upload", caFile);
        await page.ClickAsync("#upload-ca");
        await Assertions.Expect(page.Locator("#set-flash")).ToContainTextAsync("Added CN=Lab Root CA, O=Example");
        await Assertions.Expect(page.Locator("#user-cas tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#merge-state")).ToContainTextAsync("Unmerged changes");
        await Assertions.Expect(page.Locator("#pending-changes")).ToContainTextAsync("1 user CA certificate to add");
        await ShotAsync(page, "trusted-ca-set-unmerged.png");

        await page.ClickAsync("#save-merge");
        await Assertions.Expect(page.Locator("#merge-state")).ToHaveTextAsync("Merged");
        await Assertions.Expect(page.Locator("#merge-card")).ToContainTextAsync(new Regex(@"\d+ CA certificates? in effect"));

        await page.ClickAsync("#make-default");
        await Assertions.Expect(page.Locator("#default-badge")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#delete-set")).ToHaveCountAsync(0);
        await ShotAsync(page, "trusted-ca-set.png");

        await page.GotoAsync(server.Url + "/trusted-ca-sets?sort=name");
        var lab = page.Locator("#sets-table tbody tr", new() { HasText = "Lab CAs" });
        await Assertions.Expect(lab).ToContainTextAsync("Default");
        await Assertions.Expect(page.Locator("#sets-table tbody tr", new() { HasText = "Default" })).ToHaveCountAsync(2); // the old "Default" set, no longer the default
        await Assertions.Expect(lab.Locator("td").Nth(2)).ToHaveTextAsync("1");
        await ShotAsync(page, "trusted-ca-sets.png");

        await page.ClickAsync("#system-files a:has-text('public-roots.pem')");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("public-roots.pem");
        // A click does not wait for the new page's scripts: typing before htmx has bound the search box goes unheard.
        await page.WaitForLoadStateAsync(LoadState.Load);
        await page.FillAsync("#system-file-list-q", "ISRG");
        await Assertions.Expect(page.Locator("#system-file-certs tbody tr")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#system-file-certs")).ToContainTextAsync("ISRG Root X1");
        await ShotAsync(page, "trusted-ca-system-file.png");
    }
}
