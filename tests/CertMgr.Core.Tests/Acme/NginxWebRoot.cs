using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace CertMgr.Core.Tests.Acme;

/// <summary>
/// A real nginx serving a web root over plain HTTP on one loopback port (the port pebble validates HTTP-01 on), with an
/// access log; its own prefix in a temp directory, run in the foreground and killed on dispose.
/// </summary>
internal sealed class NginxWebRoot : IAsyncDisposable
{
    private readonly string _prefix = Directory.CreateTempSubdirectory("certmgr-webroot-").FullName;
    private Process? _process;

    private NginxWebRoot()
    {
        WebRoot = Path.Combine(_prefix, "html");
        Directory.CreateDirectory(WebRoot);
        Directory.CreateDirectory(Path.Combine(_prefix, "logs"));
        Directory.CreateDirectory(Path.Combine(_prefix, "tmp"));
        // nginx started by root serves as nobody: the prefix must be traversable.
        File.SetUnixFileMode(_prefix, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(WebRoot, (UnixFileMode)0b111_101_101);
    }

    public string WebRoot { get; }

    public string AccessLog => File.Exists(Path.Combine(_prefix, "logs", "access.log")) ? File.ReadAllText(Path.Combine(_prefix, "logs", "access.log")) : "";

    public static async Task<NginxWebRoot> StartAsync(int port)
    {
        var server = new NginxWebRoot();
        var p = server._prefix;
        var conf = Path.Combine(p, "nginx.conf");
        await File.WriteAllTextAsync(conf, $$"""
            worker_processes 1;
            pid {{p}}/nginx.pid;
            error_log {{p}}/logs/error.log;
            events { worker_connections 64; }
            http {
              access_log {{p}}/logs/access.log;
              client_body_temp_path {{p}}/tmp/body; proxy_temp_path {{p}}/tmp/proxy;
              fastcgi_temp_path {{p}}/tmp/fcgi; uwsgi_temp_path {{p}}/tmp/uwsgi; scgi_temp_path {{p}}/tmp/scgi;
              default_type text/plain;
              server { listen 127.0.0.1:{{port}}; root {{server.WebRoot}}; }
            }

            """);
        server._process = Process.Start(new ProcessStartInfo("nginx", ["-e", Path.Combine(p, "logs", "error.log"), "-p", p, "-c", conf, "-g", "daemon off;"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        }) ?? throw new InvalidOperationException("Cannot start nginx.");
        for (var i = 0; i < 200; i++)
        {
            if (server._process.HasExited)
            {
                throw new InvalidOperationException($"nginx exited: {await server._process.StandardError.ReadToEndAsync()}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return server;
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
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        try
        {
            Directory.Delete(_prefix, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
