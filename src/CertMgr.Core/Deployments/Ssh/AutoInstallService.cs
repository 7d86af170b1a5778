using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using CertMgr.Core.Common;
using CertMgr.Core.Inventory;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Data.Secrets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace CertMgr.Core.Deployments.Ssh;

/// <summary>
/// A definition's auto-install settings (guide 2.8, 4.3.3): read, save with per-field errors, delete, and the Test
/// action, which logs in and reports what it finds without changing anything on the server. Secrets are sealed and
/// never returned; every change is in the definition's history.
/// </summary>
public sealed partial class AutoInstallService(CertMgrDbContext db, SecretProtector protector, TimeProvider time, ILogger<AutoInstallService> logger)
{
    public static readonly string[] KeyModes = ["0600", "0640", "0400", "0440"];
    private const int MaxSecretLength = 16 * 1024;

    public async Task<Result<AutoInstallView?>> GetAsync(Guid definitionId, CancellationToken ct)
    {
        if (!await db.Definitions.AnyAsync(d => d.Id == definitionId, ct))
        {
            return DefinitionNotFound();
        }

        var s = await db.SshInstallSettings.AsNoTracking().SingleOrDefaultAsync(x => x.DefinitionId == definitionId, ct);
        return s is null ? Result<AutoInstallView?>.Success(null) : AutoInstallView.From(s);
    }

    /// <summary>Creates or replaces the settings; empty paths and commands take the profile's defaults.</summary>
    public async Task<Result<AutoInstallView>> SaveAsync(Guid definitionId, AutoInstallInput input, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var definition = await db.Definitions.AsNoTracking().SingleOrDefaultAsync(d => d.Id == definitionId, ct);
        if (definition is null)
        {
            return DefinitionNotFound();
        }

        var s = await db.SshInstallSettings.SingleOrDefaultAsync(x => x.DefinitionId == definitionId, ct);
        var invalid = Validate(input, s);
        if (invalid is not null)
        {
            return invalid;
        }

        var now = time.GetUtcNow();
        var created = s is null;
        if (s is null)
        {
            s = new SshInstallSettings { DefinitionId = definitionId, CreatedAt = now };
            db.SshInstallSettings.Add(s);
        }

        var d = SshInstallDefaults.For(input.Profile, definition.CommonName);
        var ssh = input.Profile != ServerSoftware.CertMgr;
        var hostChanged = !string.Equals(s.Host, Clean(input.Host), StringComparison.OrdinalIgnoreCase) || s.Port != input.Port;
        s.Enabled = input.Enabled;
        s.Profile = input.Profile;
        s.Host = ssh ? Clean(input.Host)?.ToLowerInvariant() : null;
        s.Port = ssh ? input.Port : 22;
        s.Username = ssh ? Clean(input.Username) : null;
        s.AuthMethod = input.AuthMethod;
        if (!ssh)
        {
            s.EncryptedPassword = s.EncryptedPrivateKey = s.EncryptedKeyPassphrase = null;
        }
        else if (input.AuthMethod == SshAuthMethod.Password)
        {
            s.EncryptedPrivateKey = s.EncryptedKeyPassphrase = null;
            if (!string.IsNullOrEmpty(input.Password))
            {
                s.EncryptedPassword = protector.Protect(input.Password, SecretPurposes.SshSecret);
            }
        }
        else
        {
            s.EncryptedPassword = null;
            if (!string.IsNullOrWhiteSpace(input.PrivateKey))
            {
                s.EncryptedPrivateKey = protector.Protect(input.PrivateKey.Trim() + "\n", SecretPurposes.SshSecret);
                s.EncryptedKeyPassphrase = string.IsNullOrEmpty(input.KeyPassphrase) ? null : protector.Protect(input.KeyPassphrase, SecretPurposes.SshSecret);
            }
        }

        if (input.ClearHostKey || hostChanged || !ssh)
        {
            s.HostKeyAlgorithm = s.HostKeyFingerprint = null;
        }

        s.UseSudo = ssh && input.UseSudo;
        s.CertificatePath = ssh ? Clean(input.CertificatePath) ?? d.CertificatePath : null;
        s.ChainPath = ssh ? Clean(input.ChainPath) ?? d.ChainPath : null;
        s.FullChainPath = ssh ? Clean(input.FullChainPath) ?? d.FullChainPath : null;
        s.KeyPath = ssh ? Clean(input.KeyPath) ?? d.KeyPath : null;
        s.CombinedPath = ssh ? Clean(input.CombinedPath) ?? d.CombinedPath : null;
        s.FileOwner = ssh ? Clean(input.FileOwner) : null;
        s.FileGroup = ssh ? Clean(input.FileGroup) : null;
        s.KeyMode = Clean(input.KeyMode) ?? "0600";
        s.ValidateCommand = ssh ? Clean(input.ValidateCommand) ?? d.ValidateCommand : null;
        s.ReloadCommand = ssh ? Clean(input.ReloadCommand) ?? d.ReloadCommand : null;
        s.Http01WebRoot = ssh ? Clean(input.Http01WebRoot)?.TrimEnd('/') is { Length: > 0 } root ? root : null : null;
        if (ssh && Files(s) is { } missing)
        {
            db.ChangeTracker.Clear();
            return Error.Invalid("auto-install-invalid", missing.Message, missing.Field);
        }

        s.UpdatedAt = now;
        DefinitionHistory.Record(db, now, actor, definitionId, created ? "auto-install-set" : "auto-install-changed",
            $"Auto-install {(s.Enabled ? "on" : "off")}: {Describe(s)}");
        await db.SaveChangesAsync(ct);
        LogSaved(logger, definitionId, s.Profile);
        return AutoInstallView.From(s);
    }

