using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;

namespace CertMgr.Core.Tests.Acme;

/// <summary>
/// A real ACME CA for the client tests: BIND 9 (<c>named</c>) authoritative for <see cref="Zone"/> with a TSIG key
/// allowed to update it and every name pointing at 127.0.0.1, and pebble using it as its DNS server, so HTTP-01
/// validation reaches CertMgr's responder on <see cref="HttpPort"/> and DNS-01 reads the TXT records CertMgr
/// writes. Free loopback ports and a temp directory per testbed; both processes are killed at dispose.
/// </summary>
public sealed class AcmeTestbed : IAsyncDisposable
{
    public const string Zone = "example.test";
    public const string TsigKeyName = "certmgr-acme";
    public const string EabKeyId = "kid-certmgr";

    /// <summary>A name pebble's policy refuses at the new order (rejectedIdentifier).</summary>
    public const string BlockedName = "blocked.example.test";

    private readonly List<Process> _processes = [];

    private AcmeTestbed(string dir) => Dir = dir;

    public string Dir { get; }
    public int AcmePort { get; private set; }
    public int ManagementPort { get; private set; }
    public int HttpPort { get; private set; }
    public int DnsPort { get; private set; }
    public string DirectoryUrl => $"https://127.0.0.1:{AcmePort}/dir";
    public string DnsServer => $"127.0.0.1:{DnsPort}";
    public string Http01Address => $"127.0.0.1:{HttpPort}";

