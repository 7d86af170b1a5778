using Microsoft.Playwright;

namespace CertMgr.EndToEnd.Tests;

/// <summary>
/// A deployment in Chromium against the real certmgr process: a certificate from the built-in CA, Deploy from the
/// definition, prepare the one-click installer, download it, record the install request, a deploy check that fails
/// (nothing listens), Manually Checked Deployment, and the history and list showing every step.
/// </summary>
public sealed class DeploymentBrowserTests
{
    private const string PackagePassword = "Package-Password-E2E-1";

    [Fact]
    public async Task Deploy_PrepareDownloadCheckManuallyConfirm_HistoryShowsSteps()
    {
        using var home = new TempHome();
        await using var server = await CertMgrServer.StartAsync(home.Path);
        const string cn = "e2e-deploy.example.test";
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await BrowserTests.LaunchAsync(playwright);
        var page = await BrowserSession.SignInAsync(browser, server);
        var definitionId = await AddDefinitionAsync(page, server, cn, TestPorts.Next());

        // A current certificate with its key, from the built-in CA.
        await BrowserSession.AcquireFromBuiltInCaAsync(page, server.Url, definitionId);

        await page.GotoAsync($"{server.Url}/definitions/{definitionId}");
        await page.ClickAsync("#start-deployment");
        await page.WaitForURLAsync("**/deployments/new**");
        await Assertions.Expect(page.Locator("#software")).ToHaveValueAsync("Nginx");
        await page.FillAsync("#password", "too-short");
        await page.FillAsync("#password-confirm", "too-short");
        await page.ClickAsync("#prepare-submit");
        await Assertions.Expect(page.Locator("#password-error")).ToContainTextAsync("at least 12 characters");
        await BrowserSession.ScreenshotAsync(page, "deployment-new-error");
        await page.FillAsync("#password", PackagePassword);
        await page.FillAsync("#password-confirm", PackagePassword);
        await page.ClickAsync("#prepare-submit");
        await page.WaitForURLAsync("**/deployments/*?done=prepared");
        await Assertions.Expect(page.Locator("#deployment-status")).ToContainTextAsync("Prepared");

        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#package-download"));
        var path = Path.Combine(home.Path, "package.sh");
        await download.SaveAsAsync(path);
        var script = await File.ReadAllTextAsync(path);
        Assert.StartsWith("#!/usr/bin/env bash", script, StringComparison.Ordinal);
        Assert.Contains(cn, script, StringComparison.Ordinal);
        Assert.DoesNotContain(PackagePassword, script, StringComparison.Ordinal);
        Assert.EndsWith("-install.sh", download.SuggestedFilename, StringComparison.Ordinal);

        await page.ClickAsync("#step-request summary");
        await Assertions.Expect(page.Locator("#email-body")).ToContainTextAsync("not in this email");
        Assert.DoesNotContain(PackagePassword, await page.ContentAsync(), StringComparison.Ordinal);
        await page.ClickAsync("#request-install");
        await Assertions.Expect(page.Locator("#deployment-status")).ToContainTextAsync("Install requested");
        await Assertions.Expect(page.Locator("#deployment-emails")).ToContainTextAsync("Certificate install request");

        await page.ClickAsync("#run-check");
        await Assertions.Expect(page.Locator("#deployment-status")).ToContainTextAsync("Check failed");
        await Assertions.Expect(page.Locator("#check-result")).ToContainTextAsync("Unreachable");
        await BrowserSession.ScreenshotAsync(page, "deployment-check-failed");

        await page.FillAsync("#manual-note", "checked in a browser from the server's network");
        await page.ClickAsync("#manual-confirm");
        await Assertions.Expect(page.Locator("#deployment-status")).ToContainTextAsync("Manually confirmed");
        await Assertions.Expect(page.Locator("#completed-message")).ToBeVisibleAsync();
        var actions = await page.Locator("#deployment-history li").EvaluateAllAsync<string[]>("items => items.map(i => i.dataset.action)");
        Assert.Equal(["manual-confirm", "check", "request-install", "prepare"], actions);
        await Assertions.Expect(page.Locator("#deployment-history")).ToContainTextAsync("checked in a browser");
        await BrowserSession.ScreenshotAsync(page, "deployment-details");

        await page.GotoAsync(server.Url + "/deployments");
        var row = page.Locator("#deployments-list tbody tr", new() { HasTextString = cn });
        await Assertions.Expect(row).ToContainTextAsync("Manually confirmed");
        await Assertions.Expect(row).ToContainTextAsync("nginx");
        await BrowserSession.ScreenshotAsync(page, "deployments");
        await page.SelectOptionAsync("select[name=status]", "open");
        await Assertions.Expect(page.Locator("#deployments-list")).ToContainTextAsync("No deployment process matches");
    }

    /// <summary>Adds a lifecycle-managed nginx definition, checked on 127.0.0.1:<paramref name="checkPort"/>, through the REST API.</summary>
    private static Task<Guid> AddDefinitionAsync(IPage page, CertMgrServer server, string cn, int checkPort) =>
        ConsoleApi.CreateDefinitionAsync(page, server.Url, new Dictionary<string, object?>
        {
            ["name"] = cn, ["operationMode"] = "LifecycleManaged", ["commonName"] = cn, ["organization"] = "Example Ltd", ["country"] = "DE",
            ["subjectAlternativeNames"] = new[] { cn }, ["keyAlgorithm"] = "Ecdsa", ["keySize"] = 256, ["serverSoftware"] = "Nginx", ["port"] = 443,
            ["serverNameForCheck"] = "127.0.0.1", ["checkPort"] = checkPort, ["serverAdminEmail"] = "web-team@example.test",
            ["targetServerName"] = "web01.example.test", ["tags"] = ConsoleApi.E2eTags,
        });

}
