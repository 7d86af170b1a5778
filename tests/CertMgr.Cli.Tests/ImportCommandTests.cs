using System.Diagnostics;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace CertMgr.Cli.Tests;

public sealed class ImportCommandTests : IDisposable
{
    private readonly string _home = Path.Combine(Path.GetTempPath(), "certmgr-cli-import-" + Guid.NewGuid().ToString("N"));
    private readonly string _work = Path.Combine(Path.GetTempPath(), "certmgr-cli-import-work-" + Guid.NewGuid().ToString("N"));

    public ImportCommandTests()
    {
        Directory.CreateDirectory(Path.Combine(_work, "certs", "nested"));
        Openssl("req", "-x509", "-newkey", "rsa:2048", "-noenc", "-keyout", "web.key", "-out", "certs/web.pem",
            "-subj", "/CN=web.example.test/O=Example Org", "-days", "90", "-addext", "subjectAltName=DNS:web.example.test",
            "-addext", "basicConstraints=critical,CA:FALSE");
        Openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-noenc", "-keyout", "api.key", "-out", "api.pem",
            "-subj", "/CN=api.example.test", "-days", "90", "-addext", "basicConstraints=critical,CA:FALSE");
        Openssl("pkcs12", "-export", "-in", "api.pem", "-inkey", "api.key", "-passout", "pass:pfx-pass", "-out", "certs/nested/api.pfx");
        File.WriteAllText(Path.Combine(_work, "certs", "readme.txt"), "not a certificate");
        JavaKeyStores.WriteSplitPkcs12(_work, "certs/nested/api.pfx", "pfx-pass", "split.p12", "store-pass", "entry-pass");
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (var dir in new[] { _home, _work })
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp directory is harmless.
            }
        }
    }

    private async Task<(int Code, string Out, string Err)> CertMgr(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync([.. args, "--home", _home], output, error, CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }

    private string Work(string name) => Path.Combine(_work, name);

    private void Openssl(params string[] args)
    {
        var start = new ProcessStartInfo("openssl") { WorkingDirectory = _work, RedirectStandardOutput = true, RedirectStandardError = true };
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
    public async Task Import_FolderWithBadFile_GoodImportedBadReportedExitOne()
    {
        var (code, stdout, stderr) = await CertMgr("import", Work("certs"), "--password", "pfx-pass");

        Assert.Equal(1, code);
        Assert.Contains("2 imported, 0 skipped as duplicate, 1 failed", stdout, StringComparison.Ordinal);
        Assert.Contains("readme.txt", stderr, StringComparison.Ordinal);
        Assert.Contains("not in a recognised format", stderr, StringComparison.Ordinal);
        Assert.Contains("api.example.test", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("pfx-pass", stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_SameFilesAgainAsJson_AllDuplicatesExitZero()
    {
        await CertMgr("import", Work("certs/web.pem"), Work("certs/nested/api.pfx"), "--password", "pfx-pass");

        var (code, stdout, _) = await CertMgr("import", Work("certs/web.pem"), Work("certs/nested/api.pfx"), "--password", "wrong", "--password", "pfx-pass", "--json");

        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal(0, json.RootElement.GetProperty("imported").GetInt32());
        Assert.Equal(2, json.RootElement.GetProperty("duplicates").GetInt32());
        Assert.Equal(0, json.RootElement.GetProperty("failed").GetInt32());
        var files = json.RootElement.GetProperty("files").EnumerateArray().ToList();
        Assert.All(files, f => Assert.Equal("Duplicate", f.GetProperty("status").GetString()));
        Assert.True(files[1].GetProperty("hasPrivateKey").GetBoolean());
    }

    [Fact]
    public async Task Import_Pkcs12WithDistinctKeyPassword_ImportedWithKey()
    {
        var (code, stdout, stderr) = await CertMgr("import", Work("split.p12"), "--password", "store-pass", "--key-password", "entry-pass", "--json");

        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal(1, json.RootElement.GetProperty("imported").GetInt32());
        var file = json.RootElement.GetProperty("files")[0];
        Assert.Equal("api.example.test", file.GetProperty("commonName").GetString());
        Assert.True(file.GetProperty("hasPrivateKey").GetBoolean());
    }

    [Fact]
    public async Task Import_Pkcs12WithDistinctKeyPasswordMissing_FailedNamingTheKeyPassword()
    {
        var (code, stdout, stderr) = await CertMgr("import", Work("split.p12"), "--password", "store-pass");

        Assert.Equal(1, code);
        Assert.Contains("key password", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("store-pass", stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_WrongPasswordMonitored_FailedWithReason()
    {
        var (code, _, stderr) = await CertMgr("import", Work("certs/nested/api.pfx"), "--password", "nope", "--mode", "monitored");

        Assert.Equal(1, code);
        Assert.Contains("password", stderr, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("wrong", stderr, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Import_UnknownMode_UsageError()
    {
        var (code, _, stderr) = await CertMgr("import", Work("certs"), "--mode", "sometimes");

        Assert.Equal(2, code);
        Assert.Contains("sometimes", stderr, StringComparison.Ordinal);
    }
}