    /// <summary>The CA that signed pebble's own TLS certificate (to trust the directory).</summary>
    public string ListenerCaPem { get; private set; } = "";
    public string TsigSecret { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The EAB HMAC key pebble knows under <see cref="EabKeyId"/> (base64url).</summary>
    public string EabHmacKey { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static async Task<AcmeTestbed> StartAsync(bool eabRequired = false, int nonceReject = 0)
    {
        var dir = Path.Combine(Path.GetTempPath(), "certmgr-acme-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var bed = new AcmeTestbed(dir);
        try
        {
            await bed.StartBindAsync();
            await bed.StartPebbleAsync(eabRequired, nonceReject);
            return bed;
        }
        catch
        {
            await bed.DisposeAsync();
            throw;
        }
    }

    private async Task StartBindAsync()
    {
        DnsPort = TestPorts.Next(udpToo: true);
        await File.WriteAllTextAsync(Path.Combine(Dir, $"{Zone}.zone"), $"""
            $TTL 60
            @ IN SOA ns.{Zone}. admin.{Zone}. 1 60 60 600 60
            @ IN NS ns.{Zone}.
            @ IN A 127.0.0.1
            ns IN A 127.0.0.1
            * IN A 127.0.0.1

            """);
        await File.WriteAllTextAsync(Path.Combine(Dir, "named.conf"), $$"""
            options {
              directory "{{Dir}}";
              listen-on port {{DnsPort}} { 127.0.0.1; };
              listen-on-v6 { none; };
              pid-file "{{Dir}}/named.pid";
              session-keyfile "{{Dir}}/session.key";
              recursion no;
              dnssec-validation no;
            };
            controls { };
            key "{{TsigKeyName}}" { algorithm hmac-sha256; secret "{{TsigSecret}}"; };
            zone "{{Zone}}" { type master; file "{{Dir}}/{{Zone}}.zone"; allow-update { key "{{TsigKeyName}}"; }; };

            """);
        Start("/usr/sbin/named", ["-g", "-n", "1", "-c", Path.Combine(Dir, "named.conf")], "named.log", []);
        await WaitTcpAsync(DnsPort, "named");
    }

    private async Task StartPebbleAsync(bool eabRequired, int nonceReject)
    {
        AcmePort = TestPorts.Next();
        ManagementPort = TestPorts.Next();
        HttpPort = TestPorts.Next();
        var tlsPort = TestPorts.Next();
        await ExternalTool.RunAsync("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "30",
            "-subj", "/CN=pebble listener CA", "-keyout", Path.Combine(Dir, "ca.key"), "-out", Path.Combine(Dir, "ca.pem"));
        await ExternalTool.RunAsync("openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=localhost",
            "-keyout", Path.Combine(Dir, "key.pem"), "-out", Path.Combine(Dir, "srv.csr"));
        await File.WriteAllTextAsync(Path.Combine(Dir, "ext.cnf"), "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
        await ExternalTool.RunAsync("openssl", "x509", "-req", "-in", Path.Combine(Dir, "srv.csr"), "-CA", Path.Combine(Dir, "ca.pem"), "-CAkey", Path.Combine(Dir, "ca.key"),
            "-CAcreateserial", "-days", "30", "-extfile", Path.Combine(Dir, "ext.cnf"), "-out", Path.Combine(Dir, "cert.pem"));
        ListenerCaPem = await File.ReadAllTextAsync(Path.Combine(Dir, "ca.pem"));
        var config = new JsonObject
        {
            ["pebble"] = new JsonObject
            {
                ["listenAddress"] = $"127.0.0.1:{AcmePort}",
                ["managementListenAddress"] = $"127.0.0.1:{ManagementPort}",
                ["certificate"] = Path.Combine(Dir, "cert.pem"),
                ["privateKey"] = Path.Combine(Dir, "key.pem"),
                ["httpPort"] = HttpPort,
                ["tlsPort"] = tlsPort,
                ["ocspResponderURL"] = "",
                ["externalAccountBindingRequired"] = eabRequired,
                ["externalAccountMACKeys"] = new JsonObject { [EabKeyId] = EabHmacKey },
                ["domainBlocklist"] = new JsonArray(BlockedName),
            },
        };
        await File.WriteAllTextAsync(Path.Combine(Dir, "pebble.json"), config.ToJsonString());
        Start("/usr/bin/pebble", ["-config", Path.Combine(Dir, "pebble.json"), "-dnsserver", DnsServer], "pebble.log",
            new() { ["PEBBLE_VA_NOSLEEP"] = "1", ["PEBBLE_WFE_NONCEREJECT"] = nonceReject.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        using var http = Trusting();
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var answer = await http.GetAsync(DirectoryUrl);
                if (answer.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not up yet
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException("pebble did not start:\n" + Log("pebble.log"));
    }

    /// <summary>pebble's issuing root (regenerated at each pebble start), from the management port.</summary>
    public async Task<string> RootPemAsync()
    {
        using var http = Trusting();
        return await http.GetStringAsync($"https://127.0.0.1:{ManagementPort}/roots/0");
    }

    public string Log(string name)
    {
        var path = Path.Combine(Dir, name);
        return File.Exists(path) ? File.ReadAllText(path) : "";
    }

    /// <summary>An HttpClient trusting only pebble's listener CA.</summary>
    public HttpClient Trusting()
    {
        var ca = X509Certificate2.CreateFromPem(ListenerCaPem.Length > 0 ? ListenerCaPem : File.ReadAllText(Path.Combine(Dir, "ca.pem")));
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, cert, _, errors) =>
            {
                if (cert is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
                {
                    return false;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(cert);
            },
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
    }

    private void Start(string file, string[] args, string log, Dictionary<string, string> env)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Dir,
        };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        foreach (var (k, v) in env)
        {
            start.Environment[k] = v;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start.");
        var writer = new StreamWriter(Path.Combine(Dir, log)) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (writer) { writer.WriteLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (writer) { writer.WriteLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add(process);
    }

    private async Task WaitTcpAsync(int port, string what)
    {
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        throw new InvalidOperationException($"{what} did not start:\n" + Log("named.log"));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var p in _processes)
        {
            try
            {
                if (!p.HasExited)
                {
                    p.Kill(entireProcessTree: true);
                    await p.WaitForExitAsync();
                }
            }
            catch (InvalidOperationException)
            {
                // already gone
            }

            p.Dispose();
        }

        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
            // harmless leftover
        }
    }
}
