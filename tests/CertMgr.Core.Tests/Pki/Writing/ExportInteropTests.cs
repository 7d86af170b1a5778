using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using CertMgr.Core.Pki;
using CertMgr.Core.Pki.Writing;

namespace CertMgr.Core.Tests.Pki.Writing;

/// <summary>Every export re-read by the real tools: OpenSSL 3, keytool and HAProxy.</summary>
public sealed partial class ExportInteropTests : IDisposable
{
    private const string Passphrase = "Test-Passphrase-1";
    private readonly string _dir = Directory.CreateTempSubdirectory("certmgr-export-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(TestPki pki, ExportFormat format, ExportOptions options)
    {
        var result = CertificateExporter.Export(pki.Leaf, pki.Chain, pki.LeafKey, format, options);
        Assert.True(result.IsSuccess, result.Error?.ToString());
        var path = Path.Combine(_dir, $"{pki.Algorithm}-{result.Value.FileName}");
        File.WriteAllBytes(path, result.Value.ToArray());
        return path;
    }

    private string Temp(string name) => Path.Combine(_dir, name);

    private static Task<ExternalTool.Outcome> OpenSsl(params string[] args) => ExternalTool.RunAsync("openssl", args);

    private static string Sha256Fingerprint(string opensslOutput) =>
        opensslOutput.Trim().Split('=', 2)[1].Replace(":", string.Empty, StringComparison.Ordinal);

    /// <summary>The CN of every "subject=" line, in the order printed.</summary>
    private static List<string> Subjects(string printCerts) =>
        [.. SubjectCn().Matches(printCerts).Select(m => m.Groups[1].Value.Trim())];

    [GeneratedRegex(@"^subject=.*?CN\s*=\s*([^,\n]+)", RegexOptions.Multiline)]
    private static partial Regex SubjectCn();

    private static string Cn(System.Security.Cryptography.X509Certificates.X509Certificate2 c) =>
        c.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.SimpleName, false);

    private static List<string> ExpectedCns(TestPki pki) => [Cn(pki.Leaf), Cn(pki.Intermediate), Cn(pki.Root)];

    private async Task<string> LeafPublicKeyPem(TestPki pki)
    {
        var leafPem = Write(pki, ExportFormat.PemCertificate, new ExportOptions());
        return (await OpenSsl("x509", "-in", leafPem, "-noout", "-pubkey")).Stdout;
    }

    [Theory]
    [InlineData("rsa")]
    [InlineData("ec")]
    public async Task PemCertificateAndDer_OpenSslX509_FingerprintIsTheLeafs(string algorithm)
    {
        var pki = TestPki.For(algorithm);
        var pem = Write(pki, ExportFormat.PemCertificate, new ExportOptions());
        var der = Write(pki, ExportFormat.Der, new ExportOptions());

        var fromPem = await OpenSsl("x509", "-in", pem, "-noout", "-fingerprint", "-sha256");
        var fromDer = await OpenSsl("x509", "-inform", "DER", "-in", der, "-noout", "-fingerprint", "-sha256");

        Assert.Equal(Thumbprints.Sha256(pki.Leaf), Sha256Fingerprint(fromPem.Stdout));
        Assert.Equal(Thumbprints.Sha256(pki.Leaf), Sha256Fingerprint(fromDer.Stdout));
    }

    [Theory]
    [InlineData("rsa")]
    [InlineData("ec")]
    public async Task PemChainAndFullChain_OpenSslPkcs7PrintCerts_AllCertificatesInOrder(string algorithm)
    {
        var pki = TestPki.For(algorithm);
        var full = Write(pki, ExportFormat.PemFullChain, new ExportOptions());
        var chain = Write(pki, ExportFormat.PemChain, new ExportOptions());

        var root = Temp($"{algorithm}-root.pem");
        await File.WriteAllTextAsync(root, pki.Root.ExportCertificatePem());
        var verified = await OpenSsl("verify", "-CAfile", root, "-untrusted", chain, full);
        Assert.Contains(": OK", verified.Stdout, StringComparison.Ordinal);

        foreach (var (file, expected) in new[] { (full, ExpectedCns(pki)), (chain, ExpectedCns(pki)[1..]) })
        {
            var p7 = file + ".p7";
            await OpenSsl("crl2pkcs7", "-nocrl", "-certfile", file, "-out", p7);
            var printed = await OpenSsl("pkcs7", "-print_certs", "-noout", "-in", p7);
            Assert.Equal(expected.Order(StringComparer.Ordinal), Subjects(printed.Stdout).Order(StringComparer.Ordinal));

            // The PKCS#7 SET is sorted by DER, so the file order is read certificate by certificate.
            var stored = await OpenSsl("storeutl", "-noout", "-text", "-certs", file);
            Assert.Equal(expected, [.. Regex.Matches(stored.Stdout, @"Subject:.*?CN\s*=\s*([^,\n]+)").Select(m => m.Groups[1].Value.Trim())]);
        }
    }

