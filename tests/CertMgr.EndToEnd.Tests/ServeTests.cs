using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace CertMgr.EndToEnd.Tests;

public sealed class ServeTests
{
    /// <summary>An HTTPS client that trusts only this data directory's built-in CA, and checks the host name.</summary>
    private static HttpClient ClientTrusting(string caPemPath, Action<X509Certificate2>? seen = null)
    {
        var ca = X509Certificate2.CreateFromPem(File.ReadAllText(caPemPath));
        var handler = new HttpClientHandler
        {
            AllowAutoRedirect = false,
            ServerCertificateCustomValidationCallback = (_, cert, _, errors) =>
            {
                if (cert is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
                {
                    return false;
                }

                seen?.Invoke(X509CertificateLoader.LoadCertificate(cert.RawData));
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(cert);
            },
        };
        return new HttpClient(handler);
    }

    [Fact]
    public async Task Serve_FirstStart_InitializesHomeAndServesHttpsFromBuiltInCa()
    {
        using var home = new TempHome();
        await using var server = await CertMgrServer.StartAsync(home.Path);

        Assert.NotNull(server.InitialPassword);
        Assert.Matches("^[A-Za-z0-9]{5}(-[A-Za-z0-9]{5}){4}$", server.InitialPassword);
        Assert.Equal(server.InitialPassword + "\n", await File.ReadAllTextAsync(Path.Combine(home.Path, "initial-admin-password.txt")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(home.Path, "master.key")));
        Assert.True(File.Exists(Path.Combine(home.Path, "db", "certmgr.db")));
        Assert.True(Directory.Exists(Path.Combine(home.Path, "docs")));
        Assert.True(File.Exists(Path.Combine(home.Path, "trusted-cas", "system-list", "certmgr-private-ca.pem")));

        X509Certificate2? served = null;
        using var client = ClientTrusting(Path.Combine(home.Path, "ca", "ca-cert.pem"), c => served = c);
        Assert.StartsWith("https://127.0.0.1:", server.Url, StringComparison.Ordinal);
        Assert.Contains("\"ok\"", await client.GetStringAsync(server.Url + "/healthz"), StringComparison.Ordinal);
        using var root = await client.GetAsync(server.Url + "/");
        Assert.Equal(HttpStatusCode.Redirect, root.StatusCode);
        Assert.StartsWith("/account/login", root.Headers.Location!.PathAndQuery, StringComparison.Ordinal);

        // The console's own files are served (not empty shells): every stylesheet the sign-in page links.
        var login = await client.GetStringAsync(server.Url + "/account/login");
        var sheets = System.Text.RegularExpressions.Regex.Matches(login, "<link rel=\"stylesheet\" href=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(sheets);
        foreach (var sheet in sheets)
        {
            var css = await client.GetStringAsync(server.Url + sheet);
            Assert.True(css.Length > 500, $"{sheet} is {css.Length} bytes");
        }

        Assert.NotNull(served);
        foreach (var name in new[] { "localhost", "127.0.0.1", "::1", Dns.GetHostName() })
        {
            Assert.True(served.MatchesHostname(name, allowWildcards: false, allowCommonName: false), name);
        }

        // The logs say where things are, and hold the password nowhere but the one-time notice.
        var all = server.Output + server.Errors;
        Assert.Contains($"CertMgr data directory: {home.Path}", all, StringComparison.Ordinal);
        Assert.Contains($"CertMgr console: {server.Url}", all, StringComparison.Ordinal);
        Assert.Equal(1, CountOf(all, server.InitialPassword));
    }

    [Fact]
    public async Task Serve_Restart_ReusesCaCertificateAndUsersWithoutNewPassword()
    {
        using var home = new TempHome();
        var caPath = Path.Combine(home.Path, "ca", "ca-cert.pem");
        string firstCa, firstThumbprint, password;
        await using (var first = await CertMgrServer.StartAsync(home.Path))
        {
            password = first.InitialPassword!;
            firstCa = await File.ReadAllTextAsync(caPath);
            firstThumbprint = await ServedThumbprintAsync(first.Url, caPath);
            Assert.Equal(0, await first.StopAsync());
        }

        await using var second = await CertMgrServer.StartAsync(home.Path);

        Assert.Null(second.InitialPassword);
        Assert.DoesNotContain("initial password", second.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Created the built-in private CA", second.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Issued the console TLS certificate", second.Output, StringComparison.Ordinal);
        Assert.Equal(firstCa, await File.ReadAllTextAsync(caPath));
        Assert.Equal(firstThumbprint, await ServedThumbprintAsync(second.Url, caPath));
        Assert.Equal(password + "\n", await File.ReadAllTextAsync(Path.Combine(home.Path, "initial-admin-password.txt")));
    }

    [Fact]
    public async Task Serve_JsonLogFormat_EveryLogLineIsJsonWithNamedValues()
    {
        using var home = new TempHome();
        await using var server = await CertMgrServer.StartAsync(home.Path, new Dictionary<string, string> { ["CERTMGR_LOG_FORMAT"] = "json" });
        await server.StopAsync();

        var logLines = server.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => l.StartsWith('{'))
            .Select(l => System.Text.Json.JsonDocument.Parse(l))
            .ToList();
        Assert.Contains(logLines, d => d.RootElement.GetProperty("State").TryGetProperty("DataDirectory", out var v) && v.GetString() == home.Path);
        Assert.Contains(logLines, d => d.RootElement.GetProperty("State").TryGetProperty("Url", out var v) && v.GetString() == server.Url);
        Assert.DoesNotContain(logLines, d => d.RootElement.GetRawText().Contains(server.InitialPassword!, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Serve_PortInUse_OneLineErrorAndExitOne()
    {
        using var home = new TempHome();
        using var blocker = new TcpListener(IPAddress.Loopback, 0);
        blocker.Start();
        var port = ((IPEndPoint)blocker.LocalEndpoint).Port;

        var info = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { CertMgrServer.ExecutableDll, "serve", "--home", home.Path, "--urls", $"https://127.0.0.1:{port}" })
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(1, process.ExitCode);
        var errorLines = (await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(errorLines);
        Assert.Contains($"cannot listen on https://127.0.0.1:{port}", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", await stdout, StringComparison.Ordinal);
    }

    private static async Task<string> ServedThumbprintAsync(string url, string caPath)
    {
        X509Certificate2? served = null;
        using var client = ClientTrusting(caPath, c => served = c);
        Assert.Contains("\"ok\"", await client.GetStringAsync(url + "/healthz"), StringComparison.Ordinal);
        return served!.Thumbprint;
    }

    private static int CountOf(string text, string value)
    {
        var count = 0;
        for (var i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
