using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace CertMgr.Core.Tests.Deployments.Ssh;

/// <summary>
/// A real Apache httpd (Debian's apache2 binary, mod_ssl) on a free loopback port with its own config in a temp
/// directory, in the foreground as a child process, killed on dispose.
/// </summary>
internal sealed class ApacheServer : IAsyncDisposable
{
    private readonly Process _process;

    private ApacheServer(string dir, int port)
    {
        Dir = dir;
        Port = port;
        _process = Process.Start(new ProcessStartInfo("apache2", ["-f", ConfigPath, "-DFOREGROUND"]) { RedirectStandardError = true, RedirectStandardOutput = true })
            ?? throw new InvalidOperationException("Cannot start apache2.");
    }

    public string Dir { get; }
    public int Port { get; }
    public string ConfigPath => Path.Combine(Dir, "httpd.conf");

    /// <summary>Starts Apache serving <paramref name="certPath"/> (certificate and chain) with <paramref name="keyPath"/>.</summary>
    public static async Task<ApacheServer> StartAsync(string dir, string certPath, string keyPath)
    {
        var port = TestPorts.Next();
        await File.WriteAllTextAsync(Path.Combine(dir, "httpd.conf"), $"""
            ServerRoot /usr/lib/apache2
            LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
            LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
            LoadModule socache_shmcb_module /usr/lib/apache2/modules/mod_socache_shmcb.so
            LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so
            ServerName localhost
            Listen 127.0.0.1:{port}
            PidFile {dir}/httpd.pid
            ErrorLog {dir}/error.log
            DefaultRuntimeDir {dir}
            Mutex file:{dir} default
            User www-data
            Group www-data
            SSLSessionCache none
            <VirtualHost 127.0.0.1:{port}>
              SSLEngine on
              SSLCertificateFile {certPath}
              SSLCertificateKeyFile {keyPath}
            </VirtualHost>

            """);
        var server = new ApacheServer(dir, port);
        for (var i = 0; i < 200; i++)
        {
            if (server._process.HasExited)
            {
                var log = Path.Combine(dir, "error.log");
                throw new InvalidOperationException($"apache2 exited: {await server._process.StandardError.ReadToEndAsync()} {(File.Exists(log) ? await File.ReadAllTextAsync(log) : "")}");
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

        throw new InvalidOperationException($"apache2 did not listen on {port} in time.");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
