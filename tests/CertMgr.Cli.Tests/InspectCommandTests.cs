using System.Diagnostics;
using System.Text.Json;

namespace CertMgr.Cli.Tests;

/// <summary>Files for the inspect tests, made by the real openssl at test time.</summary>
public sealed class InspectFiles : IDisposable
{
    public const string Password = "cli-pass";

    public const string StorePassword = "cli-store-pass";

    public const string KeyPassword = "cli-key-pass";

    public InspectFiles()
    {
        Directory = Path.Combine(Path.GetTempPath(), "certmgr-inspect-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        OpenSsl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-noenc", "-keyout", "server.key",
            "-out", "server.pem", "-subj", "/CN=inspect.example.test/O=Example Org", "-days", "30",
            "-addext", "subjectAltName=DNS:inspect.example.test,IP:127.0.0.1");
        OpenSsl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-noenc", "-keyout", "other.key",
            "-out", "other.pem", "-subj", "/CN=other.example.test", "-days", "30");
        OpenSsl("req", "-new", "-key", "server.key", "-out", "server.csr", "-subj", "/CN=inspect.example.test");
        OpenSsl("pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", "server.key", "-passout", "pass:" + Password, "-out", "server.enc.key");
        OpenSsl("pkcs12", "-export", "-in", "server.pem", "-inkey", "server.key", "-passout", "pass:" + Password,
            "-certpbe", "AES-256-CBC", "-keypbe", "AES-256-CBC", "-macalg", "sha256", "-out", "server.pfx");
        OpenSsl("req", "-x509", "-newkey", "ed25519", "-noenc", "-keyout", "ed.key", "-out", "ed.pem", "-subj", "/CN=ed", "-days", "30");
        OpenSsl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-noenc", "-keyout", "ca.key",
            "-out", "ca.pem", "-subj", "/CN=Inspect Test CA", "-days", "30");
        OpenSsl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-out", "issued.pem", "-days", "30");
        File.WriteAllBytes(PathOf("empty.crt"), []);
        File.WriteAllBytes(PathOf("half.pfx"), File.ReadAllBytes(PathOf("server.pfx"))[..300]);
        JavaKeyStores.WriteSplitPkcs12(Directory, "server.pfx", Password, "split.p12", StorePassword, KeyPassword);
    }

    public string Directory { get; }

    public string PathOf(string name) => Path.Combine(Directory, name);

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);

    private void OpenSsl(params string[] args)
    {
        var start = new ProcessStartInfo("openssl") { WorkingDirectory = Directory, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"openssl {string.Join(' ', args)} failed: {stderr} {stdout.Result}");
        }
    }
}