    public async Task<Result<bool>> DeleteAsync(Guid definitionId, string actor, CancellationToken ct)
    {
        var s = await db.SshInstallSettings.SingleOrDefaultAsync(x => x.DefinitionId == definitionId, ct);
        if (s is null)
        {
            return Error.NotFound("auto-install-not-found", "The definition has no auto-install settings.");
        }

        db.SshInstallSettings.Remove(s);
        DefinitionHistory.Record(db, time.GetUtcNow(), actor, definitionId, "auto-install-removed", "Auto-install settings removed; certificates are installed by hand");
        await db.SaveChangesAsync(ct);
        return true;
    }

    /// <summary>
    /// Logs in and reports what it finds: the server software, whether the target directories are writable, whether the
    /// validate command passes and whether the reload may run. Changes nothing on the server; pins the host key at the
    /// first successful login, and refuses (recorded in the history) when the pinned one has changed.
    /// </summary>
    public async Task<Result<AutoInstallTestReport>> TestAsync(Guid definitionId, string actor, CancellationToken ct)
    {
        var s = await db.SshInstallSettings.SingleOrDefaultAsync(x => x.DefinitionId == definitionId, ct);
        if (s is null)
        {
            return Error.NotFound("auto-install-not-found", "The definition has no auto-install settings; save them first.");
        }

        var now = time.GetUtcNow();
        if (s.Profile == ServerSoftware.CertMgr)
        {
            return new AutoInstallTestReport(true, [new("target", true, "Installs into this CertMgr's own console; no SSH login is needed, the new certificate is served without a restart.")]);
        }

        var login = SshInstallPlans.Login(s, protector);
        if (!login.IsSuccess)
        {
            return login.Error!;
        }

        var findings = new List<AutoInstallFinding>();
        var opened = await SshSession.OpenAsync(login.Value, ct);
        if (!opened.IsSuccess)
        {
            findings.Add(new("login", false, opened.Error!.Message));
            DefinitionHistory.Record(db, now, actor, definitionId, "auto-install-test", $"Test failed: {opened.Error.Message}").Outcome = "failure";
            await db.SaveChangesAsync(ct);
            return new AutoInstallTestReport(false, findings);
        }

        using (var session = opened.Value)
        {
            var pinned = Pin(s, session, now);
            findings.Add(new("login", true, $"Logged in to {login.Value}; host key {session.HostKeyAlgorithm} {session.HostKeyFingerprint} {(pinned ? "pinned now" : "matches the pinned one")}."));
            var plan = SshInstallPlans.PlanOf(s, "", "", "");
            const string Path = "PATH=\"$PATH:/usr/local/sbin:/usr/sbin:/sbin\"; ";
            if (ServerProfiles.For(s.Profile).Binary is { } binary && s.Profile != ServerSoftware.Generic)
            {
                var found = await session.RunAsync(plan.Privileged(Path + "command -v " + binary), ct);
                findings.Add(new("software", found.Ok, found.Ok ? $"{binary} found at {found.Output.Trim()}" : $"{binary} not found on the server"));
            }

            foreach (var dir in plan.Files.Select(f => Dir(f.Path)).Distinct(StringComparer.Ordinal))
            {
                var q = SshSession.Quote(dir);
                var writable = await session.RunAsync(plan.Privileged(
                    $"if [ -d {q} ]; then test -w {q} && echo writable; else p={q}; while [ ! -d \"$p\" ]; do p=$(dirname \"$p\"); done; test -w \"$p\" && echo \"will be created under $p\"; fi"), ct);
                findings.Add(new("path", writable.Ok, writable.Ok ? $"{dir}: {writable.Output.Trim()}" : $"{dir}: not writable by {(s.UseSudo ? "sudo -n" : s.Username)} {writable.Tail}".TrimEnd()));
            }

            if (plan.Validate is { } validate)
            {
                var valid = await session.RunAsync(plan.Privileged(validate), ct);
                findings.Add(new("validate", valid.Ok, valid.Ok ? $"`{validate}` passes" : $"`{validate}` exited {valid.ExitCode}: {valid.Tail}"));
            }

            if (plan.Reload is { } reload)
            {
                var first = reload.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
                var who = await session.RunAsync(plan.Privileged($"{Path}command -v {SshSession.Quote(first)} >/dev/null && id -u"), ct);
                var root = who.Ok && who.Output.Trim() == "0";
                findings.Add(new("reload", root, who.Ok
                    ? root ? $"`{reload}` would run as root" : $"`{reload}` would run as uid {who.Output.Trim()}, not root: it may not be permitted"
                    : $"`{first}` is not found, or {(s.UseSudo ? "sudo -n is refused" : "the command cannot run")}: {who.Tail}"));
            }
        }

        var ok = findings.All(f => f.Ok);
        DefinitionHistory.Record(db, now, actor, definitionId, "auto-install-test",
            $"Test {(ok ? "passed" : "found problems")}: {string.Join("; ", findings.Where(f => !f.Ok).Select(f => f.Detail))}".TrimEnd(' ', ':')).Outcome = ok ? "success" : "failure";
        await db.SaveChangesAsync(ct);
        return new AutoInstallTestReport(ok, findings);
    }

