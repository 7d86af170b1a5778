using System.Diagnostics;
using Microsoft.Playwright;

namespace CertMgr.EndToEnd.Tests;

/// <summary>
/// The ACME server's console pages in Chromium with the real certmgr and Debian's lego: the admin turns the server on
/// and requires EAB in Settings (a bad domain is refused per field and changes nothing), issues EAB credentials in the
/// console, lego registers with them and obtains a certificate over HTTP-01; then the admin narrows the account's
/// allow-list and lego's next order for the same name is refused.
/// </summary>
public sealed class AcmeServerBrowserTests
{
    [Fact]
    public async Task AcmeServer_SettingsEabAllowList_LegoRegistersThenIsRefused()
    {
        using var home = new TempHome();
        var http01 = TestPorts.Next();
        Directory.CreateDirectory(home.Path);
        // Only the technical options come from certmgr.json; the rest is set in the console.
        File.WriteAllText(Path.Combine(home.Path, "certmgr.json"),
            $$"""{ "AcmeServer": { "Http01Port": {{http01}}, "ValidationAddress": "127.0.0.1" } }""");
        await using var server = await CertMgrServer.StartAsync(home.Path);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await BrowserTests.LaunchAsync(playwright);
        var page = await BrowserSession.SignInAsync(browser, server);

        await page.GotoAsync(server.Url + "/acme-server");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("ACME Server");
        await Assertions.Expect(page.Locator("#acme-enabled")).ToContainTextAsync("Disabled");
        Assert.Equal(server.Url + "/acme/directory", await page.InputValueAsync("#directory-url"));

        // A wildcard is no allow-list domain: refused on its field, nothing saved.
        await page.GotoAsync(server.Url + "/acme-server/settings");
        await page.SelectOptionAsync("#acme-enabled-select", "on");
        await page.SelectOptionAsync("#acme-eab-select", "on");
        await page.CheckAsync("#acme-override-domains");
        await page.FillAsync("#acme-allowed-domains", "acme.test\n*.bad.test");
        await page.FillAsync("#acme-reuse-days", "-1");
        await page.ClickAsync("#acme-settings-save");
        await Assertions.Expect(page.Locator("#acme-allowed-domains-error")).ToContainTextAsync("*.bad.test");
        await Assertions.Expect(page.Locator("#acme-reuse-days-error")).ToContainTextAsync("Between 0");
        await BrowserSession.ScreenshotAsync(page, "acme-server-settings-errors");
        await page.GotoAsync(server.Url + "/acme-server");
        await Assertions.Expect(page.Locator("#acme-enabled")).ToContainTextAsync("Disabled");

        await page.GotoAsync(server.Url + "/acme-server/settings");
        await page.SelectOptionAsync("#acme-enabled-select", "on");
        await page.SelectOptionAsync("#acme-eab-select", "on");
        await page.CheckAsync("#acme-override-domains");
        await page.FillAsync("#acme-allowed-domains", "acme.test");
        await page.ClickAsync("#acme-settings-save");
        await Assertions.Expect(page.Locator("#acme-settings-done")).ToBeVisibleAsync();
        await BrowserSession.ScreenshotAsync(page, "acme-server-settings");

        await page.GotoAsync(server.Url + "/acme-server/eab");
        await page.FillAsync("#eab-note", "lego on the build box");
        await page.ClickAsync("#eab-issue");
        await Assertions.Expect(page.Locator("#eab-created")).ToBeVisibleAsync();
        var kid = await page.InputValueAsync("#eab-kid");
        var hmac = await page.InputValueAsync("#eab-hmac");
        await Assertions.Expect(page.Locator("#eab-lego")).ToContainTextAsync("--kid " + kid);
        await BrowserSession.ScreenshotAsync(page, "acme-server-eab-issued");
        // Shown once: a reload no longer has it.
        await page.GotoAsync(server.Url + "/acme-server/eab");
        await Assertions.Expect(page.Locator("#eab-created")).ToHaveCountAsync(0);
        Assert.DoesNotContain(hmac, await page.ContentAsync(), StringComparison.Ordinal);

        var legoDir = Path.Combine(home.Path, "lego-client");
        string[] common =
        [
            "--server", server.Url + "/acme/directory", "--email", "ops@acme.test", "--accept-tos", "--path", legoDir,
            "--domains", "www.acme.test", "--http", "--http.port", $"127.0.0.1:{http01}",
        ];
        var first = await RunLegoAsync([.. common, "--eab", "--kid", kid, "--hmac", hmac, "run"], home.Path, server);
        Assert.True(first.ExitCode == 0, $"lego run failed:\n{first.Output}\n{server.Output}");
        Assert.True(File.Exists(Path.Combine(legoDir, "certificates", "www.acme.test.crt")));

        await page.GotoAsync(server.Url + "/acme-server/eab");
        await Assertions.Expect(page.Locator($"tr[data-key-id='{kid}']")).ToContainTextAsync("Used");
        await BrowserSession.ScreenshotAsync(page, "acme-server-eab");

        await page.GotoAsync(server.Url + "/acme-server/accounts");
        var rows = page.Locator("#acme-accounts-table tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows.First).ToContainTextAsync("ops@acme.test");
        await BrowserSession.ScreenshotAsync(page, "acme-server-accounts");
        await rows.First.Locator("a.cm-row-title").ClickAsync();
        await Assertions.Expect(page.Locator("#account-status")).ToContainTextAsync("Valid");
        await page.FillAsync("#account-allowed", "other.test\nbad!name.test");
        await page.ClickAsync("#account-allowed-save");
        await Assertions.Expect(page.Locator("#account-allowed-error")).ToContainTextAsync("bad!name.test");
        await page.FillAsync("#account-allowed", "other.test");
        await page.ClickAsync("#account-allowed-save");
        await Assertions.Expect(page.Locator("#account-done")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#account-orders-table")).ToContainTextAsync("www.acme.test");
        await BrowserSession.ScreenshotAsync(page, "acme-server-account");

        // The same account's next order for www.acme.test is outside its new allow-list (lego wants the EAB flags
        // whenever the directory requires EAB, even for its stored account, which it reuses).
        var refused = await RunLegoAsync([.. common, "--eab", "--kid", kid, "--hmac", hmac, "run"], home.Path, server);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("rejectedIdentifier", refused.Output, StringComparison.Ordinal);

        await page.GotoAsync(server.Url + "/acme-server/orders");
        var orders = page.Locator("#acme-orders-table tbody tr");
        await Assertions.Expect(orders).ToHaveCountAsync(1);
        await Assertions.Expect(orders.First).ToContainTextAsync("www.acme.test");
        await Assertions.Expect(orders.First).ToContainTextAsync("Valid");
        await Assertions.Expect(orders.First.Locator("a[href*='/definitions/']")).ToHaveCountAsync(1);
        await Assertions.Expect(orders.First.Locator("td").Nth(2)).ToHaveTextAsync("default"); // lego named no profile
        await BrowserSession.ScreenshotAsync(page, "acme-server-orders");

        await page.GotoAsync(server.Url + "/acme-server");
        await Assertions.Expect(page.Locator("#acme-enabled")).ToContainTextAsync("Enabled");
        await Assertions.Expect(page.Locator("#acme-eab")).ToContainTextAsync("Required");
        // The profiles the directory offers, with the validity each gives.
        await Assertions.Expect(page.Locator("#acme-profiles li")).ToHaveTextAsync([
            "tlsserver: 90 days — TLS server certificate with the server's default validity",
            "shortlived: 7 days — Short-lived TLS server certificate, valid 7 days"]);
        await BrowserSession.ScreenshotAsync(page, "acme-server-overview");
        Assert.DoesNotContain(hmac, server.Output, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Output)> RunLegoAsync(string[] args, string home, CertMgrServer server)
    {
        var start = new ProcessStartInfo("/usr/bin/lego") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["LEGO_CA_CERTIFICATES"] = Path.Combine(home, "ca", "ca-cert.pem");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"lego did not finish within 90 s:\n{await stdout}\n{await stderr}\n{server.Output}");
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
