using System.Net;
using System.Text.Json;
using Microsoft.Playwright;

namespace CertMgr.EndToEnd.Tests;

/// <summary>
/// Security of the real certmgr process: owner-only data directory (umask, an existing open home tightened),
/// oversized console form posts as 413 problems without a stack trace, sessions revoked at sign-out, Secure cookies.
/// </summary>
public sealed class SecurityServeTests
{
    private static readonly Dictionary<string, string> CsrfHeader = new() { ["X-CertMgr-Csrf"] = "1" };

    [Fact]
    public async Task Serve_Existing755Home_TightenedAndDatabaseWalDocumentsKeysOwnerOnly_OversizedFormPost413()
    {
        using var home = new TempHome();
        Directory.CreateDirectory(home.Path);
        File.SetUnixFileMode(home.Path, (UnixFileMode)0b111_101_101);
        await using var server = await CertMgrServer.StartAsync(home.Path);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await BrowserTests.LaunchAsync(playwright);
        var page = await BrowserSession.SignInAsync(browser, server);

        var definitionId = await ConsoleApi.CreateDefinitionAsync(page, server.Url, new Dictionary<string, object?> { ["commonName"] = "modes.example.test" });
        var form = page.APIRequest.CreateFormData();
        form.Set("file", new FilePayload { Name = "order.txt", MimeType = "text/plain", Buffer = "order"u8.ToArray() });
        form.Set("kind", "OrderDocument");
        var uploaded = await page.APIRequest.PostAsync($"{server.Url}/api/v1/definitions/{definitionId}/documents", new() { Multipart = form, Headers = CsrfHeader });
        Assert.Equal(201, uploaded.Status);

        await page.GotoAsync($"{server.Url}/documents?definition={definitionId}");
        await Assertions.Expect(page.Locator("#documents-table")).ToContainTextAsync("order.txt");
        await BrowserSession.ScreenshotAsync(page, "documents-admin");

        // The console's upload form, over the page's 10 MB limit: a 413 problem, not an empty 400.
        var big = page.APIRequest.CreateFormData();
        big.Set("file", new FilePayload { Name = "big.bin", MimeType = "application/octet-stream", Buffer = new byte[11 * 1024 * 1024] });
        big.Set("kind", "Other");
        var tooLarge = await page.APIRequest.PostAsync($"{server.Url}/documents?definition={definitionId}&handler=Upload", new() { Multipart = big });
        Assert.Equal(413, tooLarge.Status);
        using (var problem = JsonDocument.Parse(await tooLarge.TextAsync()))
        {
            Assert.Equal("body-too-large", problem.RootElement.GetProperty("code").GetString());
        }

        await server.StopAsync();
        Assert.Contains("made it owner-only", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", server.Output + server.Errors, StringComparison.Ordinal);
        const UnixFileMode dir = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        const UnixFileMode file = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        Assert.Equal(dir, File.GetUnixFileMode(home.Path));
        var files = Directory.EnumerateFiles(home.Path, "*", SearchOption.AllDirectories).ToList();
        Assert.Contains(files, f => f.EndsWith("certmgr.db", StringComparison.Ordinal));
        Assert.Contains(files, f => f.Contains($"{Path.DirectorySeparatorChar}docs{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith("master.key", StringComparison.Ordinal));
        Assert.All(files, f => Assert.True(File.GetUnixFileMode(f) == file, $"{f} is {File.GetUnixFileMode(f)}"));
        Assert.All(Directory.EnumerateDirectories(home.Path, "*", SearchOption.AllDirectories), d => Assert.True(File.GetUnixFileMode(d) == dir, $"{d} is {File.GetUnixFileMode(d)}"));
    }

    [Fact]
    public async Task SignOut_ReplayedSessionCookie_Refused_AntiforgeryCookieSecure()
    {
        using var home = new TempHome();
        await using var server = await CertMgrServer.StartAsync(home.Path);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await BrowserTests.LaunchAsync(playwright);
        var page = await BrowserSession.SignInAsync(browser, server);
        var cookies = await page.Context.CookiesAsync();
        var session = cookies.Single(c => c.Name == "certmgr.session");
        Assert.True(cookies.Single(c => c.Name == "certmgr.csrf").Secure);

        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator, UseCookies = false, AllowAutoRedirect = false };
        using var copy = new HttpClient(handler) { BaseAddress = new Uri(server.Url) };
        copy.DefaultRequestHeaders.Add("Cookie", $"{session.Name}={session.Value}");
        Assert.Equal(HttpStatusCode.OK, (await copy.GetAsync("/api/v1/definitions")).StatusCode);

        await page.ClickAsync("#cm-user-menu");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.WaitForURLAsync("**/account/login**");

        Assert.Equal(HttpStatusCode.Unauthorized, (await copy.GetAsync("/api/v1/definitions")).StatusCode);
        var console = await copy.GetAsync("/definitions");
        Assert.Equal(HttpStatusCode.Redirect, console.StatusCode);
        Assert.Contains("/account/login", console.Headers.Location?.ToString(), StringComparison.OrdinalIgnoreCase);
    }
}