public sealed class InspectCommandTests(InspectFiles files) : IClassFixture<InspectFiles>
{
    private static async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync(args, output, error, CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Inspect_Pkcs12WithPassword_PrintsAlignedFields()
    {
        var (code, output, error) = await RunAsync("inspect", files.PathOf("server.pfx"), "--password", InspectFiles.Password);

        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.Contains("Format:        PKCS#12", output, StringComparison.Ordinal);
        Assert.Contains("Common name:   inspect.example.test", output, StringComparison.Ordinal);
        Assert.Contains("SANs:          inspect.example.test, 127.0.0.1", output, StringComparison.Ordinal);
        Assert.Contains("Key:           EC 256", output, StringComparison.Ordinal);
        Assert.Contains("Private key:   present", output, StringComparison.Ordinal);
        Assert.DoesNotContain(InspectFiles.Password, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inspect_Pkcs12WithDistinctKeyPassword_OpensWithKey()
    {
        var (code, output, error) = await RunAsync("inspect", files.PathOf("split.p12"), "--password", InspectFiles.StorePassword,
            "--key-password", InspectFiles.KeyPassword, "--json");

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("PKCS#12", json.RootElement.GetProperty("format").GetString());
        Assert.Equal("inspect.example.test", json.RootElement.GetProperty("commonName").GetString());
        Assert.True(json.RootElement.GetProperty("hasPrivateKey").GetBoolean());
    }

    [Theory]
    [InlineData(InspectFiles.StorePassword, null, "key password")]
    [InlineData(InspectFiles.StorePassword, "wrong", "key password for the private key in the PKCS#12 file is wrong")]
    [InlineData("wrong", InspectFiles.KeyPassword, "password for the PKCS#12 file is wrong")]
    public async Task Inspect_Pkcs12WithDistinctKeyPasswordBadPassword_SaysWhichWithoutLeaking(string password, string? keyPassword, string says)
    {
        string[] args = keyPassword is null
            ? ["inspect", files.PathOf("split.p12"), "--password", password]
            : ["inspect", files.PathOf("split.p12"), "--password", password, "--key-password", keyPassword];

        var (code, output, error) = await RunAsync(args);

        Assert.Equal(1, code);
        Assert.Contains(says, error, StringComparison.Ordinal);
        Assert.DoesNotContain(InspectFiles.StorePassword, output + error, StringComparison.Ordinal);
        Assert.DoesNotContain(InspectFiles.KeyPassword, output + error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inspect_CertificateAndEncryptedKeyJson_AllFields()
    {
        var (code, output, _) = await RunAsync("inspect", files.PathOf("server.pem"), "--key", files.PathOf("server.enc.key"),
            "--password", InspectFiles.Password, "--json");

        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal(
            ["format", "subject", "commonName", "issuer", "serialNumber", "notBefore", "notAfter", "sans", "keyAlgorithm",
             "keySize", "sha1", "sha256", "chainLength", "hasPrivateKey"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("PEM", root.GetProperty("format").GetString());
        Assert.Equal("inspect.example.test", root.GetProperty("commonName").GetString());
        Assert.Equal(256, root.GetProperty("keySize").GetInt32());
        Assert.Equal(1, root.GetProperty("chainLength").GetInt32());
        Assert.True(root.GetProperty("hasPrivateKey").GetBoolean());
        Assert.Matches("^[0-9A-F]{40}$", root.GetProperty("sha1").GetString());
        Assert.Matches("^[0-9A-F]{64}$", root.GetProperty("sha256").GetString());
        Assert.EndsWith("Z", root.GetProperty("notAfter").GetString(), StringComparison.Ordinal);
        Assert.Equal(["inspect.example.test", "127.0.0.1"], root.GetProperty("sans").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Inspect_ApacheStyleSetWithChain_ChainLengthTwo()
    {
        var (code, output, _) = await RunAsync("inspect", files.PathOf("issued.pem"), "--key", files.PathOf("server.key"),
            "--chain", files.PathOf("ca.pem"), "--json");

        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(2, json.RootElement.GetProperty("chainLength").GetInt32());
        Assert.Equal("CN=Inspect Test CA", json.RootElement.GetProperty("issuer").GetString());
        Assert.True(json.RootElement.GetProperty("hasPrivateKey").GetBoolean());
    }

    [Fact]
    public async Task Inspect_PasswordFromEnvironmentVariable_Opens()
    {
        Environment.SetEnvironmentVariable("CERTMGR_PASSWORD", InspectFiles.Password);
        try
        {
            var (code, _, _) = await RunAsync("inspect", files.PathOf("server.pfx"), "--json");
            Assert.Equal(0, code);
        }
        finally
        {
            Environment.SetEnvironmentVariable("CERTMGR_PASSWORD", null);
        }
    }

    public static TheoryData<string[], string> ErrorCases => new()
    {
        { ["server.pfx"], "password-required" },
        { ["server.pfx", "--password", "nope"], "wrong-password" },
        { ["empty.crt"], "corrupt" },
        { ["half.pfx", "--password", InspectFiles.Password], "corrupt" },
        { ["server.pem", "--key", "other.key"], "key-mismatch" },
        { ["server.csr"], "no-certificate" },
        { ["ed.pem"], "unsupported" },
        { ["server.pfx", "--password", InspectFiles.Password, "--max-size", "100"], "too-large" },
    };

    [Theory]
    [MemberData(nameof(ErrorCases))]
    public async Task Inspect_BadInputJson_ErrorObjectAndExitOne(string[] args, string kind)
    {
        var resolved = args.Select(a => File.Exists(files.PathOf(a)) ? files.PathOf(a) : a).ToList();

        var (code, output, _) = await RunAsync(["inspect", .. resolved, "--json"]);

        Assert.Equal(1, code);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(kind, json.RootElement.GetProperty("error").GetString());
        Assert.False(string.IsNullOrWhiteSpace(json.RootElement.GetProperty("message").GetString()));
        Assert.DoesNotContain("PRIVATE KEY", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inspect_BadInputText_OneLineOnStderr()
    {
        var (code, output, error) = await RunAsync("inspect", files.PathOf("server.pfx"), "--password", "nope");

        Assert.Equal(1, code);
        Assert.Equal("", output);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("certmgr: ", line, StringComparison.Ordinal);
        Assert.Contains("password", line, StringComparison.Ordinal);
        Assert.DoesNotContain("nope", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("inspect")]
    [InlineData("inspect", "/no/such/file.pem")]
    [InlineData("inspect", "x", "--max-size", "0")]
    public async Task Inspect_BadUsage_ExitTwo(params string[] args)
    {
        var (code, _, error) = await RunAsync(args);

        Assert.Equal(2, code);
        Assert.StartsWith("certmgr: ", error, StringComparison.Ordinal);
    }
}
