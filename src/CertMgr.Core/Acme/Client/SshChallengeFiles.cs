using System.Text.RegularExpressions;
using CertMgr.Core.Common;
using CertMgr.Core.Deployments.Ssh;
using CertMgr.Data.Model;
using CertMgr.Data.Secrets;

namespace CertMgr.Core.Acme.Client;

/// <summary>
/// HTTP-01 answers (RFC 8555 8.3) placed as files on the target server itself: <c>{web root}/.well-known/acme-challenge/{token}</c>
/// written over the definition's auto-install SSH login (<see cref="SshSession"/>, host key pinned at the first login,
/// a changed one refused), for a server that already serves the names on port 80. Directories it had to create are
/// removed again at <see cref="DisposeAsync"/>; a failed write leaves nothing behind. Failures name the step:
/// connect, place, remove.
/// </summary>
public sealed partial class SshChallengeFiles(SshInstallSettings settings, SecretProtector protector, TimeProvider time) : IAsyncDisposable
{
    private const string ChallengeDir = ".well-known/acme-challenge";
    private readonly List<string> _createdDirs = [];
    private SshSession? _session;

    /// <summary>The web root on the server (no trailing slash).</summary>
    public string WebRoot { get; } = settings.Http01WebRoot ?? throw new ArgumentException("The settings have no HTTP-01 web root.", nameof(settings));

    /// <summary>Whether a definition's auto-install settings place HTTP-01 files over SSH.</summary>
    public static bool Applies(SshInstallSettings? s) =>
        s is { Http01WebRoot.Length: > 0 } && s.Profile != ServerSoftware.CertMgr && SshInstallPlans.CanLogIn(s);

    /// <summary>The file a token is written to.</summary>
    public string PathOf(string token) => $"{WebRoot}/{ChallengeDir}/{token}";

    /// <summary>Writes the key authorization for <paramref name="token"/>, creating the challenge directory if needed.</summary>
    public async Task<Result> PlaceAsync(string token, string keyAuthorization, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(keyAuthorization);
        // The token comes from the CA: it must be a plain base64url name, never a path or shell text.
        if (!Base64UrlText().IsMatch(token) || !Base64UrlText().IsMatch(keyAuthorization.Replace(".", "", StringComparison.Ordinal)))
        {
            return new Error("acme-challenge-token-invalid", "The CA sent an HTTP-01 token that is not base64url text; nothing was written.");
        }

        var session = await SessionAsync(ct);
        if (!session.IsSuccess)
        {
            return session.Error;
        }

        var root = SshSession.Quote(WebRoot);
        var file = SshSession.Quote(PathOf(token));
        var script = $"umask 022; r={root}; "
            + "[ -d \"$r\" ] || { echo \"no such directory: $r\"; exit 3; }; "
            + "if [ ! -d \"$r/.well-known\" ]; then mkdir \"$r/.well-known\" || exit 4; echo made:.well-known; fi; "
            + $"if [ ! -d \"$r/{ChallengeDir}\" ]; then mkdir \"$r/{ChallengeDir}\" || exit 4; echo made:{ChallengeDir}; fi; "
            + $"printf '%s' {SshSession.Quote(keyAuthorization)} > {file} || {{ rm -f {file}; exit 5; }}";
        var placed = await session.Value.RunAsync(Privileged(script), ct);
        foreach (var line in placed.Output.Split('\n'))
        {
            if (line.Trim() is var l && l.StartsWith("made:", StringComparison.Ordinal) && !_createdDirs.Contains(l[5..]))
            {
                _createdDirs.Add(l[5..]);
            }
        }

        if (placed.Ok)
        {
            return Result.Success();
        }

        await RemoveCreatedDirsAsync(CancellationToken.None);
        var output = Redact(placed.Tail, keyAuthorization);
        return new Error("http01-webroot-not-writable",
            $"HTTP-01 over SSH failed at step 'place': cannot write {PathOf(token)} on {Describe()}: {output}. Nothing was left behind; "
            + "check the web root in the definition's auto-install settings and that the login may write there.");
    }

    /// <summary>Removes the token's file (also after a failed validation).</summary>
    public async Task<Result> RemoveAsync(string token, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (_session is null || !Base64UrlText().IsMatch(token))
        {
            return Result.Success();
        }

        var removed = await _session.RunAsync(Privileged($"rm -f {SshSession.Quote(PathOf(token))}"), ct);
        return removed.Ok
            ? Result.Success()
            : new Error("http01-webroot-remove-failed", $"HTTP-01 over SSH failed at step 'remove': cannot remove {PathOf(token)} on {Describe()}: {removed.Tail}");
    }

    public async ValueTask DisposeAsync()
    {
        if (_session is null)
        {
            return;
        }

        await RemoveCreatedDirsAsync(CancellationToken.None);
        _session.Dispose();
        _session = null;
    }

    private async Task<Result<SshSession>> SessionAsync(CancellationToken ct)
    {
        if (_session is not null)
        {
            return _session;
        }

        var login = SshInstallPlans.Login(settings, protector);
        if (!login.IsSuccess)
        {
            return Step("connect", login.Error);
        }

        var opened = await SshSession.OpenAsync(login.Value, ct);
        if (!opened.IsSuccess)
        {
            return Step(opened.Error.Code == "ssh-host-key-changed" ? "host-key" : "connect", opened.Error);
        }

        // The same pinning as auto-install: the first successful login pins the host key; the caller saves it.
        AutoInstallService.Pin(settings, opened.Value, time.GetUtcNow());
        _session = opened.Value;
        return _session;
    }

    private async Task RemoveCreatedDirsAsync(CancellationToken ct)
    {
        if (_session is null || _createdDirs.Count == 0)
        {
            return;
        }

        // Deepest first; rmdir leaves a directory someone else put files in meanwhile.
        var dirs = _createdDirs.OrderByDescending(d => d.Length).Select(d => SshSession.Quote($"{WebRoot}/{d}"));
        await _session.RunAsync(Privileged("rmdir " + string.Join(' ', dirs) + " 2>/dev/null; true"), ct);
        _createdDirs.Clear();
    }

    private string Privileged(string script) => (settings.UseSudo ? "sudo -n sh -c " : "sh -c ") + SshSession.Quote(script);

    private string Describe() => $"{settings.Username}@{settings.Host}:{settings.Port}";

    private static Error Step(string step, Error error) =>
        new(error.Code, $"HTTP-01 over SSH failed at step '{step}': {error.Message}", error.Kind);

    private static string Redact(string text, string secret) => text.Replace(secret, "[key authorization]", StringComparison.Ordinal);

    [GeneratedRegex("^[A-Za-z0-9_-]{1,256}$")]
    private static partial Regex Base64UrlText();
}
