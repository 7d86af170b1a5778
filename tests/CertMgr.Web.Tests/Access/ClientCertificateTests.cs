using System.Collections.Concurrent;
using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.Setup;
using CertMgr.Web.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace CertMgr.Web.Tests.Access;

/// <summary>
/// Client-certificate login (guide 3.5) against the real web app on loopback HTTPS: real TLS handshakes from
/// HttpClient with no certificate, a mapped certificate of the configured CA, an unmapped one of that CA, and a
/// mapped-thumbprint certificate from another CA; broken configurations close access and say why in the log.
/// </summary>
public sealed class ClientCertificateTests : IDisposable
{
    private readonly TestPki _ca = TestPki.CreateCa("CN=CertMgr Test Client CA");
    private readonly TestPki _otherCa = TestPki.CreateCa("CN=Some Other CA");

    public void Dispose()
    {
        _ca.Dispose();
        _otherCa.Dispose();
    }

    [Fact]
    public async Task Required_MappedCertificateOfCa_PassesOthersRefusedAtHandshake()
    {
        using var alice = _ca.IssueClient("CN=alice");
        using var unmapped = _ca.IssueClient("CN=mallory");
        using var foreign = _otherCa.IssueClient("CN=alice");
        await using var server = await Server.StartAsync(home =>
        {
            File.WriteAllText(Path.Combine(home, "client-ca.pem"), _ca.Certificate.ExportCertificatePem());
            File.WriteAllText(Path.Combine(home, "certmap.txt"),
                $"# who  hash  thumbprint\n* Hash_SHA1 {Spaced(alice.Thumbprint)}\n* Hash_SHA1 {foreign.Thumbprint}\n");
        }, """{ "Mode": "required", "CaFile": "client-ca.pem" }""");

        Assert.Equal(HttpStatusCode.OK, await server.GetAsync(alice));
        await Assert.ThrowsAsync<HttpRequestException>(() => server.GetAsync(null));
        await Assert.ThrowsAsync<HttpRequestException>(() => server.GetAsync(unmapped));
        await Assert.ThrowsAsync<HttpRequestException>(() => server.GetAsync(foreign));
        Assert.Contains(server.Logs, l => l.Contains("2 certificate(s) allowed", StringComparison.Ordinal));
        Assert.Contains(server.Logs, l => l.Contains("CN=mallory", StringComparison.Ordinal) && l.Contains("not in the certificate map", StringComparison.Ordinal));
        Assert.Contains(server.Logs, l => l.Contains("does not chain to a trusted CA", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Required_CertMapAndCaFileEdited_TakeEffectWithoutRestart()
    {
        using var alice = _ca.IssueClient("CN=alice");
        using var bob = _ca.IssueClient("CN=bob");
        using var carol = _otherCa.IssueClient("CN=carol");
        string? home = null;
        await using var server = await Server.StartAsync(h =>
        {
            home = h;
            File.WriteAllText(Path.Combine(h, "client-ca.pem"), _ca.Certificate.ExportCertificatePem());
            File.WriteAllText(Path.Combine(h, "certmap.txt"), $"* Hash_SHA1 {alice.Thumbprint}\n");
        }, """{ "Mode": "required", "CaFile": "client-ca.pem" }""");
        var map = Path.Combine(home!, "certmap.txt");
        Assert.Equal(HttpStatusCode.OK, await server.GetAsync(alice));
        await Assert.ThrowsAsync<HttpRequestException>(() => server.GetAsync(bob));

        File.WriteAllText(map, $"# alice left\n* Hash_SHA1 {bob.Thumbprint}\n");
        await server.UntilAsync(bob, passes: true);
        await Assert.ThrowsAsync<HttpRequestException>(() => server.GetAsync(alice));
        Assert.Contains(server.Logs, l => l.Contains("Client certificates reloaded: 1 certificate(s) allowed", StringComparison.Ordinal));

        // A broken edit closes access and says why; fixing it opens it again.
        File.WriteAllText(map, $"* Hash_SHA1 {bob.Thumbprint}\n* Hash_SHA1 2c 74\n");
        await server.UntilAsync(bob, passes: false);
        Assert.Contains(server.Logs, l => l.Contains("certmap.txt line 2", StringComparison.Ordinal));
        File.WriteAllText(map, $"* Hash_SHA1 {bob.Thumbprint}\n* Hash_SHA1 {carol.Thumbprint}\n");
        await server.UntilAsync(bob, passes: true);

        // carol is mapped but her CA is not trusted until the CA file lists it too.
        await Assert.ThrowsAsync<HttpRequestException>(() => server.GetAsync(carol));
        File.WriteAllText(Path.Combine(home!, "client-ca.pem"), _ca.Certificate.ExportCertificatePem() + "\n" + _otherCa.Certificate.ExportCertificatePem());
        await server.UntilAsync(carol, passes: true);
    }

    [Fact]
    public async Task Off_NoCertificateNeeded()
    {
        await using var server = await Server.StartAsync(_ => { }, """{ "Mode": "off" }""");

        Assert.Equal(HttpStatusCode.OK, await server.GetAsync(null));
    }

    public static TheoryData<string, string, string> BrokenConfigurations() => new()
    {
        { """{ "Mode": "required", "CaFile": "missing-ca.pem" }""", "map", "missing-ca.pem cannot be read" },
        { """{ "Mode": "required", "CaFile": "client-ca.pem", "CertMapFile": "nope.txt" }""", "none", "nope.txt cannot be read" },
        { """{ "Mode": "required", "CaFile": "client-ca.pem" }""", "bad-line", "certmap.txt line 2: the SHA-1 thumbprint must be 20 bytes" },
        { """{ "Mode": "requierd", "CaFile": "client-ca.pem" }""", "map", "'requierd' is neither 'off' nor 'required'" },
        { """{ "Mode": "required", "CaFile": "leaf.pem" }""", "map", "must hold only CA certificates" },
    };

    [Theory]
    [MemberData(nameof(BrokenConfigurations))]
    public async Task Required_BrokenConfiguration_LoggedAndEveryoneRefused(string section, string map, string expectedLog)
    {
        using var alice = _ca.IssueClient("CN=alice");
        await using var server = await Server.StartAsync(home =>
        {
            File.WriteAllText(Path.Combine(home, "client-ca.pem"), _ca.Certificate.ExportCertificatePem());
            File.WriteAllText(Path.Combine(home, "leaf.pem"), alice.ExportCertificatePem());
            if (map != "none")
            {
                var extra = map == "bad-line" ? "* Hash_SHA1 2c 74 2e\n" : "";
                File.WriteAllText(Path.Combine(home, "certmap.txt"), $"* Hash_SHA1 {alice.Thumbprint}\n{extra}");
            }
        }, section);

        await Assert.ThrowsAsync<HttpRequestException>(() => server.GetAsync(alice));
        Assert.Contains(server.Logs, l => l.Contains(expectedLog, StringComparison.Ordinal));
        Assert.Contains(server.Logs, l => l.Contains("refuses every connection", StringComparison.Ordinal));
    }

    private static string Spaced(string hex) => string.Join(' ', Enumerable.Range(0, hex.Length / 2).Select(i => hex.Substring(i * 2, 2).ToLowerInvariant()));

    /// <summary>The real CertMgr web app on a loopback HTTPS port with a "ClientCertificates" section, logs captured.</summary>
    private sealed class Server : IAsyncDisposable
    {
        private readonly string _home;
        private readonly WebApplication _app;
        private readonly X509Certificate2 _serverCa;
        private readonly int _port;
        private readonly LogCapture _logs;

        private Server(string home, WebApplication app, int port, X509Certificate2 serverCa, LogCapture logs) =>
            (_home, _app, _port, _serverCa, _logs) = (home, app, port, serverCa, logs);

        public IReadOnlyCollection<string> Logs => _logs.Messages;

        public static async Task<Server> StartAsync(Action<string> prepare, string section)
        {
            var home = Directory.CreateTempSubdirectory("certmgr-client-cert-").FullName;
            prepare(home);
            var port = TestPorts.Next();
            File.WriteAllText(Path.Combine(home, "certmgr.json"), $$"""{ "Urls": "https://127.0.0.1:{{port}}", "ClientCertificates": {{section}} }""");
            var settings = CertMgrSettings.Resolve(home, null, _ => null);
            var logs = new LogCapture();
            var app = CertMgrWebApp.Build(settings, l =>
            {
                l.ClearProviders();
                l.AddProvider(logs);
            });
            await CertMgrWebApp.InitializeAsync(app, CancellationToken.None);
            await app.StartAsync();
            var ca = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(home, "ca", "ca-cert.pem")));
            return new Server(home, app, port, ca, logs);
        }

        /// <summary>GET /healthz over a fresh TLS connection, presenting <paramref name="clientCertificate"/> (or none).</summary>
        public async Task<HttpStatusCode> GetAsync(X509Certificate2? clientCertificate)
        {
            using var handler = new SocketsHttpHandler
            {
                SslOptions =
                {
                    RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && cert.Issuer == _serverCa.Subject,
                    EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                    ClientCertificates = clientCertificate is null ? null : [clientCertificate],
                    LocalCertificateSelectionCallback = (_, _, _, _, _) => clientCertificate!,
                },
            };
            if (clientCertificate is null)
            {
                handler.SslOptions.LocalCertificateSelectionCallback = null;
            }

            using var client = new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{_port}"), Timeout = TimeSpan.FromSeconds(20) };
            using var response = await client.GetAsync("/healthz");
            return response.StatusCode;
        }

        /// <summary>Retries the handshake until it passes (or is refused), for at most 15 seconds: files are looked at once a second.</summary>
        public async Task UntilAsync(X509Certificate2 clientCertificate, bool passes)
        {
            var deadline = TimeProvider.System.GetUtcNow().AddSeconds(15);
            while (true)
            {
                bool passed;
                try
                {
                    passed = await GetAsync(clientCertificate) == HttpStatusCode.OK;
                }
                catch (HttpRequestException)
                {
                    passed = false;
                }

                if (passed == passes)
                {
                    return;
                }

                Assert.True(TimeProvider.System.GetUtcNow() < deadline, $"{clientCertificate.Subject} still {(passes ? "refused" : "allowed")} after 15 s");
                await Task.Delay(200);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _serverCa.Dispose();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(_home, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp directory is harmless.
            }
        }

    }

    private sealed class LogCapture : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _messages = new();

        public IReadOnlyCollection<string> Messages => _messages;

        public ILogger CreateLogger(string categoryName) => new Logger(_messages);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<string> messages) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                messages.Enqueue(formatter(state, exception));
        }
    }

    /// <summary>A test CA (ECDSA P-256) that issues client-authentication certificates.</summary>
    private sealed class TestPki : IDisposable
    {
        private readonly ECDsa _key;

        private TestPki(X509Certificate2 certificate, ECDsa key) => (Certificate, _key) = (certificate, key);

        public X509Certificate2 Certificate { get; }

        public static TestPki CreateCa(string subject)
        {
            var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
            var now = TimeProvider.System.GetUtcNow();
            return new TestPki(request.CreateSelfSigned(now.AddDays(-1), now.AddYears(1)), key);
        }

        public X509Certificate2 IssueClient(string subject)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
            request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
            var now = TimeProvider.System.GetUtcNow();
            var serial = RandomNumberGenerator.GetBytes(12);
            serial[0] &= 0x7F;
            using var issued = request.Create(Certificate, now.AddHours(-1), now.AddDays(30), serial);
            using var withKey = issued.CopyWithPrivateKey(key);
            // Through PKCS#12 so that SslStream on Linux can use the key.
            return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        }

        public void Dispose()
        {
            Certificate.Dispose();
            _key.Dispose();
        }
    }
}
