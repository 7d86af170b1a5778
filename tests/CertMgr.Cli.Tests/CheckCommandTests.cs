using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace CertMgr.Cli.Tests;

/// <summary><c>certmgr check</c> against a real <c>openssl s_server</c> on loopback.</summary>
public sealed class CheckCommandTests : IAsyncLifetime
{
    private readonly string _work = Directory.CreateTempSubdirectory("certmgr-check-").FullName;
    private readonly int _port = TestPorts.Next();
    private Process? _server;

    public async Task InitializeAsync()
    {
        Openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-noenc", "-keyout", "k.pem", "-out", "c.pem",
            "-subj", "/CN=check.test", "-addext", "subjectAltName=DNS:check.test", "-days", "10");
        Openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-noenc", "-keyout", "other.key", "-out", "other.pem",
            "-subj", "/CN=Other CA", "-days", "10");
        var start = new ProcessStartInfo("openssl", ["s_server", "-accept", $"127.0.0.1:{_port}", "-cert", "c.pem", "-key", "k.pem", "-quiet"])
        {
            WorkingDirectory = _work, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
        };
        _server = Process.Start(start)!;
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, _port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new InvalidOperationException("openssl s_server did not start");
    }

    public Task DisposeAsync()
    {
        if (_server is { HasExited: false })
        {
            _server.Kill(entireProcessTree: true);
            _server.WaitForExit(5000);
        }

        _server?.Dispose();
        Directory.Delete(_work, recursive: true);
        return Task.CompletedTask;
    }

    private void Openssl(params string[] args)
    {
        var start = new ProcessStartInfo("openssl", args) { WorkingDirectory = _work, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(30_000), "openssl timed out");
        Assert.True(process.ExitCode == 0, error);
    }

    private static async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync(args, output, error, CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Check_TrustedButCloseToExpiry_NgExitOneWithValidityReason()
    {
        var (code, output, _) = await RunAsync("check", $"127.0.0.1:{_port}", "--sni", "check.test", "--ca-file", Path.Combine(_work, "c.pem"), "--json");

        Assert.Equal(1, code);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal("NG", root.GetProperty("status").GetString());
        Assert.Equal(1, root.GetProperty("chainLength").GetInt32());
        Assert.InRange(root.GetProperty("daysRemaining").GetInt32(), 8, 10);
        var checks = root.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("ok").GetBoolean());
        Assert.True(checks["chain"]);
        Assert.True(checks["name"]);
        Assert.False(checks["validity"]);
        Assert.Equal(64, root.GetProperty("sha256").GetString()!.Length);
    }

    [Fact]
    public async Task Check_LowerThresholdAndRightThumbprint_OkExitZero()
    {
        var (_, fingerprintOut, _) = await RunAsync("inspect", Path.Combine(_work, "c.pem"), "--json");
        var sha1 = JsonDocument.Parse(fingerprintOut).RootElement.GetProperty("sha1").GetString()!;

        var (code, output, error) = await RunAsync("check", $"127.0.0.1:{_port}", "--sni", "check.test", "--ca-file", Path.Combine(_work, "c.pem"),
            "--threshold", "5", "--expect-sha1", string.Join(':', sha1.Chunk(2).Select(c => new string(c))));

        Assert.True(code == 0, output + error);
        Assert.Contains(": OK", output, StringComparison.Ordinal);
        Assert.Contains("[ok] thumbprint", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_UntrustedCaWrongNameWrongThumbprint_NgWithEachReason()
    {
        var (code, output, _) = await RunAsync("check", $"127.0.0.1:{_port}", "--sni", "wrong.test", "--ca-file", Path.Combine(_work, "other.pem"),
            "--threshold", "0", "--expect-sha1", new string('A', 40), "--json");

        Assert.Equal(1, code);
        var checks = JsonDocument.Parse(output).RootElement.GetProperty("checks").EnumerateArray()
            .ToDictionary(c => c.GetProperty("name").GetString()!, c => (Ok: c.GetProperty("ok").GetBoolean(), Detail: c.GetProperty("detail").GetString()!));
        Assert.False(checks["thumbprint"].Ok);
        Assert.False(checks["chain"].Ok);
        Assert.False(checks["name"].Ok);
        Assert.Contains("check.test", checks["name"].Detail, StringComparison.Ordinal);
        Assert.True(checks["validity"].Ok);
    }

    [Fact]
    public async Task Check_ClosedPort_UnreachableExitThree()
    {
        var (code, output, _) = await RunAsync("check", $"127.0.0.1:{TestPorts.Next()}", "--ca-file", Path.Combine(_work, "c.pem"), "--json");

        Assert.Equal(3, code);
        var root = JsonDocument.Parse(output).RootElement;
        Assert.Equal("Unreachable", root.GetProperty("status").GetString());
        Assert.Contains("refused", root.GetProperty("reason").GetString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Check_DefaultTrustSetOfAHome_PublicRootsDoNotTrustThisServer()
    {
        var home = Path.Combine(_work, "home");
        Assert.Equal(0, (await RunAsync("ca", "gen-crl", "--home", home, "--out", Path.Combine(_work, "ca.crl"))).Code); // a home with its default set

        var (code, output, error) = await RunAsync("check", $"127.0.0.1:{_port}", "--sni", "check.test", "--home", home, "--threshold", "0", "--json");
        var (unknownCode, _, unknownError) = await RunAsync("check", $"127.0.0.1:{_port}", "--home", home, "--trust-set", "Nope");

        Assert.True(code == 1, output + error);
        var chain = JsonDocument.Parse(output).RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "chain");
        Assert.False(chain.GetProperty("ok").GetBoolean());
        Assert.StartsWith($"default Trusted CA Set 'Default' of {home} (", JsonDocument.Parse(output).RootElement.GetProperty("trustAnchors").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, unknownCode);
        Assert.Contains("Nope", unknownError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_ExplicitHomeThatDoesNotExist_FailsAndCreatesNothing()
    {
        var home = Path.Combine(_work, "typo-home");

        var (code, _, error) = await RunAsync("check", $"127.0.0.1:{_port}", "--home", home);

        Assert.Equal(1, code);
        Assert.Contains("there is no CertMgr data directory", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(home));
    }

    /// <summary>The real certmgr process in an empty working directory, with no CERTMGR_HOME: the default ./certmgr-data.</summary>
    private static async Task<(int Code, string Out, string Err)> RunProcessInAsync(string cwd, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = cwd, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "certmgr.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("CERTMGR_HOME");
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }

    [Fact]
    public async Task Check_NoHomeInEmptyDirectory_PublicRootsNamedAndNoDirectoryCreated()
    {
        var cwd = Directory.CreateDirectory(Path.Combine(_work, "empty-cwd")).FullName;

        var (code, output, error) = await RunProcessInAsync(cwd, "check", $"127.0.0.1:{_port}", "--sni", "check.test", "--threshold", "0");
        var (caCode, caOutput, caError) = await RunProcessInAsync(cwd, "check", $"127.0.0.1:{_port}", "--sni", "check.test", "--threshold", "0",
            "--ca-file", Path.Combine(_work, "c.pem"));

        Assert.True(code == 1, output + error); // a self-signed server: not trusted by the public roots
        Assert.Matches(@"trust anchors built-in public roots \(\d{2,} CAs\)", output);
        Assert.Contains("[NG] chain", output, StringComparison.Ordinal);
        Assert.True(caCode == 0, caOutput + caError);
        Assert.Contains($"trust anchors --ca-file {Path.Combine(_work, "c.pem")} (1 CA)", caOutput, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(cwd));
    }

    [Theory]
    [InlineData("check", "127.0.0.1:443", "--trust-set", "A", "--ca-file", "/etc/hostname")]
    [InlineData("check", "host:0")]
    [InlineData("check", "127.0.0.1:443", "--expect-sha1", "XYZ")]
    [InlineData("check", "127.0.0.1:443", "--threshold", "-1")]
    [InlineData("check", "127.0.0.1:443", "--timeout", "0")]
    public async Task Check_BadUsage_ExitTwo(params string[] args)
    {
        var (code, _, error) = await RunAsync(args);

        Assert.Equal(2, code);
        Assert.StartsWith("certmgr: ", error, StringComparison.Ordinal);
    }
}
