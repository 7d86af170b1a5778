using System.Diagnostics;
using System.Globalization;
using Microsoft.Playwright;

namespace CertMgr.EndToEnd.Tests;

/// <summary>
/// Acquisition in Chromium against the real certmgr process: from the built-in CA at once, and through a commercial
/// product with CSR download, order, a refused wrong certificate and the right one (signed by openssl as the CA).
/// </summary>
public sealed class AcquisitionBrowserTests
{

    [Fact]
    public async Task BuiltInCa_AcquireFromConsole_BecomesCurrentAndOverviewShowsExpiry()
    {
        using var home = new TempHome();
        await using var server = await CertMgrServer.StartAsync(home.Path);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await BrowserTests.LaunchAsync(playwright);
        var page = await BrowserSession.SignInAsync(browser, server);
        var definitionId = await AddDefinitionAsync(page, server, "e2e-ca.example.test", ["e2e-ca.example.test", "www.e2e-ca.example.test"]);

        await page.GotoAsync($"{server.Url}/acquisitions/new?definition={definitionId}&kind=New");
        await BrowserSession.ScreenshotAsync(page, "acquisition-new");
        await page.ClickAsync("#start-acquisition");
        await page.WaitForURLAsync("**/acquisitions/process/**");
        await page.ClickAsync("#key-submit");
        await Assertions.Expect(page.Locator("#step-message")).ToContainTextAsync("Key chosen");
        var builtIn = await page.Locator("#product-select option", new() { HasTextString = "Built-in Private CA" }).GetAttributeAsync("value");
        await page.SelectOptionAsync("#product-select", builtIn!);
        await BrowserSession.ScreenshotAsync(page, "acquisition-process-product");
        await page.ClickAsync("#product-submit");
        await Assertions.Expect(page.Locator("#step-message")).ToContainTextAsync("built-in CA issued");
        await Assertions.Expect(page.Locator("#acquisition-status")).ToContainTextAsync("Received");
        await page.ClickAsync("#complete-submit");

        await Assertions.Expect(page.Locator("#completed-message")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#acquisition-status")).ToContainTextAsync("Completed");
        await BrowserSession.ScreenshotAsync(page, "acquisition-process-completed");
        await page.GotoAsync(server.Url + "/definitions");
        var row = page.Locator("tr", new() { HasTextString = "e2e-ca.example.test" });
        var expiry = await row.Locator(".cm-col-expiry time").GetAttributeAsync("datetime");
        var notAfter = DateTimeOffset.Parse(expiry!, CultureInfo.InvariantCulture);
        var days = (notAfter - TimeProvider.System.GetUtcNow()).TotalDays;
        Assert.InRange(days, 390, 398);
        await BrowserSession.ScreenshotAsync(page, "acquisition-definitions-overview");

        // With a lead time longer than the validity, the definition is due: renew it from the due list, reusing the key.
        Run(home.Path, "sqlite3", Path.Combine(home.Path, "db", "certmgr.db"),
            $"UPDATE definitions SET RenewalLeadDays = 400 WHERE Id = '{definitionId.ToString().ToUpperInvariant()}';");
        await page.GotoAsync(server.Url + "/acquisitions/due");
        var due = page.Locator("#renewals-due-list tbody tr", new() { HasTextString = "e2e-ca.example.test" });
        await BrowserSession.ScreenshotAsync(page, "acquisitions-due");
        await due.GetByRole(AriaRole.Link, new() { Name = "Start renewal" }).ClickAsync();
        await page.ClickAsync("#start-acquisition");
        await page.WaitForURLAsync("**/acquisitions/process/**");
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync("Renewal");
        await page.CheckAsync("#key-choice-current");
        await page.ClickAsync("#key-submit");
        await Assertions.Expect(page.Locator("#acquisition-status")).ToContainTextAsync("Key & CSR ready");
        await page.GotoAsync(server.Url + "/acquisitions/due");
        await Assertions.Expect(page.Locator("#renewals-due-list")).ToContainTextAsync("No definition is due");
        await page.GotoAsync(server.Url + "/acquisitions");
        await Assertions.Expect(page.Locator("#acquisitions-list tbody tr").First).ToContainTextAsync("Renewal");
        await page.GotoAsync(server.Url + "/requests");
        await Assertions.Expect(page.Locator("#requests-list tbody tr")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#requests-list tbody tr", new() { HasTextString = "Completed" })).ToHaveCountAsync(1);
        await BrowserSession.ScreenshotAsync(page, "requests");
        await page.GotoAsync(server.Url + "/products");
        await Assertions.Expect(page.Locator("#products-table")).ToContainTextAsync("PositiveSSL DV");
        await BrowserSession.ScreenshotAsync(page, "products");
    }

    [Fact]
    public async Task CommercialProduct_CsrOrderWrongThenRightCertificate_RefusedWithReasonThenCompletes()
    {
        using var home = new TempHome();
        await using var server = await CertMgrServer.StartAsync(home.Path);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await BrowserTests.LaunchAsync(playwright);
        var page = await BrowserSession.SignInAsync(browser, server);
        var definitionId = await AddDefinitionAsync(page, server, "e2e-shop.example.test", ["e2e-shop.example.test", "www.e2e-shop.example.test"]);
        var work = Directory.CreateTempSubdirectory("certmgr-e2e-ca-").FullName;
        try
        {
            await page.GotoAsync($"{server.Url}/acquisitions/new?definition={definitionId}&kind=New");
            await page.ClickAsync("#start-acquisition");
            await page.WaitForURLAsync("**/acquisitions/process/**");
            await page.ClickAsync("#key-submit");
            var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#csr-download"));
            var csrPath = Path.Combine(work, "request.csr");
            await download.SaveAsAsync(csrPath);
            Assert.Contains("verify OK", Openssl(work, "req", "-in", csrPath, "-verify", "-noout"), StringComparison.Ordinal);
            Assert.Contains("DNS:www.e2e-shop.example.test", Openssl(work, "req", "-in", csrPath, "-noout", "-text"), StringComparison.Ordinal);

            var positive = await page.Locator("#product-select option", new() { HasTextString = "PositiveSSL DV" }).GetAttributeAsync("value");
            await page.SelectOptionAsync("#product-select", positive!);
            await page.ClickAsync("#product-submit");
            await page.FillAsync("#order-number", "SEC-2026-0001");
            await page.ClickAsync("#order-submit");
            await Assertions.Expect(page.Locator("#order-summary")).ToContainTextAsync("SEC-2026-0001");

            // openssl acts as the commercial CA: a root, an intermediate, and certificates signed by the intermediate.
            MakeCa(work);
            Openssl(work, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "other.key",
                "-subj", "/CN=e2e-shop.example.test", "-addext", "subjectAltName=DNS:e2e-shop.example.test,DNS:www.e2e-shop.example.test", "-out", "other.csr");
            Openssl(work, "x509", "-req", "-in", "other.csr", "-CA", "int.pem", "-CAkey", "int.key", "-CAcreateserial", "-days", "90", "-copy_extensions", "copy", "-out", "wrong.pem");
            Openssl(work, "x509", "-req", "-in", csrPath, "-CA", "int.pem", "-CAkey", "int.key", "-CAcreateserial", "-days", "90", "-copy_extensions", "copy", "-out", "leaf.pem");
            File.WriteAllText(Path.Combine(work, "issued.pem"), File.ReadAllText(Path.Combine(work, "leaf.pem")) + File.ReadAllText(Path.Combine(work, "int.pem")));

            await page.SetInputFilesAsync("#receive-file", Path.Combine(work, "wrong.pem"));
            await page.ClickAsync("#receive-submit");
            await Assertions.Expect(page.Locator("#step-error")).ToContainTextAsync("not issued for this request's key");
            await Assertions.Expect(page.Locator("#acquisition-status")).ToContainTextAsync("Ordered");
            await BrowserSession.ScreenshotAsync(page, "acquisition-receive-refused");

            await page.SetInputFilesAsync("#receive-file", Path.Combine(work, "issued.pem"));
            await page.ClickAsync("#receive-submit");
            await Assertions.Expect(page.Locator("#acquisition-status")).ToContainTextAsync("Received");
            var serial = Openssl(work, "x509", "-in", "leaf.pem", "-noout", "-serial").Trim().Split('=')[1];
            await Assertions.Expect(page.Locator("#received-certificate")).ToContainTextAsync(serial.TrimStart('0'));
            await page.ClickAsync("#complete-submit");
            await Assertions.Expect(page.Locator("#acquisition-status")).ToContainTextAsync("Completed");
            await BrowserSession.ScreenshotAsync(page, "acquisition-commercial-completed");

            await page.GotoAsync(server.Url + "/acquisitions");
            await BrowserSession.ScreenshotAsync(page, "acquisitions");
            await page.GotoAsync($"{server.Url}/documents?definition={definitionId}");
            await page.SetInputFilesAsync("#document-file", Path.Combine(work, "issued.pem"));
            await page.ClickAsync("#document-upload");
            await Assertions.Expect(page.Locator("#documents-table")).ToContainTextAsync("issued.pem");
            await BrowserSession.ScreenshotAsync(page, "documents");
            await page.GotoAsync(server.Url + "/provider-accounts/edit");
            await page.FillAsync("#Provider", "Sectigo");
            await page.FillAsync("#Username", "pki-team");
            await page.FillAsync("#Password", "Reseller-Secret-1");
            await page.ClickAsync("#account-save");
            await Assertions.Expect(page.Locator("#accounts-table")).ToContainTextAsync("pki-team");
            Assert.DoesNotContain("Reseller-Secret-1", await page.ContentAsync(), StringComparison.Ordinal);
            await BrowserSession.ScreenshotAsync(page, "provider-accounts");
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Adds a lifecycle-managed definition through the REST API.</summary>
    private static Task<Guid> AddDefinitionAsync(IPage page, CertMgrServer server, string cn, string[] sans) =>
        ConsoleApi.CreateDefinitionAsync(page, server.Url, new Dictionary<string, object?>
        {
            ["name"] = cn, ["operationMode"] = "LifecycleManaged", ["commonName"] = cn, ["organization"] = "Example Ltd", ["country"] = "DE",
            ["subjectAlternativeNames"] = sans, ["keyAlgorithm"] = "Ecdsa", ["keySize"] = 256, ["serverSoftware"] = "Nginx", ["port"] = 443,
            ["tags"] = ConsoleApi.E2eTags,
        });

    private static void MakeCa(string dir)
    {
        Openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "root.key",
            "-subj", "/CN=E2E Commercial Root/O=E2E Trust", "-days", "3650", "-out", "root.pem");
        Openssl(dir, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "int.key",
            "-subj", "/CN=E2E Commercial DV CA/O=E2E Trust", "-out", "int.csr");
        File.WriteAllText(Path.Combine(dir, "int.ext"), "basicConstraints=critical,CA:true,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n");
        Openssl(dir, "x509", "-req", "-in", "int.csr", "-CA", "root.pem", "-CAkey", "root.key", "-CAcreateserial", "-days", "1825", "-extfile", "int.ext", "-out", "int.pem");
    }

    private static string Openssl(string dir, params string[] args) => Run(dir, "openssl", args);

    private static string Run(string dir, string tool, params string[] args)
    {
        var start = new ProcessStartInfo(tool) { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(30_000), $"{tool} timed out");
        Assert.True(process.ExitCode == 0, $"{tool} {string.Join(' ', args)} failed: {error.Result}");
        return output.Result + error.Result;
    }

}
