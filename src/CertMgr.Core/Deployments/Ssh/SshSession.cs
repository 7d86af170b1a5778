using System.Net.Sockets;
using System.Text;
using CertMgr.Core.Common;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace CertMgr.Core.Deployments.Ssh;

/// <summary>
/// How to log in: the secrets are plain here only for the time of one connection. PinnedFingerprint is the host key
/// fingerprint to insist on (SHA256:base64), or null to accept and report the first one.
/// </summary>
public sealed record SshLogin(string Host, int Port, string Username, string? Password, string? PrivateKey, string? KeyPassphrase, string? PinnedFingerprint)
{
    public override string ToString() => $"{Username}@{Host}:{Port}";
}

/// <summary>What a remote command did.</summary>
public sealed record CommandResult(int ExitCode, string Output)
{
    public bool Ok => ExitCode == 0;

    /// <summary>The end of the output, short enough for an error message or history line.</summary>
    public string Tail => Output.Length <= 600 ? Output.Trim() : "…" + Output[^600..].Trim();
}

/// <summary>
/// One SSH login (commands) and its SFTP channel (uploads) to a target server, with the host key checked against the pinned
/// fingerprint before any authentication. Expected failures (unreachable, host key changed, login refused) are
/// <see cref="Error"/> values with codes <c>ssh-unreachable</c>, <c>ssh-host-key-changed</c>, <c>ssh-auth-failed</c>.
/// </summary>
public sealed class SshSession : IDisposable
{
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(15);
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(120);

    private readonly SshClient _ssh;
    private readonly SftpClient _sftp;

    private SshSession(SshClient ssh, SftpClient sftp, string algorithm, string fingerprint)
    {
        _ssh = ssh;
        _sftp = sftp;
        HostKeyAlgorithm = algorithm;
        HostKeyFingerprint = fingerprint;
    }

    public string HostKeyAlgorithm { get; }

    /// <summary>SHA256:base64, as <c>ssh-keygen -l</c> prints it.</summary>
    public string HostKeyFingerprint { get; }

    public static async Task<Result<SshSession>> OpenAsync(SshLogin login, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(login);
        ConnectionInfo info;
        ConnectionInfo sftpInfo;
        try
        {
            // One ConnectionInfo per connection: it carries authentication state, and both log in at once.
            info = Info(login);
            sftpInfo = Info(login);
        }
        catch (SshException)
        {
            return new Error("ssh-key-unreadable", "The SSH private key cannot be read (wrong passphrase, or not an OpenSSH/PEM private key).");
        }
        catch (InvalidOperationException)
        {
            return new Error("ssh-key-unreadable", "The SSH private key cannot be read (wrong passphrase, or not an OpenSSH/PEM private key).");
        }

        string? seenAlgorithm = null;
        string? seenFingerprint = null;
        void Check(object? sender, HostKeyEventArgs e)
        {
            seenAlgorithm = e.HostKeyName;
            seenFingerprint = "SHA256:" + e.FingerPrintSHA256;
            e.CanTrust = login.PinnedFingerprint is null || string.Equals(login.PinnedFingerprint, seenFingerprint, StringComparison.Ordinal);
        }

        var ssh = new SshClient(info);
        var sftp = new SftpClient(sftpInfo);
        ssh.HostKeyReceived += Check;
        sftp.HostKeyReceived += Check;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(ConnectTimeout);
            // Two connections (commands, SFTP): log in on both at once, each login is a few round trips.
            await Task.WhenAll(ssh.ConnectAsync(timeout.Token), sftp.ConnectAsync(timeout.Token));
            var session = new SshSession(ssh, sftp, seenAlgorithm ?? "unknown", seenFingerprint ?? "unknown");
            ssh = null!;
            sftp = null!;
            return session;
        }
        catch (SshConnectionException) when (login.PinnedFingerprint is not null && seenFingerprint is not null && seenFingerprint != login.PinnedFingerprint)
        {
            return Error.Conflict("ssh-host-key-changed",
                $"The host key of {login.Host}:{login.Port} has changed: it is now {seenAlgorithm} {seenFingerprint}, but {login.PinnedFingerprint} is pinned. "
                + "Nothing was sent. If the server was really reinstalled, clear the pinned host key in the auto-install settings; otherwise someone may be in between.");
        }
        catch (SshAuthenticationException)
        {
            return new Error("ssh-auth-failed", $"The SSH login as {login.Username} to {login.Host}:{login.Port} was refused (wrong password or key, or the user may not log in).");
        }
        catch (Exception e) when (e is SocketException or SshConnectionException or SshOperationTimeoutException or OperationCanceledException or ProxyException)
        {
            ct.ThrowIfCancellationRequested();
            return Error.Unavailable("ssh-unreachable", $"Cannot connect over SSH to {login.Host}:{login.Port}: {e.Message}");
        }
        finally
        {
            ssh?.Dispose();
            sftp?.Dispose();
        }
    }

    /// <summary>Runs <paramref name="command"/> in the login's shell; stdout and stderr together, bounded by <see cref="CommandTimeout"/>.</summary>
    public async Task<CommandResult> RunAsync(string command, CancellationToken ct)
    {
        using var cmd = _ssh.CreateCommand(command + " 2>&1");
        cmd.CommandTimeout = CommandTimeout;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(CommandTimeout);
        try
        {
            await cmd.ExecuteAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new CommandResult(-1, $"timed out after {CommandTimeout.TotalSeconds:0} s");
        }
        catch (SshException e)
        {
            return new CommandResult(-1, e.Message);
        }

        return new CommandResult(cmd.ExitStatus ?? -1, cmd.Result ?? "");
    }

    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/> over SFTP.</summary>
    public async Task<Result> UploadAsync(string path, byte[] content, CancellationToken ct)
    {
        try
        {
            using var stream = new MemoryStream(content, writable: false);
            await _sftp.UploadFileAsync(stream, path, ct);
            return Result.Success();
        }
        catch (Exception e) when (e is SshException or IOException)
        {
            return new Error("ssh-upload-failed", $"Cannot upload {path}: {e.Message}");
        }
    }

    public void Dispose()
    {
        _sftp.Dispose();
        _ssh.Dispose();
    }

    /// <summary>Quotes a value for a POSIX shell.</summary>
    public static string Quote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }

    private static ConnectionInfo Info(SshLogin login)
    {
        var methods = new List<AuthenticationMethod>();
        if (login.PrivateKey is { Length: > 0 } key)
        {
            using var stream = new MemoryStream(Encoding.UTF8.GetBytes(key));
            methods.Add(new PrivateKeyAuthenticationMethod(login.Username, login.KeyPassphrase is { Length: > 0 } p ? new PrivateKeyFile(stream, p) : new PrivateKeyFile(stream)));
        }

        if (login.Password is { } password)
        {
            methods.Add(new PasswordAuthenticationMethod(login.Username, password));
        }

        return new ConnectionInfo(login.Host, login.Port, login.Username, [.. methods]) { Timeout = ConnectTimeout };
    }
}
