using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace CertMgr.Core.Tests.Deployments.Ssh;

/// <summary>
/// A real OpenSSH server on a free loopback port with its own config, host key and authorized key in a temp directory,
/// run in the foreground (<c>-D</c>) as a child process and killed on dispose. Root may log in with the client key, or
/// try a password (root has none here, so every password is wrong). SFTP through internal-sftp.
/// </summary>
internal sealed class SshServer : IAsyncDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("certmgr-sshd-").FullName;
    private Process? _process;

    private SshServer()
    {
        Port = TestPorts.Next();
    }

    public int Port { get; }

    /// <summary>The client's private key (OpenSSH format) that root's authorized keys accept.</summary>
    public string ClientKey => File.ReadAllText(Path.Combine(_dir, "client_ed25519"));

    /// <summary>The host key's fingerprint as <c>ssh-keygen -l</c> prints it (SHA256:base64).</summary>
    public string HostFingerprint => Run("ssh-keygen", "-lf", Path.Combine(_dir, "host_ed25519.pub")).Split(' ')[1];

    public static async Task<SshServer> StartAsync()
    {
        var server = new SshServer();
        Directory.CreateDirectory("/run/sshd");
        Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", Path.Combine(server._dir, "host_ed25519"));
        Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", Path.Combine(server._dir, "client_ed25519"));
        File.Copy(Path.Combine(server._dir, "client_ed25519.pub"), Path.Combine(server._dir, "authorized_keys"));
        await File.WriteAllTextAsync(Path.Combine(server._dir, "sshd_config"), $"""
            Port {server.Port}
            ListenAddress 127.0.0.1
            HostKey {server._dir}/host_ed25519
            PidFile {server._dir}/sshd.pid
            AuthorizedKeysFile {server._dir}/authorized_keys
            PubkeyAuthentication yes
            PasswordAuthentication yes
            KbdInteractiveAuthentication no
            PermitRootLogin yes
            StrictModes no
            UsePAM no
            MaxStartups 50
            Subsystem sftp internal-sftp

            """);
        await server.StartProcessAsync();
        return server;
    }

    /// <summary>Stops sshd, gives it a new host key, and starts it again on the same port: what a man in the middle looks like.</summary>
    public async Task ChangeHostKeyAsync()
    {
        await StopAsync();
        File.Delete(Path.Combine(_dir, "host_ed25519"));
        File.Delete(Path.Combine(_dir, "host_ed25519.pub"));
        Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", Path.Combine(_dir, "host_ed25519"));
        await StartProcessAsync();
    }

    private async Task StartProcessAsync()
    {
        // sshd must be started by its absolute path (it re-executes itself).
        var start = new ProcessStartInfo("/usr/sbin/sshd", ["-D", "-e", "-f", Path.Combine(_dir, "sshd_config")])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException("Cannot start sshd.");
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        for (var i = 0; i < 200; i++)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"sshd exited ({_process.ExitCode}).");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(25);
            }
        }

        throw new InvalidOperationException($"sshd did not listen on {Port} in time.");
    }

    private async Task StopAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    internal static string Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Cannot start {file}.");
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(30_000) || process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed: {error}");
        }

        return output;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
