using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using CertMgr.Core.Tests.Probe;

namespace CertMgr.Core.Tests.Discovery;

/// <summary>
/// A small network on loopback for discovery: one nginx serving several certificates on several 127.0.x.y addresses
/// and two ports (and plain HTTP on one), plus hostile TCP listeners on their own addresses: silent, garbage,
/// reset mid-handshake, and a flood ("huge chain"). Every other address × port of the block is closed.
/// </summary>
internal sealed class DiscoveryNetwork : IAsyncDisposable
{
    private readonly string _prefix = Directory.CreateTempSubdirectory("certmgr-disc-nginx-").FullName;
    private readonly List<LoopbackServer> _servers = [];
    private Process? _nginx;

    private DiscoveryNetwork(string block, int portA, int portB)
    {
        Block = block;
        PortA = portA;
        PortB = portB;
    }

    /// <summary>The first three octets of the /24 the network lives in, e.g. "127.0.77".</summary>
    public string Block { get; }
    public int PortA { get; }
    public int PortB { get; }
    public TestPki Pki { get; } = new("CN=Discovery Test Root");
    public TestPki Other { get; } = new("CN=Discovery Untrusted Root");
    public X509Certificate2 Good { get; private set; } = null!;
    public X509Certificate2 Expired { get; private set; } = null!;
    public X509Certificate2 Untrusted { get; private set; } = null!;
    public X509Certificate2 SelfSigned { get; private set; } = null!;
    public X509Certificate2 Named { get; private set; } = null!;

    public string A(int last) => $"{Block}.{last}";

    /// <summary>
    /// .1:A and .1:B the same trusted certificate (IP SAN .1); .2:A expired; .2:B plain HTTP; .3:A untrusted issuer,
    /// no intermediate; .3:B self-signed; .4:A a certificate for www.disc.test (only matches with that SNI);
    /// .5:A a chain of ~400 KiB; .10:A silent, .11:A garbage, .12:A reset mid-handshake, .13:A a broken endless record.
    /// </summary>
    public static async Task<DiscoveryNetwork> StartAsync(string block)
    {
        var net = new DiscoveryNetwork(block, TestPorts.Next(), TestPorts.Next());
        await net.StartNginxAsync();
        net.Listen(10, (_, ct) => Task.Delay(Timeout.Infinite, ct));
        net.Listen(11, async (s, ct) =>
        {
            await s.SendAsync(new byte[] { 0xDE, 0xAD, 0xBE, 0xEF, 0x00, 0x01, 0x02, 0x03, 0xFF }, ct);
            await Task.Delay(Timeout.Infinite, ct);
        });
        net.Listen(12, async (s, ct) =>
        {
            var buffer = new byte[4096];
            _ = await s.ReceiveAsync(buffer, ct);
            await s.SendAsync(new byte[] { 0x16, 0x03, 0x03, 0x00, 0x40, 0x02, 0x00, 0x00, 0x3c, 0x03, 0x03 }, ct);
            s.LingerState = new LingerOption(true, 0); // close with RST
        });
        net.Listen(13, async (s, ct) =>
        {
            var buffer = new byte[4096];
            _ = await s.ReceiveAsync(buffer, ct);
            await s.SendAsync(new byte[] { 0x16, 0x03, 0x03, 0x40, 0x00, 0x0b }, ct); // a Certificate message that never ends
            var junk = new byte[16384];
            for (var i = 0; i < 2_000 && !ct.IsCancellationRequested; i++)
            {
                await s.SendAsync(junk, ct);
            }
        });
        return net;
    }

    private async Task StartNginxAsync()
    {
        var now = TimeProvider.System.GetUtcNow();
        Good = Pki.Leaf("good.disc.test", ["good.disc.test", A(1)]);
        Expired = Pki.Leaf("expired.disc.test", ["expired.disc.test", A(2)], TimeSpan.FromDays(30), now.AddDays(-40));
        Untrusted = Other.Leaf("untrusted.disc.test", ["untrusted.disc.test", A(3)]);
        Named = Pki.Leaf("www.disc.test", ["www.disc.test"]);
        using (var key = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            var request = new CertificateRequest("CN=self.disc.test", key, HashAlgorithmName.SHA256);
            var san = new SubjectAlternativeNameBuilder();
            san.AddIpAddress(IPAddress.Parse(A(3)));
            request.CertificateExtensions.Add(san.Build());
            using var self = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(200));
            SelfSigned = X509CertificateLoader.LoadPkcs12(self.Export(X509ContentType.Pkcs12), null);
        }

