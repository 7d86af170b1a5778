using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;

namespace CertMgr.Cli.Tests;

public sealed class CaCommandTests : IDisposable
{
    private readonly string _home = Path.Combine(Path.GetTempPath(), "certmgr-cli-ca-" + Guid.NewGuid().ToString("N"));
    private readonly string _work = Path.Combine(Path.GetTempPath(), "certmgr-cli-work-" + Guid.NewGuid().ToString("N"));

    public CaCommandTests() => Directory.CreateDirectory(_work);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
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

    private string Openssl(params string[] args)
    {
        var (code, output, error) = TryOpenssl(args);
        Assert.True(code == 0, $"openssl {string.Join(' ', args)} failed ({code}): {error}{output}");
        return output + error;
    }

    private (int Code, string Output, string Error) TryOpenssl(params string[] args)
    {
        var start = new ProcessStartInfo("openssl") { WorkingDirectory = _work, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(30_000), "openssl timed out");
        return (process.ExitCode, output.Result, error.Result);
    }

    [Fact]
    public async Task Setup_NewHome_CreatesChosenRootAndRefusesSecondWithoutForce()
    {
        var (code, output, error) = await CertMgr("ca", "setup", "--dn", "CN=Test Root, O=Example", "--key", "rsa-3072");

        Assert.True(code == 0, error);
        Assert.Contains("CN=Test Root, O=Example", output, StringComparison.Ordinal);
        Assert.Contains("initial password", error, StringComparison.Ordinal);

        var (again, _, againError) = await CertMgr("ca", "setup");
        Assert.Equal(1, again);
        var line = Assert.Single(againError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("certmgr: A private CA already exists", line, StringComparison.Ordinal);

        var (infoCode, info, _) = await CertMgr("ca", "info");
        Assert.Equal(0, infoCode);
        Assert.Contains("Subject:    CN=Test Root, O=Example", info, StringComparison.Ordinal);
        Assert.Contains("Key:        rsa-3072", info, StringComparison.Ordinal);
        Assert.Contains("Mode:       Root", info, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Setup_Force_BacksUpOldCaAndShowRootPrintsNewOne()
    {
        Assert.Equal(0, (await CertMgr("ca", "gen-crl", "--out", Work("first.crl"))).Code); // initialises with the default CA
        var (_, oldPem, _) = await CertMgr("ca", "show-root");

        var (code, _, error) = await CertMgr("ca", "setup", "--dn", "CN=Second Root", "--key", "ec-p256", "--force");

        Assert.True(code == 0, error);
        var backup = Assert.Single(Directory.GetDirectories(Path.Combine(_home, "ca"), "backup-*"));
        Assert.Equal(oldPem, File.ReadAllText(Path.Combine(backup, "ca-cert.pem")));
        Assert.True(File.Exists(Path.Combine(backup, "ca-key.sealed")));
        var (_, newPem, _) = await CertMgr("ca", "show-root");
        using var cert = X509Certificate2.CreateFromPem(newPem);
        Assert.Equal("CN=Second Root", cert.Subject);
    }

    [Theory]
    [InlineData("ca", "info")]
    [InlineData("ca", "show-root")]
    [InlineData("monitor", "run")]
    public async Task ReadOnlyVerb_NoDataDirectory_FailsAndCreatesNothing(params string[] args)
    {
        var (code, output, error) = await CertMgr(args);

        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Contains($"there is no CertMgr data directory at {_home}", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_home));
    }

    [Fact]
    public async Task Issue_OpensslCsr_CertificateVerifiesAndRevocationShowsInCrl()
    {
        Openssl("req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "leaf.key", "-subj", "/CN=web.example.test",
            "-addext", "subjectAltName=DNS:web.example.test", "-out", "leaf.csr");

        var (code, output, error) = await CertMgr("ca", "issue", "--csr", Work("leaf.csr"), "--out", Work("leaf.pem"), "--days", "30");

        Assert.True(code == 0, error);
        Assert.Contains("Issued serial", output, StringComparison.Ordinal);
        File.WriteAllText(Work("ca.pem"), (await CertMgr("ca", "show-root")).Out);
        Assert.Contains("leaf.pem: OK", Openssl("verify", "-CAfile", "ca.pem", "leaf.pem"), StringComparison.Ordinal);
        var serial = Openssl("x509", "-in", "leaf.pem", "-noout", "-serial").Trim().Split('=')[1];

        var (revokeCode, _, revokeError) = await CertMgr("ca", "revoke", serial, "--reason", "keyCompromise");
        var (crlCode, _, _) = await CertMgr("ca", "gen-crl", "--out", Work("crl.pem"));

        Assert.True(revokeCode == 0, revokeError);
        Assert.Equal(0, crlCode);
        Assert.Contains("verify OK", Openssl("crl", "-in", "crl.pem", "-CAfile", "ca.pem", "-noout"), StringComparison.Ordinal);
        var (verify, vout, verr) = TryOpenssl("verify", "-crl_check", "-CRLfile", "crl.pem", "-CAfile", "ca.pem", "leaf.pem");
        Assert.NotEqual(0, verify);
        Assert.Contains("certificate revoked", vout + verr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Issue_ValidityAboveMaximum_OneLineFailure()
    {
        Openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "k.pem", "-subj", "/CN=a.example.test", "-out", "a.csr");

        var (code, output, error) = await CertMgr("ca", "issue", "--csr", Work("a.csr"), "--days", "500");

        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Contains("certmgr: The validity of 500 days exceeds the maximum of 397 days", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IssueClient_Password_Pkcs12IsAes256AndHoldsClientCertificate()
    {
        var (code, output, error) = await CertMgr("ca", "issue-client", "--cn", "alice", "--out", Work("alice.p12"), "--password", "s3cret-pw");

        Assert.True(code == 0, error);
        Assert.Contains("SHA-1", output, StringComparison.Ordinal);
        var info = Openssl("pkcs12", "-info", "-in", "alice.p12", "-passin", "pass:s3cret-pw", "-noout");
        Assert.Contains("AES-256-CBC", info, StringComparison.Ordinal);
        Assert.Contains("hmacWithSHA256", info, StringComparison.Ordinal);
        Assert.DoesNotContain("RC2", info, StringComparison.Ordinal);
        Assert.DoesNotContain("3DES", info, StringComparison.Ordinal);
        Openssl("pkcs12", "-in", "alice.p12", "-passin", "pass:s3cret-pw", "-clcerts", "-nokeys", "-out", "alice.pem");
        File.WriteAllText(Work("ca.pem"), (await CertMgr("ca", "show-root")).Out);
        Assert.Contains("OK", Openssl("verify", "-CAfile", "ca.pem", "-purpose", "sslclient", "alice.pem"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task IssueClient_NoPasswordAndNoTerminal_FailsClearly()
    {
        var (code, _, error) = await CertMgr("ca", "issue-client", "--cn", "bob", "--out", Work("bob.p12"));

        Assert.Equal(1, code);
        Assert.Contains("not a terminal", error, StringComparison.Ordinal);
        Assert.False(File.Exists(Work("bob.p12")));
    }

    [Fact]
    public async Task Subordinate_OpensslParent_InstallThenIssuedChainsToParent()
    {
        var (code, _, error) = await CertMgr("ca", "setup", "--subordinate", "--dn", "CN=Sub CA, O=Example", "--key", "ec-p384", "--out", Work("sub.csr"));
        Assert.True(code == 0, error);
        Openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "parent.key",
            "-subj", "/CN=Parent Root", "-days", "3650", "-out", "parent.pem");
        File.WriteAllText(Work("ext.cnf"), "basicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n");
        Openssl("x509", "-req", "-in", "sub.csr", "-CA", "parent.pem", "-CAkey", "parent.key", "-CAcreateserial", "-days", "1825", "-extfile", "ext.cnf", "-out", "sub.pem");
        File.WriteAllText(Work("bundle.pem"), File.ReadAllText(Work("sub.pem")) + File.ReadAllText(Work("parent.pem")));

        var (installCode, _, installError) = await CertMgr("ca", "install-cert", Work("bundle.pem"));

        Assert.True(installCode == 0, installError);
        Openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "leaf.key", "-subj", "/CN=leaf.example.test", "-out", "leaf.csr");
        var (issueCode, _, issueError) = await CertMgr("ca", "issue", "--csr", Work("leaf.csr"), "--out", Work("leaf.pem"));
        Assert.True(issueCode == 0, issueError);
        Assert.Contains("leaf.pem: OK", Openssl("verify", "-CAfile", "parent.pem", "-untrusted", "sub.pem", "leaf.pem"), StringComparison.Ordinal);
        Assert.Contains("Mode:       Subordinate", (await CertMgr("ca", "info")).Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ca", "setup", "--key", "dsa-1024")]
    [InlineData("ca", "setup", "--dn", "not a dn")]
    [InlineData("ca", "issue")]
    [InlineData("ca", "revoke", "01", "--reason", "bored")]
    public async Task Ca_BadUsage_ExitTwo(params string[] args)
    {
        var (code, _, error) = await CertMgr(args);

        Assert.Equal(2, code);
        Assert.StartsWith("certmgr: ", error, StringComparison.Ordinal);
    }
}
