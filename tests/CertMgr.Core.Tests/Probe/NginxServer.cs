using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace CertMgr.Core.Tests.Probe;

/// <summary>
/// A real nginx on loopback with its own prefix in a temp directory, serving one TLS server per port. Started in
/// the foreground (daemon off) as a child process and killed on dispose.
/// </summary>
internal sealed class NginxServer : IAsyncDisposable
{
    private readonly string _prefix = Directory.CreateTempSubdirectory("certmgr-nginx-").FullName;
    private readonly Process _process;

    private NginxServer(IReadOnlyList<(int Port, string Chain, string Key)> servers)
    {
        Directory.CreateDirectory(Path.Combine(_prefix, "logs"));
        Directory.CreateDirectory(Path.Combine(_prefix, "tmp"));
        var conf = new StringBuilder();
        conf.Append(CultureInfo.InvariantCulture, $$"""
            worker_processes 1;
            pid {{_prefix}}/nginx.pid;
            error_log {{_prefix}}/logs/error.log;
            events { worker_connections 128; }
            http {
              access_log off;
              client_body_temp_path {{_prefix}}/tmp/body; proxy_temp_path {{_prefix}}/tmp/proxy;
              fastcgi_temp_path {{_prefix}}/tmp/fcgi; uwsgi_temp_path {{_prefix}}/tmp/uwsgi; scgi_temp_path {{_prefix}}/tmp/scgi;

            """);
        foreach (var (port, chain, key) in servers)
        {
            conf.Append(CultureInfo.InvariantCulture, $"  server {{ listen 127.0.0.1:{port} ssl; ssl_certificate {chain}; ssl_certificate_key {key}; return 200 \"ok\\n\"; }}\n");
        }

        conf.Append("}\n");
        var confPath = Path.Combine(_prefix, "nginx.conf");
        File.WriteAllText(confPath, conf.ToString());
        var start = new ProcessStartInfo("nginx", ["-e", Path.Combine(_prefix, "logs", "error.log"), "-p", _prefix, "-c", confPath, "-g", "daemon off;"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException("Cannot start nginx.");
    }

    public string Prefix => _prefix;

    public string ConfigPath => Path.Combine(_prefix, "nginx.conf");

    /// <summary>Starts nginx on files that already exist (e.g. where an installer puts them).</summary>
    public static async Task<NginxServer> StartWithFilesAsync(IReadOnlyList<(int Port, string Chain, string Key)> servers)
    {
        var server = new NginxServer(servers);
        foreach (var (port, _, _) in servers)
        {
            await server.WaitForAsync(port);
        }

        return server;
    }

    /// <summary>Writes each server's certificate chain (leaf first) and key, starts nginx and waits until every port answers.</summary>
    public static async Task<NginxServer> StartAsync(IReadOnlyList<(int Port, X509Certificate2 Leaf, X509Certificate2[] Chain)> servers)
    {
        var dir = Directory.CreateTempSubdirectory("certmgr-nginx-certs-").FullName;
        var files = new List<(int, string, string)>();
        foreach (var (port, leaf, chain) in servers)
        {
            var chainPath = Path.Combine(dir, $"{port}.pem");
            var keyPath = Path.Combine(dir, $"{port}.key");
            var pem = new StringBuilder(PemEncoding.WriteString("CERTIFICATE", leaf.RawData)).Append('\n');
            foreach (var c in chain)
            {
                pem.Append(PemEncoding.WriteString("CERTIFICATE", c.RawData)).Append('\n');
            }

            await File.WriteAllTextAsync(chainPath, pem.ToString());
            using var key = leaf.GetECDsaPrivateKey() ?? throw new InvalidOperationException("The leaf has no EC private key.");
            await File.WriteAllTextAsync(keyPath, key.ExportPkcs8PrivateKeyPem());
            files.Add((port, chainPath, keyPath));
        }

        var server = new NginxServer(files);
        foreach (var (port, _, _) in files)
        {
            await server.WaitForAsync(port);
        }

        return server;
    }

    private async Task WaitForAsync(int port)
    {
        for (var i = 0; i < 200; i++)
        {
            if (_process.HasExited)
            {
                var log = Path.Combine(_prefix, "logs", "error.log");
                throw new InvalidOperationException($"nginx exited ({_process.ExitCode}): {await _process.StandardError.ReadToEndAsync()} {(File.Exists(log) ? await File.ReadAllTextAsync(log) : "")}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(25);
            }
        }

        throw new InvalidOperationException($"nginx did not listen on {port} in time.");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_prefix, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