        var servers = new (string Address, int Port, X509Certificate2? Leaf, X509Certificate2[] Chain)[]
        {
            (A(1), PortA, Good, [Pki.Intermediate]),
            (A(1), PortB, Good, [Pki.Intermediate]),
            (A(2), PortA, Expired, [Pki.Intermediate]),
            (A(2), PortB, null, []),
            (A(3), PortA, Untrusted, []),
            (A(3), PortB, SelfSigned, []),
            (A(4), PortA, Named, [Pki.Intermediate]),
            (A(5), PortA, Good, HugeChain()),
        };
        Directory.CreateDirectory(Path.Combine(_prefix, "logs"));
        var conf = new StringBuilder().Append(CultureInfo.InvariantCulture, $$"""
            worker_processes 1;
            pid {{_prefix}}/nginx.pid;
            error_log {{_prefix}}/logs/error.log;
            events { worker_connections 256; }
            http {
              access_log off;
              client_body_temp_path {{_prefix}}/body; proxy_temp_path {{_prefix}}/proxy;
              fastcgi_temp_path {{_prefix}}/fcgi; uwsgi_temp_path {{_prefix}}/uwsgi; scgi_temp_path {{_prefix}}/scgi;

            """);
        var i = 0;
        foreach (var (address, port, leaf, chain) in servers)
        {
            if (leaf is null)
            {
                conf.Append(CultureInfo.InvariantCulture, $"  server {{ listen {address}:{port}; return 200 \"plain\\n\"; }}\n");
                continue;
            }

            var chainPath = Path.Combine(_prefix, $"{i}.pem");
            var keyPath = Path.Combine(_prefix, $"{i++}.key");
            var pem = new StringBuilder(PemEncoding.WriteString("CERTIFICATE", leaf.RawData)).Append('\n');
            foreach (var c in chain)
            {
                pem.Append(PemEncoding.WriteString("CERTIFICATE", c.RawData)).Append('\n');
            }

            await File.WriteAllTextAsync(chainPath, pem.ToString());
            using var key = leaf.GetECDsaPrivateKey()!;
            await File.WriteAllTextAsync(keyPath, key.ExportPkcs8PrivateKeyPem());
            conf.Append(CultureInfo.InvariantCulture, $"  server {{ listen {address}:{port} ssl; ssl_certificate {chainPath}; ssl_certificate_key {keyPath}; return 200 \"ok\\n\"; }}\n");
        }

        conf.Append("}\n");
        var confPath = Path.Combine(_prefix, "nginx.conf");
        await File.WriteAllTextAsync(confPath, conf.ToString());
        _nginx = Process.Start(new ProcessStartInfo("nginx", ["-e", Path.Combine(_prefix, "logs", "error.log"), "-p", _prefix, "-c", confPath, "-g", "daemon off;"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        }) ?? throw new InvalidOperationException("Cannot start nginx.");
        foreach (var (address, port, _, _) in servers)
        {
            await WaitForAsync(IPAddress.Parse(address), port);
        }
    }

    /// <summary>About 400 KiB of certificates after the leaf: more than a probe lets a server send.</summary>
    private static X509Certificate2[] HugeChain()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var now = TimeProvider.System.GetUtcNow();
        return [.. Enumerable.Range(0, 400).Select(i =>
        {
            var request = new CertificateRequest($"CN=Padding {i} {new string('x', 900)}", key, HashAlgorithmName.SHA256);
            return request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        })];
    }

    private async Task WaitForAsync(IPAddress address, int port)
    {
        for (var i = 0; i < 200; i++)
        {
            if (_nginx!.HasExited)
            {
                var log = Path.Combine(_prefix, "logs", "error.log");
                throw new InvalidOperationException($"nginx exited: {(File.Exists(log) ? await File.ReadAllTextAsync(log) : "")}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(address, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(25);
            }
        }

        throw new InvalidOperationException($"nginx did not listen on {address}:{port} in time.");
    }

    private void Listen(int last, Func<Socket, CancellationToken, Task> handle) =>
        _servers.Add(LoopbackServer.On(IPAddress.Parse(A(last)), PortA, handle));

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }

        if (_nginx is { HasExited: false })
        {
            _nginx.Kill(entireProcessTree: true);
            await _nginx.WaitForExitAsync();
        }

        _nginx?.Dispose();
        Pki.Dispose();
        Other.Dispose();
        foreach (var c in new[] { Good, Expired, Untrusted, SelfSigned, Named })
        {
            c?.Dispose();
        }

        try
        {
            Directory.Delete(_prefix, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
