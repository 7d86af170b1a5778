using System.Diagnostics;
using Microsoft.Playwright;

namespace CertMgr.EndToEnd.Tests;

/// <summary>Import and definition screens in Chromium: a PFX import, and the definition form with a refused SAN.</summary>
public sealed class ImportBrowserTests
{

    private static void Openssl(string directory, params string[] args)
    {
        var start = new ProcessStartInfo("openssl") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(30_000), "openssl timed out");
        Assert.True(process.ExitCode == 0, $"openssl {string.Join(' ', args)} failed: {error.Result}");
    }

    [Fact]
    public async Task ImportPfx_WithPassword_LifecycleManagedAndRedeployable()
    {
        using var home = new TempHome();
        var work = Path.Combine(home.Path, "work");
        Directory.CreateDirectory(work);
        Openssl(work, "req", "-x509", "-newkey", "rsa:2048", "-noenc", "-keyout", "shop.key", "-out", "shop.pem",
            "-subj", "/CN=shop.example.test/O=Example Shop/C=US", "-days", "200",
            "-addext", "subjectAltName=DNS:shop.example.test,DNS:www.shop.example.test", "-addext", "basicConstraints=critical,CA:FALSE");
        Openssl(work, "pkcs12", "-export", "-in", "shop.pem", "-inkey", "shop.key", "-passout", "pass:pfx-pass-123", "-out", "shop.pfx");
        await using var server = await CertMgrServer.StartAsync(home.Path);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await BrowserTests.LaunchAsync(playwright);
        var page = await BrowserSession.SignInAsync(browser, server);

        await page.GotoAsync(server.Url + "/definitions/import");
        await page.SetInputFilesAsync("#files", Path.Combine(work, "shop.pfx"));
        await page.FillAsync("#password", "pfx-pass-123");
        await page.CheckAsync("#mode-managed");
        await BrowserSession.ScreenshotAsync(page, "import-form");
        await page.ClickAsync("#import-submit");

        await Assertions.Expect(page.Locator("#count-imported")).ToHaveTextAsync("1 imported");
        await Assertions.Expect(page.Locator("#import-table tbody tr").First).ToContainTextAsync("with its private key (re-deployable)");
        await BrowserSession.ScreenshotAsync(page, "import-results");

        await page.GotoAsync(server.Url + "/definitions");
        var row = page.Locator("table tbody tr", new() { HasText = "shop.example.test" });
        await Assertions.Expect(row).ToContainTextAsync("Lifecycle");
        await row.GetByRole(AriaRole.Link, new() { Name = "shop.example.test" }).ClickAsync();

        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("shop.example.test");
        await Assertions.Expect(page.Locator("#key-status")).ToContainTextAsync("re-deployable");
        await Assertions.Expect(page.Locator("#current-certificate")).ToContainTextAsync("Expires");
        await Assertions.Expect(page.Locator(".cm-definition-fields")).ToContainTextAsync("O=Example Shop");
        await Assertions.Expect(page.Locator("#history-table")).ToContainTextAsync("import");
        await BrowserSession.ScreenshotAsync(page, "definition-details");
    }

    [Fact]
    public async Task CreateDefinition_InvalidSanThenFixed_RefusedWithMessageThenCreated()
    {
        using var home = new TempHome();
        await using var server = await CertMgrServer.StartAsync(home.Path);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await BrowserTests.LaunchAsync(playwright);
        var page = await BrowserSession.SignInAsync(browser, server);

        await page.GotoAsync(server.Url + "/definitions/new");
        await page.FillAsync("#Input_CommonName", "portal.example.test");
        await page.FillAsync("#SansText", "portal.example.test\nbad name!.example.test");
        await page.FillAsync("#Input_Organization", "Example Org");
        await page.FillAsync("#Input_TargetServerName", "portal.example.test");
        await page.FillAsync("#TagsText", "prod, web");
        await page.ClickAsync("#save-definition");

        await Assertions.Expect(page.Locator("#sans-error")).ToContainTextAsync("'bad name!.example.test' is not a valid DNS name or IP address.");
        await Assertions.Expect(page.Locator("#form-errors")).ToBeVisibleAsync();
        await BrowserSession.ScreenshotAsync(page, "definition-form-error");

        await page.FillAsync("#SansText", "portal.example.test\nwww.portal.example.test");
        await page.ClickAsync("#save-definition");

        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("portal.example.test");
        await Assertions.Expect(page.GetByRole(AriaRole.Status).First).ToContainTextAsync("Created definition");
        await Assertions.Expect(page.Locator(".cm-definition-fields")).ToContainTextAsync("www.portal.example.test");
        await Assertions.Expect(page.Locator("#no-current")).ToContainTextAsync("No certificate yet");
        await page.GotoAsync(server.Url + "/definitions");
        await Assertions.Expect(page.Locator("table tbody tr", new() { HasText = "portal.example.test" })).ToContainTextAsync("prod");

        await page.GotoAsync(server.Url + "/definitions/clone?tag=prod");
        await page.FillAsync("#Find", "portal");
        await page.FillAsync("#Replace", "portal-test");
        await page.FillAsync("#AddTag", "test");
        await page.ClickAsync("#clone-preview");
        await Assertions.Expect(page.Locator("#clone-table tbody tr").First).ToContainTextAsync("portal-test.example.test");
        await BrowserSession.ScreenshotAsync(page, "definitions-clone-preview");
        await page.ClickAsync("#clone-apply");
        await Assertions.Expect(page.GetByRole(AriaRole.Status).First).ToContainTextAsync("Created 1 definition: portal-test.example.test");
    }
}
