using Microsoft.Playwright;

namespace CertMgr.EndToEnd.Tests;

/// <summary>
/// Access control in Chromium against the real certmgr process: the Users screen (add with per-field password policy
/// errors, the own-account guard), sign-in lockout with the delay message and an administrator's unlock, role
/// restrictions for a User, the Audit Log with its filter and export, and the IP allow-list changed while a page is open.
/// </summary>
public sealed class AccessBrowserTests
{
    private const string CarolPassword = "amber lighthouse over fjords";
    private const string CarolOwnPassword = "quiet orchard beneath snow";

    [Fact]
    public async Task Users_AddLockoutUnlockRolesAndAudit_InTheConsole()
    {
        using var home = new TempHome();
        await using var server = await CertMgrServer.StartAsync(home.Path);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await BrowserTests.LaunchAsync(playwright);
        var admin = await BrowserSession.SignInAsync(browser, server);

        // Add a user: the password policy answers on its field, and nothing is added.
        await admin.GotoAsync(server.Url + "/users/new");
        await admin.FillAsync("#UserName", "carol");
        await admin.FillAsync("#InitialPassword", "short");
        await admin.FillAsync("#ConfirmPassword", "short");
        await admin.ClickAsync("#user-save");
        await Assertions.Expect(admin.Locator("span[data-valmsg-for=InitialPassword]")).ToContainTextAsync("at least 12 characters");
        await BrowserSession.ScreenshotAsync(admin, "users-new-errors");
        await admin.GotoAsync(server.Url + "/users");
        await Assertions.Expect(admin.Locator("#users-table tr[data-user=carol]")).ToHaveCountAsync(0);

        await admin.GotoAsync(server.Url + "/users/new");
        await admin.FillAsync("#UserName", "carol");
        await admin.FillAsync("#InitialPassword", CarolPassword);
        await admin.FillAsync("#ConfirmPassword", CarolPassword);
        await admin.ClickAsync("#user-save");
        await Assertions.Expect(admin.Locator("#user-flash")).ToContainTextAsync("carol was added");

        // The own-account guard, shown clearly.
        await admin.GotoAsync(server.Url + "/users?q=admin");
        await admin.Locator("#users-table tr[data-user=admin] a").ClickAsync();
        await admin.ClickAsync("#disable-user");
        await admin.ClickAsync("#confirm-action");
        await Assertions.Expect(admin.Locator("#user-error")).ToContainTextAsync("You cannot disable or demote your own account");
        await BrowserSession.ScreenshotAsync(admin, "users-own-account-guard");

        // Carol's sign-ins fail until the address is refused with the delay.
        var carol = await NewPageAsync(browser);
        await carol.GotoAsync(server.Url + "/account/login");
        for (var i = 0; i < 20; i++)
        {
            await carol.FillAsync("#UserName", "carol");
            await carol.FillAsync("#Password", "wrong password " + i);
            await carol.ClickAsync("#sign-in");
            await Assertions.Expect(carol.Locator("form")).ToBeVisibleAsync();
        }

        await carol.FillAsync("#UserName", "carol");
        await carol.FillAsync("#Password", CarolPassword);
        await carol.ClickAsync("#sign-in");
        await Assertions.Expect(carol.GetByText("Too many failed sign-ins from your address. Try again in 15 minutes.")).ToBeVisibleAsync();
        await BrowserSession.ScreenshotAsync(carol, "login-lockout");

        // The administrator (signed in before) sees the lockout and unlocks her.
        await admin.GotoAsync(server.Url + "/users?status=locked");
        await Assertions.Expect(admin.Locator("#users-table tr[data-user=carol]")).ToContainTextAsync("Locked (1 address)");
        await BrowserSession.ScreenshotAsync(admin, "users-list-locked");
        await admin.Locator("#users-table tr[data-user=carol] a").ClickAsync();
        await admin.ClickAsync("#unlock-user");
        await Assertions.Expect(admin.Locator("#confirm-card")).ToContainTextAsync("127.0.0.1");
        await admin.ClickAsync("#confirm-action");
        await Assertions.Expect(admin.Locator("#user-flash")).ToContainTextAsync("unlocked");
        await Assertions.Expect(admin.Locator("#user-lockout")).ToContainTextAsync("Not locked");
        await BrowserSession.ScreenshotAsync(admin, "users-details");

        // Now she signs in (and must replace the initial password).
        await carol.FillAsync("#UserName", "carol");
        await carol.FillAsync("#Password", CarolPassword);
        await carol.ClickAsync("#sign-in");
        await carol.WaitForURLAsync("**/account/change-password**");
        await carol.FillAsync("#CurrentPassword", CarolPassword);
        await carol.FillAsync("#NewPassword", CarolOwnPassword);
        await carol.FillAsync("#ConfirmPassword", CarolOwnPassword);
        await carol.ClickAsync("#change-password");
        await Assertions.Expect(carol.Locator("h1")).ToHaveTextAsync("Certificate Definitions");

        // A User sees no admin navigation and gets the forbidden page on admin URLs.
        await Assertions.Expect(carol.Locator("#cm-sidebar")).ToContainTextAsync("Event Log");
        await Assertions.Expect(carol.Locator("#cm-sidebar a[href$='/users']")).ToHaveCountAsync(0);
        await Assertions.Expect(carol.Locator("#cm-sidebar a[href$='/audit']")).ToHaveCountAsync(0);
        await Assertions.Expect(carol.Locator("#cm-sidebar a[href$='/settings']")).ToHaveCountAsync(0);
        await Assertions.Expect(admin.Locator("#cm-sidebar a[href$='/users']")).ToHaveCountAsync(1);
        foreach (var path in new[] { "/users", "/users/new", "/audit", "/settings" })
        {
            await carol.GotoAsync(server.Url + path);
            await Assertions.Expect(carol.Locator("h1")).ToContainTextAsync("Access denied");
        }

        await BrowserSession.ScreenshotAsync(carol, "user-role-denied");

        // The Audit Log: failed sign-ins with the address, the unlock, the filter carried into the export.
        await admin.GotoAsync(server.Url + "/audit?Action=sign-in&Outcome=failure&Actor=carol");
        // 20 wrong passwords and the first sign-in refused while the address was blocked (recorded once per block).
        await Assertions.Expect(admin.Locator("#audit-table tbody tr")).ToHaveCountAsync(21);
        await Assertions.Expect(admin.Locator("#audit-table")).ToContainTextAsync("address blocked for");
        await Assertions.Expect(admin.Locator("#audit-table")).ToContainTextAsync("127.0.0.1");
        await Assertions.Expect(admin.Locator("#audit-table")).ToContainTextAsync("wrong password; account locked for this address");
        var export = await admin.Locator("#export-csv").GetAttributeAsync("href");
        Assert.Contains("actor=carol", export, StringComparison.Ordinal);
        Assert.Contains("action=sign-in", export, StringComparison.Ordinal);
        var csv = await admin.APIRequest.GetAsync(server.Url + export);
        Assert.Equal(200, csv.Status);
        var lines = (await csv.TextAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(22, lines.Length); // header + the 21 rows above
        Assert.All(lines.Skip(1), l => Assert.Contains(",carol,127.0.0.1,User,", l, StringComparison.Ordinal));

        await admin.GotoAsync(server.Url + "/audit?Type=User&Q=carol");
        await Assertions.Expect(admin.Locator("#audit-table")).ToContainTextAsync("unlock-user");
        await Assertions.Expect(admin.Locator("#audit-table")).ToContainTextAsync("create-user");
        await BrowserSession.ScreenshotAsync(admin, "audit-log");
        var everything = await (await admin.APIRequest.GetAsync(server.Url + "/api/v1/audit?format=json")).TextAsync();
        Assert.DoesNotContain(CarolPassword, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(CarolOwnPassword, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(BrowserSession.AdminPassword, everything, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IpAllowList_ChangedWhilePageOpen_RefusedThenAllowedAgain()
    {
        using var home = new TempHome();
        await using var server = await CertMgrServer.StartAsync(home.Path);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await BrowserTests.LaunchAsync(playwright);
        var admin = await BrowserSession.SignInAsync(browser, server);
        var acl = Path.Combine(home.Path, "ip_acl.txt");

        File.WriteAllText(acl, "# only the other loopback address\n127.0.0.2\n");
        var refused = await ReloadUntilAsync(admin, 403);
        Assert.Contains("Access from your address is not allowed.", await refused.TextAsync(), StringComparison.Ordinal);
        await BrowserSession.ScreenshotAsync(admin, "ip-acl-refused");

        File.WriteAllText(acl, "127.0.0.0/8\n");
        await ReloadUntilAsync(admin, 200);
        await Assertions.Expect(admin.Locator("h1")).ToHaveTextAsync("Certificate Definitions");
        await BrowserSession.ScreenshotAsync(admin, "ip-acl-allowed");
    }

    private static async Task<IResponse> ReloadUntilAsync(IPage page, int status)
    {
        for (var i = 0; ; i++)
        {
            var response = await page.ReloadAsync();
            if (response is not null && response.Status == status)
            {
                return response;
            }

            Assert.True(i < 50, $"The page never answered {status}.");
            await Task.Delay(200);
        }
    }

    private static async Task<IPage> NewPageAsync(IBrowser browser)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { IgnoreHTTPSErrors = true, ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
        return await context.NewPageAsync();
    }
}
