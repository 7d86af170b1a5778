using Microsoft.Playwright;

namespace CertMgr.EndToEnd.Tests;

/// <summary>
/// Auto-install in Chromium against the real certmgr process: the settings form with field errors and profile
/// defaults, a password that is never shown again, the Test report, and Try auto-install on a deployment (the SSH
/// server is not there, so it fails at connect, recorded in the history).
/// </summary>
public sealed class AutoInstallBrowserTests
{
    private const string SshPassword = "Browser-SSH-Password-9";

    [Fact]
    public async Task AutoInstall_FormErrorsSaveTestAndTryOnDeployment()
    {
        using var home = new TempHome();
        await using var server = await CertMgrServer.StartAsync(home.Path);
        const string cn = "e2e-auto-install.example.test";
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await BrowserTests.LaunchAsync(playwright);
        var page = await BrowserSession.SignInAsync(browser, server);
        var sshPort = TestPorts.Next();
        var definitionId = await ConsoleApi.CreateDefinitionAsync(page, server.Url, new Dictionary<string, object?>
        {
            ["name"] = cn, ["operationMode"] = "LifecycleManaged", ["commonName"] = cn, ["subjectAlternativeNames"] = new[] { cn },
            ["keyAlgorithm"] = "Ecdsa", ["keySize"] = 256, ["serverSoftware"] = "Nginx", ["port"] = 443, ["serverNameForCheck"] = "127.0.0.1",
            ["checkPort"] = TestPorts.Next(), ["serverAdminEmail"] = "web-team@example.test", ["targetServerName"] = "127.0.0.1", ["tags"] = ConsoleApi.E2eTags,
        });

        await page.GotoAsync($"{server.Url}/definitions/{definitionId}");
        await page.ClickAsync("#auto-install");
        await page.WaitForURLAsync("**/auto-install");
        await Assertions.Expect(page.Locator("#auto-install-status")).ToContainTextAsync("Not set up");
        await page.FillAsync("#host", "");
        await page.SelectOptionAsync("#auth-method", "Password");
        await page.ClickAsync("#save-auto-install");
        await Assertions.Expect(page.Locator("#auto-install-error")).ToContainTextAsync("Some fields need attention");
        await Assertions.Expect(page.Locator("#auto-install-form")).ToContainTextAsync("Enter the SSH host name or address.");
        await Assertions.Expect(page.Locator("#auto-install-form")).ToContainTextAsync("Enter the SSH password.");
        await BrowserSession.ScreenshotAsync(page, "auto-install-errors");

        await page.FillAsync("#host", "127.0.0.1");
        await page.FillAsync("#port", sshPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.FillAsync("#username", "deploy");
        await page.SelectOptionAsync("#auth-method", "Password");
        await page.FillAsync("#password", SshPassword);
        await page.ClickAsync("#save-auto-install");
        await page.WaitForURLAsync("**/auto-install?done=saved");
        await Assertions.Expect(page.Locator("#auto-install-status")).ToContainTextAsync("On");
        await Assertions.Expect(page.Locator("#key-path")).ToHaveValueAsync($"/etc/nginx/ssl/{cn}/privkey.pem");
        await Assertions.Expect(page.Locator("#validate-command")).ToHaveValueAsync("nginx -t -q");
        Assert.DoesNotContain(SshPassword, await page.ContentAsync(), StringComparison.Ordinal);

        await page.ClickAsync("#test-auto-install");
        await Assertions.Expect(page.Locator("#auto-install-report")).ToContainTextAsync("Cannot connect over SSH");
        await BrowserSession.ScreenshotAsync(page, "auto-install");

        // A deployment offers Try auto-install; with no SSH server there it fails at connect, and the history says so.
        await BrowserSession.AcquireFromBuiltInCaAsync(page, server.Url, definitionId);
        await page.GotoAsync($"{server.Url}/definitions/{definitionId}");
        await page.ClickAsync("#start-deployment");
        await page.WaitForURLAsync("**/deployments/new**");
        await page.FillAsync("#password", "Package-Password-E2E-1");
        await page.FillAsync("#password-confirm", "Package-Password-E2E-1");
        await page.ClickAsync("#prepare-submit");
        await page.WaitForURLAsync("**/deployments/*?done=prepared");
        await page.ClickAsync("#try-auto-install");
        await Assertions.Expect(page.Locator("body")).ToContainTextAsync("Cannot connect over SSH");
        await Assertions.Expect(page.Locator("#deployment-history")).ToContainTextAsync("failed at connect");
        await Assertions.Expect(page.Locator("#deployment-status")).ToContainTextAsync("Prepared");
        await BrowserSession.ScreenshotAsync(page, "auto-install-deployment");
    }

}
