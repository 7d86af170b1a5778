using System.Diagnostics;
using System.Text.Json;
using Microsoft.Playwright;

namespace CertMgr.EndToEnd.Tests;

/// <summary>
/// Every console page and detail page in Chromium, after an import through the console form: no CSP violation, no
/// console error, no raw enum or property name on screen; unknown addresses get the console's "Not found" page.
/// </summary>
public sealed class ConsolePagesBrowserTests
{
    // Enum members and property names as code spells them: the console shows labels instead (ConsoleUi.Labels).
    private static readonly string[] RawNames =
    [
        "LifecycleManaged", "MonitoredOnly", "ApacheHttpd", "HaProxy", "MicrosoftIis", "JavaKeystore", "KeyAndCsrReady",
        "ProductChosen", "IssuedByPrivateCa", "InstallRequested", "AutoInstalled", "ManuallyConfirmed", "CompletedWithoutCheck",
        "CheckFailed", "BuiltInCa", "MicrosoftAdcs", "OrderDocument", "InstallPackage", "ServerNameForCheck", "TargetServerName",
        "SubjectAlternativeNames", "ServerSoftware", "Let's Encrypt Let's Encrypt", "ZeroSSL ZeroSSL",
    ];

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
    public async Task EveryPage_AfterMonitoredImportWithKeyPassword_NoCspViolationNoRawNamesAndExpiryCounted()
    {
        using var home = new TempHome();
        var work = Directory.CreateDirectory(Path.Combine(home.Path, "work")).FullName;
        Openssl(work, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-noenc", "-keyout", "soon.key", "-out", "soon.pem",
            "-subj", "/CN=soon.example.test/O=Example Org", "-days", "9", "-addext", "subjectAltName=DNS:soon.example.test",
            "-addext", "basicConstraints=critical,CA:FALSE");
        Openssl(work, "pkcs12", "-export", "-in", "soon.pem", "-inkey", "soon.key", "-passout", "pass:one-pass", "-out", "soon.pfx");
        CertMgr.Cli.Tests.JavaKeyStores.WriteSplitPkcs12(work, "soon.pfx", "one-pass", "soon.p12", "store-pass-1", "key-pass-2");
        await using var server = await CertMgrServer.StartAsync(home.Path);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var page = await BrowserSession.SignInAsync(browser, server);
        var problems = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning")
            {
                problems.Add($"{page.Url}: console {message.Type}: {message.Text}");
            }
        };
        page.PageError += (_, error) => problems.Add($"{page.Url}: page error: {error}");

        // The import form, with the optional key password (a Java keystore with distinct store and key passwords).
        await page.GotoAsync(server.Url + "/definitions/import");
        await Assertions.Expect(page.Locator("label[for=keyPassword]")).ToContainTextAsync("Key password (if different)");
        await page.SetInputFilesAsync("#files", Path.Combine(work, "soon.p12"));
        await page.FillAsync("#password", "store-pass-1");
        await page.FillAsync("#keyPassword", "key-pass-2");
        await page.CheckAsync("#mode-monitored");
        await page.ClickAsync("#import-submit");
        await Assertions.Expect(page.Locator("#count-imported")).ToHaveTextAsync("1 imported");
        await Assertions.Expect(page.Locator("#import-table tbody tr").First).ToContainTextAsync("with its private key");
        Assert.DoesNotContain("key-pass-2", await page.ContentAsync(), StringComparison.Ordinal);
        // Post/redirect/get: the result is a GET page, and a reload neither re-imports nor shows it again.
        Assert.EndsWith("/definitions/import", page.Url, StringComparison.Ordinal);
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#count-imported")).ToHaveCountAsync(0);

