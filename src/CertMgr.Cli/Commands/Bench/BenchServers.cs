using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CertMgr.Cli.Commands.Bench;

/// <summary>
/// Real servers for benchmarks, on loopback only, each in its own temp directory and killed on dispose: OpenSSH's sshd
/// (a fresh host key, one authorized client key for the current user) and nginx (one TLS server per port).
/// </summary>
internal sealed class BenchProcess : IAsyncDisposable
{
    private readonly Process _process;

    private BenchProcess(Process process, string directory)
    {
        _process = process;
        Directory = directory;
    }

    public string Directory { get; }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>sshd on 127.0.0.1:<paramref name="port"/>; the client key that logs in is <c>client_ed25519</c> in <see cref="Directory"/>.</summary>
    public static async Task<BenchProcess> StartSshdAsync(int port, CancellationToken ct)
    {
        var dir = System.IO.Directory.CreateTempSubdirectory("certmgr-bench-sshd-").FullName;
        System.IO.Directory.CreateDirectory("/run/sshd");
        await RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", Path.Combine(dir, "host_ed25519")], ct);
        await RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", Path.Combine(dir, "client_ed25519")], ct);
        File.Copy(Path.Combine(dir, "client_ed25519.pub"), Path.Combine(dir, "authorized_keys"));
        // The login's shell reads ~/.bashrc for every command; a developer's (here root's: pyenv init, ~0.5 s) is not what a
        // server's deploy account runs, so sessions get a home of their own, like a service account.
        System.IO.Directory.CreateDirectory(Path.Combine(dir, "home"));
        await File.WriteAllTextAsync(Path.Combine(dir, "sshd_config"), $"""
            Port {port}
            ListenAddress 127.0.0.1
            HostKey {dir}/host_ed25519
            PidFile {dir}/sshd.pid
            AuthorizedKeysFile {dir}/authorized_keys
            PubkeyAuthentication yes
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PermitRootLogin prohibit-password
            StrictModes no
            UsePAM no
            MaxStartups 100
            MaxSessions 100
            Subsystem sftp internal-sftp
            SetEnv HOME={dir}/home

            """, ct);
        // sshd must be started by its absolute path (it re-executes itself).
        var process = Start("/usr/sbin/sshd", ["-D", "-E", Path.Combine(dir, "sshd.log"), "-f", Path.Combine(dir, "sshd_config")]);
        var server = new BenchProcess(process, dir);
        await server.WaitForPortAsync(port, "sshd", ct);
        return server;
    }

    /// <summary>nginx serving <paramref name="servers"/> (port, full chain file, key file); <c>nginx.conf</c> is in <see cref="Directory"/>.</summary>
    public static async Task<BenchProcess> StartNginxAsync(IReadOnlyList<(int Port, string Chain, string Key)> servers, CancellationToken ct)
    {
        var dir = System.IO.Directory.CreateTempSubdirectory("certmgr-bench-nginx-").FullName;
        System.IO.Directory.CreateDirectory(Path.Combine(dir, "logs"));
        System.IO.Directory.CreateDirectory(Path.Combine(dir, "tmp"));
        var conf = new StringBuilder();
        conf.Append(CultureInfo.InvariantCulture, $$"""
            worker_processes 1;
            pid {{dir}}/nginx.pid;
            error_log {{dir}}/logs/error.log;
            events { worker_connections 1024; }
            http {
              access_log off;
              client_body_temp_path {{dir}}/tmp/body; proxy_temp_path {{dir}}/tmp/proxy;
              fastcgi_temp_path {{dir}}/tmp/fcgi; uwsgi_temp_path {{dir}}/tmp/uwsgi; scgi_temp_path {{dir}}/tmp/scgi;

            """);
        foreach (var (port, chain, key) in servers)
        {
            conf.Append(CultureInfo.InvariantCulture, $"  server {{ listen 127.0.0.1:{port} ssl; ssl_certificate {chain}; ssl_certificate_key {key}; return 200 \"ok\\n\"; }}\n");
        }

        conf.Append("}\n");
        await File.WriteAllTextAsync(Path.Combine(dir, "nginx.conf"), conf.ToString(), ct);
        var process = Start("nginx", ["-e", Path.Combine(dir, "logs", "error.log"), "-p", dir, "-c", Path.Combine(dir, "nginx.conf"), "-g", "daemon off;"]);
        var server = new BenchProcess(process, dir);
        foreach (var (port, _, _) in servers)
        {
            await server.WaitForPortAsync(port, "nginx", ct);
        }

        return server;
    }

    public static async Task RunAsync(string file, string[] args, CancellationToken ct)
    {
        using var process = Start(file, args);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.StandardOutput.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({process.ExitCode}): {await stderr}");
        }
    }

    private static Process Start(string file, string[] args)
    {
        var start = new ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true };
        return Process.Start(start) ?? throw new InvalidOperationException($"Cannot start {file}.");
    }

    private async Task WaitForPortAsync(int port, string what, CancellationToken ct)
    {
        for (var i = 0; i < 400; i++)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{what} exited ({_process.ExitCode}): {await _process.StandardError.ReadToEndAsync(ct)}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, ct);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(25, ct);
            }
        }

        throw new InvalidOperationException($"{what} did not listen on {port} in time.");
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
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