    /// <summary>Pins the host key seen at the first successful login; true when it was pinned now.</summary>
    internal static bool Pin(SshInstallSettings s, SshSession session, DateTimeOffset now)
    {
        if (s.HostKeyFingerprint is not null)
        {
            return false;
        }

        s.HostKeyAlgorithm = session.HostKeyAlgorithm;
        s.HostKeyFingerprint = session.HostKeyFingerprint;
        s.UpdatedAt = now;
        return true;
    }

    public static string Describe(SshInstallSettings s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return s.Profile == ServerSoftware.CertMgr
            ? "this CertMgr's console"
            : $"{InstallPackage.Label(s.Profile)} on {s.Username}@{s.Host}:{s.Port} ({(s.AuthMethod == SshAuthMethod.Password ? "password" : "private key")}{(s.UseSudo ? ", sudo" : "")})";
    }

    private static Error? Validate(AutoInstallInput input, SshInstallSettings? stored)
    {
        var errors = new Dictionary<string, string[]>();
        void Add(string field, string message) => errors[field] = [message];

        if (!Enum.IsDefined(input.Profile) || !SshInstallDefaults.Profiles.Contains(input.Profile))
        {
            Add("profile", "Choose the server software: nginx, Apache httpd, HAProxy, Postfix, Dovecot, vsftpd, generic, or this CertMgr.");
        }

        if (input.Profile != ServerSoftware.CertMgr)
        {
            var host = Clean(input.Host);
            if (host is null)
            {
                Add("host", "Enter the SSH host name or address.");
            }
            else if (host.Length > 253 || !(IPAddress.TryParse(host, out _) || Uri.CheckHostName(host) == UriHostNameType.Dns))
            {
                Add("host", "The SSH host must be a host name or an IP address.");
            }

            if (input.Port is < 1 or > 65535)
            {
                Add("port", "The SSH port must be between 1 and 65535.");
            }

            var user = Clean(input.Username);
            if (user is null)
            {
                Add("username", "Enter the SSH user name.");
            }
            else if (user.Length > 255 || user.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            {
                Add("username", "The SSH user name must not contain spaces or control characters.");
            }

            if (!Enum.IsDefined(input.AuthMethod))
            {
                Add("authMethod", "Choose password or private key.");
            }
            else if (input.AuthMethod == SshAuthMethod.Password)
            {
                if (string.IsNullOrEmpty(input.Password) && stored?.EncryptedPassword is null)
                {
                    Add("password", "Enter the SSH password.");
                }
                else if (input.Password is { Length: > MaxSecretLength })
                {
                    Add("password", "The password is too long.");
                }
            }
            else if (string.IsNullOrWhiteSpace(input.PrivateKey))
            {
                if (stored?.EncryptedPrivateKey is null)
                {
                    Add("privateKey", "Paste the SSH private key (OpenSSH or PEM).");
                }
            }
            else if (input.PrivateKey.Length > MaxSecretLength || !KeyReadable(input.PrivateKey, input.KeyPassphrase))
            {
                Add("privateKey", "The private key cannot be read: paste an OpenSSH or PEM private key, with its passphrase if it has one.");
            }

            foreach (var (field, value) in new[]
            {
                ("certificatePath", input.CertificatePath), ("chainPath", input.ChainPath), ("fullChainPath", input.FullChainPath),
                ("keyPath", input.KeyPath), ("combinedPath", input.CombinedPath), ("http01WebRoot", Clean(input.Http01WebRoot)?.TrimEnd('/')),
            })
            {
                if (Clean(value) is { } path && !IsPath(path))
                {
                    Add(field, "A path must be absolute (start with /), without '..', quotes or control characters, at most 1024 characters.");
                }
            }

            foreach (var (field, value) in new[] { ("fileOwner", input.FileOwner), ("fileGroup", input.FileGroup) })
            {
                if (Clean(value) is { } name && !AccountName().IsMatch(name))
                {
                    Add(field, "Use a user or group name (letters, digits, '_', '-', '.') or a numeric id.");
                }
            }

            foreach (var (field, value) in new[] { ("validateCommand", input.ValidateCommand), ("reloadCommand", input.ReloadCommand) })
            {
                if (Clean(value) is { } command && (command.Length > 2000 || command.Any(char.IsControl)))
                {
                    Add(field, "A command must be one line of at most 2000 characters.");
                }
            }
        }

        if (Clean(input.KeyMode) is { } mode && !KeyModes.Contains(mode))
        {
            Add("keyMode", "The key file mode must be 0600, 0640, 0400 or 0440: a key is never readable by others.");
        }

        return errors.Count == 0 ? null : Error.Invalid("auto-install-invalid", "The auto-install settings are not valid: " + string.Join(" ", errors.Values.Select(v => v[0])), errors);
    }

    private static (string Field, string Message)? Files(SshInstallSettings s)
    {
        var hasCert = s.CertificatePath is not null || s.FullChainPath is not null;
        if (s.CombinedPath is null && (s.KeyPath is null || !hasCert))
        {
            return (s.KeyPath is null ? "keyPath" : "fullChainPath", "Say where the files go: a certificate or full-chain path and a key path, or a combined path.");
        }

        var paths = new[] { s.CertificatePath, s.ChainPath, s.FullChainPath, s.KeyPath, s.CombinedPath }.OfType<string>().ToList();
        return paths.Distinct(StringComparer.Ordinal).Count() == paths.Count ? null : ("keyPath", "Each file needs its own path.");
    }

    private static bool KeyReadable(string key, string? passphrase)
    {
        try
        {
            using var stream = new MemoryStream(Encoding.UTF8.GetBytes(key.Trim() + "\n"));
            using var file = string.IsNullOrEmpty(passphrase) ? new PrivateKeyFile(stream) : new PrivateKeyFile(stream, passphrase);
            return true;
        }
        catch (Exception e) when (e is SshException or ArgumentException or InvalidOperationException or FormatException or NotSupportedException or System.Security.Cryptography.CryptographicException)
        {
            return false;
        }
    }

    private static bool IsPath(string path) =>
        path.Length <= 1024 && path.StartsWith('/') && !path.EndsWith('/') && !path.Any(c => char.IsControl(c) || c is '\'' or '"' or '`' or '$' or '\\')
        && !path.Split('/').Any(p => p is ".." or ".");

    private static string Dir(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash <= 0 ? "/" : path[..slash];
    }

    private static string? Clean(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static Error DefinitionNotFound() => Error.NotFound("definition-not-found", "No certificate definition has that id.");

    [GeneratedRegex("^([A-Za-z_][A-Za-z0-9_.-]{0,31}|[0-9]{1,10})$")]
    private static partial Regex AccountName();

    [LoggerMessage(Level = LogLevel.Information, Message = "Auto-install settings of definition {DefinitionId} saved ({Profile})")]
    private static partial void LogSaved(ILogger logger, Guid definitionId, ServerSoftware profile);
}