        // The imported monitored-only certificate is current: counted as expiring, with its expiry in the API.
        await page.GotoAsync(server.Url + "/definitions");
        await Assertions.Expect(page.Locator("a.cm-stat[href$='status=expiring'] .cm-stat-value")).ToHaveTextAsync("1");
        var row = page.Locator("table tbody tr", new() { HasText = "soon.example.test" });
        await Assertions.Expect(row).Not.ToContainTextAsync("No certificate");
        await BrowserSession.ScreenshotAsync(page, "pages-overview-expiring");
        var list = await page.APIRequest.GetAsync(server.Url + "/api/v1/definitions");
        using var listJson = JsonDocument.Parse(await list.TextAsync());
        var item = listJson.RootElement.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("commonName").GetString() == "soon.example.test");
        Assert.Equal(JsonValueKind.String, item.GetProperty("notAfter").ValueKind);
        var definitionId = item.GetProperty("id").GetString()!;
        using var definitionJson = JsonDocument.Parse(await (await page.APIRequest.GetAsync($"{server.Url}/api/v1/definitions/{definitionId}")).TextAsync());
        var certificateId = definitionJson.RootElement.GetProperty("currentCertificate").GetProperty("id").GetString()!;

        // A lifecycle-managed definition made in the form (Apache httpd, notes on two lines), a certificate from the
        // built-in CA, and a deployment with its install request: detail pages with more states to show.
        await page.GotoAsync(server.Url + "/definitions/new");
        await page.FillAsync("#Input_CommonName", "web.example.test");
        await page.FillAsync("#SansText", "web.example.test");
        await page.FillAsync("#Input_TargetServerName", "127.0.0.1");
        await page.SelectOptionAsync("#Input_ServerSoftware", new SelectOptionValue { Label = "Apache httpd" });
        await page.FillAsync("#Input_ServerAdminEmail", "web-admin@example.test");
        await page.FillAsync("#Input_Notes", "first line\nsecond line");
        await page.ClickAsync("#save-definition");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("web.example.test");
        var managedId = page.Url.Split('/')[^1];
        var acquisitionPath = await BrowserSession.AcquireFromBuiltInCaAsync(page, server.Url, managedId);
        await page.GotoAsync($"{server.Url}/definitions/{managedId}");
        await page.ClickAsync("#start-deployment");
        await page.WaitForURLAsync("**/deployments/new**");
        await page.FillAsync("#password", "Package-Passphrase-2026");
        await page.FillAsync("#password-confirm", "Package-Passphrase-2026");
        await page.ClickAsync("#prepare-submit");
        await page.WaitForURLAsync("**/deployments/*?done=prepared");
        var deploymentPath = new Uri(page.Url).AbsolutePath;
        await page.ClickAsync("#step-request summary");
        await page.ClickAsync("#request-install");
        await Assertions.Expect(page.Locator("#deployment-status")).ToContainTextAsync("Install requested");
        await BrowserSession.ScreenshotAsync(page, "pages-deployment-details");

        using var setsJson = JsonDocument.Parse(await (await page.APIRequest.GetAsync(server.Url + "/api/v1/trusted-ca-sets")).TextAsync());
        var setId = FirstId(setsJson.RootElement);

        string[] pages =
        [
            "/definitions", "/definitions/new", "/definitions/import", "/definitions/clone", $"/definitions/{definitionId}",
            $"/definitions/{definitionId}/edit", "/certificates", $"/certificates/{certificateId}", "/keys", "/acquisitions",
            "/acquisitions/due", "/requests", "/deployments", $"/documents?definition={definitionId}", "/monitor", "/trusted-ca-sets",
            $"/trusted-ca-sets/{setId}", "/trusted-ca-sets/system-files/public-roots.pem", "/private-ca", "/products", "/products/edit",
            "/provider-accounts", "/ca-contracts", "/discovery", "/emails", "/events", "/users", "/settings",
            $"/definitions/{managedId}", $"/definitions/{managedId}/edit", acquisitionPath, deploymentPath,
            $"/documents?definition={managedId}",
        ];
        foreach (var path in pages)
        {
            var response = await page.GotoAsync(server.Url + path);
            Assert.True(response is { Status: 200 }, $"{path} answered {response?.Status}");
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            var text = await page.InnerTextAsync("body");
            foreach (var raw in RawNames)
            {
                Assert.False(text.Contains(raw, StringComparison.Ordinal), $"{path} shows the raw name '{raw}'.");
            }
        }

        await page.GotoAsync($"{server.Url}/definitions/{managedId}");
        await Assertions.Expect(page.Locator(".cm-pre-wrap")).ToContainTextAsync("second line");
        await BrowserSession.ScreenshotAsync(page, "pages-definition-details");
        await page.GotoAsync($"{server.Url}/definitions/{definitionId}/edit");
        var setOptions = await page.Locator("#Input_TrustedCaSetId option").AllInnerTextsAsync();
        Assert.Single(setOptions, o => o.Contains("Default", StringComparison.Ordinal));
        var productOptions = await page.Locator("#Input_ProductId option").AllInnerTextsAsync();
        Assert.Equal(productOptions.Count, productOptions.Distinct(StringComparer.Ordinal).Count());
        Assert.Contains("Let's Encrypt DV", productOptions);

        Assert.True(problems.Count == 0, string.Join('\n', problems));

        // Unknown ids and addresses: the console's "Not found" page, with a way back; the API keeps problem JSON.
        // (Chromium logs every 404 document as "Failed to load resource"; nothing else may appear.)
        foreach (var path in new[] { $"/definitions/{Guid.NewGuid()}", $"/certificates/{Guid.NewGuid()}", "/no-such-page" })
        {
            var missing = await page.GotoAsync(server.Url + path);
            Assert.Equal(404, missing!.Status);
            await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Not found");
            await Assertions.Expect(page.Locator("#not-found-back")).ToBeVisibleAsync();
        }

        await BrowserSession.ScreenshotAsync(page, "pages-not-found");
        var apiMissing = await page.APIRequest.GetAsync($"{server.Url}/api/v1/definitions/{Guid.NewGuid()}");
        Assert.Equal(404, apiMissing.Status);
        Assert.StartsWith("application/problem+json", apiMissing.Headers["content-type"], StringComparison.Ordinal);

        problems.RemoveAll(p => p.EndsWith("Failed to load resource: the server responded with a status of 404 ()", StringComparison.Ordinal));
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    private static string FirstId(JsonElement root)
    {
        var items = root.ValueKind == JsonValueKind.Array ? root : root.GetProperty("items");
        return items.EnumerateArray().First().GetProperty("id").GetString()!;
    }

    private static Task<IBrowser> LaunchAsync(IPlaywright playwright) => BrowserTests.LaunchAsync(playwright);
}
