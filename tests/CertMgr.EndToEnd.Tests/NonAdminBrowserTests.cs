using System.Diagnostics;
using System.Text.Json;
using Microsoft.Playwright;

namespace CertMgr.EndToEnd.Tests;

/// <summary>
/// A user with the User role (added with <c>certmgr user add</c>) in Chromium: the admin-only actions are neither
/// offered in the console nor accepted by the API or the admin-only pages, while everyday reading works.
/// </summary>
public sealed class NonAdminBrowserTests
{
    private const string BobPassword = "violet tapestry under moonlight";
    private static readonly string[] Sans = ["na.example.test"];

    [Fact]
    public async Task UserRole_AdminOnlyActions_HiddenInConsoleAndRefusedByApiAndPages()
    {
        using var home = new TempHome();
        await using var server = await CertMgrServer.StartAsync(home.Path);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await BrowserTests.LaunchAsync(playwright);

        // The admin makes a definition with a certificate from the built-in CA (so there is a key to export).
        var admin = await BrowserSession.SignInAsync(browser, server);
        var definitionId = await ConsoleApi.CreateDefinitionAsync(admin, server.Url, new Dictionary<string, object?>
        {
            ["name"] = "na.example.test", ["operationMode"] = "LifecycleManaged", ["commonName"] = "na.example.test", ["organization"] = "Example Ltd",
            ["country"] = "DE", ["subjectAlternativeNames"] = Sans, ["keyAlgorithm"] = "Ecdsa", ["keySize"] = 256,
            ["serverSoftware"] = "Nginx", ["port"] = 443, ["tags"] = ConsoleApi.E2eTags,
        });
        await BrowserSession.AcquireFromBuiltInCaAsync(admin, server.Url, definitionId);
        var certificateId = await CertificateIdAsync(admin, server.Url);
        // The admin is offered the key export (the control for what bob must not see).
        await admin.GotoAsync($"{server.Url}/certificates/{certificateId}");
        await Assertions.Expect(admin.Locator("#cert-export")).ToBeVisibleAsync();

        var added = RunCli("user", "add", "bob", "--role", "User", "--home", home.Path);
        var initial = added.Split('\n').Single(l => l.StartsWith("Initial password", StringComparison.Ordinal)).Split(": ", 2)[1].Trim();

        var bob = await SignInAsync(browser, server, "bob", initial);
        // Everyday reading works.
        await bob.GotoAsync(server.Url + "/definitions");
        await Assertions.Expect(bob.Locator("#definitions-list")).ToContainTextAsync("na.example.test");

        // Hidden in the console.
        await bob.GotoAsync($"{server.Url}/certificates/{certificateId}");
        await Assertions.Expect(bob.Locator("h1")).ToBeVisibleAsync();
        await Assertions.Expect(bob.Locator("#cert-export")).ToHaveCountAsync(0);
        await bob.GotoAsync($"{server.Url}/documents?definition={definitionId}");
        await Assertions.Expect(bob.Locator("#document-kind option[value=InstallPackage]")).ToHaveCountAsync(0);
        await bob.GotoAsync(server.Url + "/private-ca");
        await Assertions.Expect(bob.GetByRole(AriaRole.Link, new() { Name = "Revoke…" })).ToHaveCountAsync(0);
        await bob.GotoAsync(server.Url + "/trusted-ca-sets");
        await Assertions.Expect(bob.Locator("#new-set-form")).ToHaveCountAsync(0);
        await BrowserSession.ScreenshotAsync(bob, "non-admin-trusted-ca-sets");

        // Admin-only pages answer "Access denied".
        await bob.GotoAsync($"{server.Url}/deployments/new?definition={definitionId}");
        await Assertions.Expect(bob.Locator("h1")).ToContainTextAsync("Access denied");
        await BrowserSession.ScreenshotAsync(bob, "non-admin-denied");

        // And the API refuses them with 403, the session and the CSRF header notwithstanding.
        Assert.Equal(403, await PostAsync(bob, $"{server.Url}/api/v1/certificates/{certificateId}/export", new { format = "pfx", passphrase = "a long export passphrase" }));
        Assert.Equal(403, await PostAsync(bob, $"{server.Url}/api/v1/trusted-ca-sets", new { name = "bob's set" }));
        Assert.Equal(403, await PostAsync(bob, $"{server.Url}/api/v1/deployments", new { definitionId }));
        var delete = await bob.APIRequest.DeleteAsync($"{server.Url}/api/v1/definitions/{definitionId}",
            new APIRequestContextOptions { Headers = new Dictionary<string, string> { ["X-CertMgr-Csrf"] = "1" } });
        Assert.Equal(403, delete.Status);
        await bob.GotoAsync(server.Url + "/definitions");
        await Assertions.Expect(bob.Locator("#definitions-list")).ToContainTextAsync("na.example.test");
    }

    private static async Task<IPage> SignInAsync(IBrowser browser, CertMgrServer server, string user, string initialPassword)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { IgnoreHTTPSErrors = true, ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(server.Url + "/account/login");
        await page.FillAsync("#UserName", user);
        await page.FillAsync("#Password", initialPassword);
        await page.ClickAsync("#sign-in");
        await page.WaitForURLAsync("**/account/change-password**");
        await page.FillAsync("#CurrentPassword", initialPassword);
        await page.FillAsync("#NewPassword", BobPassword);
        await page.FillAsync("#ConfirmPassword", BobPassword);
        await page.ClickAsync("#change-password");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Certificate Definitions");
        return page;
    }

    private static async Task<Guid> CertificateIdAsync(IPage page, string url)
    {
        var response = await page.APIRequest.GetAsync($"{url}/api/v1/certificates?q=na.example.test");
        using var json = JsonDocument.Parse(await response.TextAsync());
        return json.RootElement.GetProperty("items")[0].GetProperty("id").GetGuid();
    }

    private static async Task<int> PostAsync(IPage page, string url, object body)
    {
        var response = await page.APIRequest.PostAsync(url, new APIRequestContextOptions
        {
            DataObject = body,
            Headers = new Dictionary<string, string> { ["X-CertMgr-Csrf"] = "1" },
        });
        return response.Status;
    }

    private static string RunCli(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(CertMgrServer.ExecutableDll);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(120_000), "certmgr user add did not finish");
        Assert.True(process.ExitCode == 0, $"certmgr {string.Join(' ', args)} exited {process.ExitCode}: {stderr}");
        return stdout.Result;
    }
}