    [Theory]
    [InlineData("rsa")]
    [InlineData("ec")]
    public async Task Pkcs7DerAndPem_OpenSslPkcs7PrintCerts_HoldLeafAndChain(string algorithm)
    {
        var pki = TestPki.For(algorithm);
        var der = Write(pki, ExportFormat.Pkcs7Der, new ExportOptions());
        var pem = Write(pki, ExportFormat.Pkcs7Pem, new ExportOptions());

        var fromDer = await OpenSsl("pkcs7", "-print_certs", "-noout", "-inform", "DER", "-in", der);
        var fromPem = await OpenSsl("pkcs7", "-print_certs", "-noout", "-in", pem);

        var expected = ExpectedCns(pki).Order(StringComparer.Ordinal);
        Assert.Equal(expected, Subjects(fromDer.Stdout).Order(StringComparer.Ordinal));
        Assert.Equal(expected, Subjects(fromPem.Stdout).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("rsa")]
    [InlineData("ec")]
    public async Task EncryptedPemKey_OpenSslPkey_OpensWithPassphraseOnlyAndMatchesLeaf(string algorithm)
    {
        var pki = TestPki.For(algorithm);
        var key = Write(pki, ExportFormat.PemPrivateKey, new ExportOptions { IncludeKey = true, Passphrase = Passphrase });

        var pub = await OpenSsl("pkey", "-in", key, "-passin", "pass:" + Passphrase, "-pubout");
        var wrong = await ExternalTool.TryAsync("openssl", "pkey", "-in", key, "-passin", "pass:Wrong-Passphrase", "-pubout");
        var structure = await OpenSsl("asn1parse", "-in", key);

        Assert.Equal(await LeafPublicKeyPem(pki), pub.Stdout);
        Assert.NotEqual(0, wrong.ExitCode);
        Assert.Contains("aes-256-cbc", structure.Stdout, StringComparison.Ordinal);
        Assert.Contains("hmacWithSHA256", structure.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rsa")]
    [InlineData("ec")]
    public async Task Pkcs12_OpenSslPkcs12_Aes256Sha256AndKeyMatchesLeaf(string algorithm)
    {
        var pki = TestPki.For(algorithm);
        var p12 = Write(pki, ExportFormat.Pkcs12, new ExportOptions { IncludeKey = true, Passphrase = Passphrase, FriendlyName = "web" });

        var info = await OpenSsl("pkcs12", "-info", "-in", p12, "-passin", "pass:" + Passphrase, "-noout");
        var keyPem = Temp("p12-key.pem");
        await OpenSsl("pkcs12", "-in", p12, "-passin", "pass:" + Passphrase, "-nodes", "-nocerts", "-out", keyPem);
        var pub = await OpenSsl("pkey", "-in", keyPem, "-pubout");
        var certs = await OpenSsl("pkcs12", "-in", p12, "-passin", "pass:" + Passphrase, "-nokeys");
        var wrong = await ExternalTool.TryAsync("openssl", "pkcs12", "-info", "-in", p12, "-passin", "pass:Wrong-Passphrase", "-noout");

        Assert.Contains("MAC: sha256", info.All, StringComparison.Ordinal);
        Assert.Contains("PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC", info.All, StringComparison.Ordinal);
        Assert.Contains("Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC", info.All, StringComparison.Ordinal);
        Assert.Contains(
            $"Iteration {ExportOptions.DefaultKdfIterations.ToString(CultureInfo.InvariantCulture)}, PRF hmacWithSHA256",
            info.All,
            StringComparison.Ordinal);
        Assert.Equal(await LeafPublicKeyPem(pki), pub.Stdout);
        Assert.Contains("friendlyName: web", certs.Stdout, StringComparison.Ordinal);
        Assert.Contains("localKeyID:", certs.Stdout, StringComparison.Ordinal);
        Assert.Equal(3, Subjects(certs.Stdout).Count);
        Assert.NotEqual(0, wrong.ExitCode);
    }

    [Theory]
    [InlineData("rsa")]
    [InlineData("ec")]
    public async Task JavaKeystore_KeytoolList_PrivateKeyEntryWithChainOfThree(string algorithm)
    {
        var pki = TestPki.For(algorithm);
        var store = Write(pki, ExportFormat.JavaPkcs12Keystore, new ExportOptions { IncludeKey = true, Passphrase = Passphrase, FriendlyName = "tomcat" });

        var list = await ExternalTool.RunAsync(
            "keytool", "-list", "-v", "-keystore", store, "-storetype", "PKCS12", "-storepass", Passphrase);

        Assert.Contains("Your keystore contains 1 entry", list.Stdout, StringComparison.Ordinal);
        Assert.Contains("Alias name: tomcat", list.Stdout, StringComparison.Ordinal);
        Assert.Contains("Entry type: PrivateKeyEntry", list.Stdout, StringComparison.Ordinal);
        Assert.Contains("Certificate chain length: 3", list.Stdout, StringComparison.Ordinal);
        Assert.Contains(Thumbprints.Sha256(pki.Leaf), list.Stdout.Replace(":", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rsa")]
    [InlineData("ec")]
    public async Task HaproxyPem_OpenSslAndHaproxy_ReadCertificateChainAndKey(string algorithm)
    {
        var pki = TestPki.For(algorithm);
        var combined = Write(pki, ExportFormat.HaproxyPem, new ExportOptions { IncludeKey = true, AllowUnencryptedKey = true });

        var first = await OpenSsl("x509", "-in", combined, "-noout", "-fingerprint", "-sha256");
        var pub = await OpenSsl("pkey", "-in", combined, "-pubout");
        var stored = await OpenSsl("storeutl", "-noout", "-text", combined);

        Assert.Equal(Thumbprints.Sha256(pki.Leaf), Sha256Fingerprint(first.Stdout));
        Assert.Equal(await LeafPublicKeyPem(pki), pub.Stdout);
        Assert.Equal(ExpectedCns(pki), [.. Regex.Matches(stored.Stdout, @"Subject:.*?CN\s*=\s*([^,\n]+)").Select(m => m.Groups[1].Value.Trim())]);
        Assert.Contains("Total found: 4", stored.All, StringComparison.Ordinal);

        var haproxy = ExternalTool.Find("haproxy");
        Assert.True(haproxy is not null, "haproxy is not installed (scripts/test.sh installs it)");
        var config = Temp("haproxy.cfg");
        // "haproxy -c" loads (and cross-checks) certificate and key without binding; the port only has to be valid.
        var port = TestPorts.Next();
        File.WriteAllText(config, $"""
            defaults
              mode http
              timeout connect 1s
              timeout client 1s
              timeout server 1s
            frontend tls
              bind 127.0.0.1:{port} ssl crt {combined}
              default_backend none
            backend none
              server s1 127.0.0.1:9

            """);
        var check = await ExternalTool.RunAsync(haproxy, "-c", "-f", config);
        Assert.Contains("Configuration file is valid", check.All, StringComparison.Ordinal);

        // Serve it for real and let a client verify leaf, chain and name against the root.
        var rootPem = Temp("root.pem");
        await File.WriteAllTextAsync(rootPem, pki.Root.ExportCertificatePem());
        using var server = Process.Start(new ProcessStartInfo(haproxy, ["-db", "-f", config])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        try
        {
            await WaitForListenerAsync(port);
            var client = await OpenSsl(
                "s_client", "-connect", $"127.0.0.1:{port}", "-servername", "www.example.test",
                "-CAfile", rootPem, "-verify_hostname", "www.example.test", "-verify_return_error");
            Assert.Contains("Verify return code: 0 (ok)", client.Stdout, StringComparison.Ordinal);
            Assert.Contains("1 s:CN = " + Cn(pki.Intermediate), client.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            server.Kill();
            await server.WaitForExitAsync();
        }
    }

    private static async Task WaitForListenerAsync(int port)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                using var probe = new System.Net.Sockets.TcpClient();
                await probe.ConnectAsync(System.Net.IPAddress.Loopback, port);
                return;
            }
            catch (System.Net.Sockets.SocketException)
            {
                await Task.Delay(50);
            }
        }

        Assert.Fail($"haproxy did not listen on 127.0.0.1:{port} within 5 s");
    }
}
