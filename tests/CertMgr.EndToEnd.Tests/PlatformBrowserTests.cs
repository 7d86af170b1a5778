using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace CertMgr.EndToEnd.Tests;

/// <summary>API tokens, the API reference, Certificates and Private Keys in Chromium against the real certmgr process.</summary>
public sealed class PlatformBrowserTests
{
    [Fact]
    public async Task Console_CreateTokenThenCallApi_CertificatesAndKeysScreens_ApiReference()
    {
        using var home = new TempHome();
        Seed(home.Path, 40);
        await using var server = await CertMgrServer.StartAsync(home.Path);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await BrowserTests.LaunchAsync(playwright);
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { IgnoreHTTPSErrors = true, ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
        var page = await context.NewPageAsync();
        var cspErrors = new List<string>();
        page.Console += (_, m) =>
        {
            if (m.Type == "error" && m.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                cspErrors.Add(m.Text);
            }
        };
        // The seed verb made the data directory, so the initial password is in its file, not in the server's output.
        var password = File.ReadAllText(Path.Combine(home.Path, "initial-admin-password.txt")).Trim();
        await SignInAsync(page, server, password);
        Directory.CreateDirectory(BrowserTests.ArtifactsDirectory);

        // Token: created from the user menu's page, shown once, usable at once on the API.
        await page.ClickAsync("#cm-user-menu");
        await page.GetByRole(AriaRole.Link, new() { Name = "API tokens" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("API tokens");
        await page.FillAsync("#token-name", "browser test");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create token" }).ClickAsync();
        await Assertions.Expect(page.Locator("#token-created")).ToContainTextAsync("shown only this once");
        var token = await page.InputValueAsync("#new-token");
        Assert.StartsWith("cmt_", token, StringComparison.Ordinal);
        await Assertions.Expect(page.Locator("#tokens-table tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#tokens-table")).ToContainTextAsync("Active");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserTests.ArtifactsDirectory, "api-tokens.png"), FullPage = true });

        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator };
        using var http = new HttpClient(handler) { BaseAddress = new Uri(server.Url) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using (var list = JsonDocument.Parse(await http.GetStringAsync("/api/v1/certificates?take=5")))
        {
            Assert.True(list.RootElement.GetProperty("total").GetInt32() >= 40);
            Assert.Equal(5, list.RootElement.GetProperty("items").GetArrayLength());
        }

        // Visiting the page again does not show the secret; revoking ends API access.
        await page.GotoAsync(server.Url + "/account/tokens");
        Assert.Equal(0, await page.Locator("#new-token").CountAsync());
        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke browser test" }).ClickAsync();
        await Assertions.Expect(page.Locator("#tokens-table")).ToContainTextAsync("Revoked");
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await http.GetAsync("/api/v1/certificates")).StatusCode);

        // Certificates: list, search, show certificate.
        await page.GotoAsync(server.Url + "/certificates");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Certificates");
        await Assertions.Expect(page.Locator("#certificates-list tbody tr")).ToHaveCountAsync(25);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserTests.ArtifactsDirectory, "certificates.png"), FullPage = true });
        await page.FillAsync("#certificates-list-q", "shop");
        await Assertions.Expect(page.Locator("#certificates-list tbody tr").First).ToContainTextAsync("shop");
        await page.Locator("#certificates-list tbody tr a.cm-row-title").First.ClickAsync();
        await Assertions.Expect(page.Locator("#extensions")).ToContainTextAsync("Authority key identifier");
        await Assertions.Expect(page.Locator("#extensions")).ToContainTextAsync("CRL distribution points");
        await Assertions.Expect(page.Locator("#sha256")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^[0-9A-F]{64}$"));
        await Assertions.Expect(page.Locator("#cert-chain").Locator("xpath=../..")).ToContainTextAsync("Seed");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserTests.ArtifactsDirectory, "certificate-details.png"), FullPage = true });

        // Export with the private key (admin, passphrase): the console goes through Core's key export rules, and the
        // export is on the record in the event log.
        await page.GotoAsync(server.Url + "/certificates");
        var certificateLinks = await page.Locator("#certificates-list tbody tr a.cm-row-title").EvaluateAllAsync<string[]>("links => links.map(a => a.href)");
        var exported = false;
        foreach (var link in certificateLinks.Take(10))
        {
            await page.GotoAsync(link);
            if (await page.Locator("#cert-export").CountAsync() == 0)
            {
                continue;
            }

            await page.SelectOptionAsync("#export-format", "key");
            await page.FillAsync("#export-passphrase", "export-passphrase-2026");
            var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("form:has(#export-passphrase) button[type=submit]").ClickAsync());
            var pem = await File.ReadAllTextAsync(await download.PathAsync());
            Assert.Contains("-----BEGIN ENCRYPTED PRIVATE KEY-----", pem, StringComparison.Ordinal);
            exported = true;
            break;
        }

        Assert.True(exported, "None of the first certificates offers an export with its private key.");
        await page.GotoAsync(server.Url + "/events");
        await page.FillAsync("#events-list-q", "export-private-key");
        await Assertions.Expect(page.Locator("#events-list tbody tr").First).ToContainTextAsync("exported with its private key as key");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserTests.ArtifactsDirectory, "key-export-event.png"), FullPage = true });

        // Private keys.
        await page.GotoAsync(server.Url + "/keys");
        await Assertions.Expect(page.Locator("#keys-list tbody tr").First).ToContainTextAsync(new Regex(@"\b\d+ certificates? · \d+ requests?\b"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserTests.ArtifactsDirectory, "private-keys.png"), FullPage = true });

        // The API reference renders the document under the page's CSP.
        await page.GotoAsync(server.Url + "/api-docs");
        // Every section is listed (collapsed: 100+ operations expanded at once stop swagger-ui rendering after a few
        // sections); opening one shows its operations.
        await Assertions.Expect(page.Locator(".swagger-ui .opblock-tag-section")).ToHaveCountAsync(
            JsonDocument.Parse(await (await page.APIRequest.GetAsync(server.Url + "/openapi/v1.json")).TextAsync()).RootElement.GetProperty("tags").GetArrayLength(), new() { Timeout = 30_000 });
        await page.Locator(".swagger-ui h3[data-tag='Certificates']").ClickAsync();
        await Assertions.Expect(page.Locator(".swagger-ui .opblock-summary-path").First).ToContainTextAsync("/api/v1/certificates");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserTests.ArtifactsDirectory, "api-reference.png") });
        Assert.Empty(cspErrors);
    }

    private static async Task SignInAsync(IPage page, CertMgrServer server, string initialPassword)
    {
        await page.GotoAsync(server.Url + "/account/login");
        await page.FillAsync("#UserName", "admin");
        await page.FillAsync("#Password", initialPassword);
        await page.ClickAsync("#sign-in");
        await page.WaitForURLAsync("**/account/change-password**");
        const string newPassword = "correct horse battery staple";
        await page.FillAsync("#CurrentPassword", initialPassword);
        await page.FillAsync("#NewPassword", newPassword);
        await page.FillAsync("#ConfirmPassword", newPassword);
        await page.ClickAsync("#change-password");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Certificate Definitions");
    }

    /// <summary>`certmgr seed` before the server starts (it also initialises the home and the admin).</summary>
    private static void Seed(string home, int definitions)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { CertMgrServer.ExecutableDll, "--home", home, "seed", "--definitions", definitions.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(180_000), "certmgr seed timed out");
        Assert.True(process.ExitCode == 0, stdout.Result + stderr.Result);
    }
}
