using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using CertMgr.Core.Common;
using CertMgr.Core.Deployments.Targets;

namespace CertMgr.Core.Deployments.Ssh;

/// <summary>One file to put on the server, with its octal mode (0644, or 0600 for a key).</summary>
public sealed record InstallFile(string Path, byte[] Content, string Mode);

/// <summary>What an install does on the server: the files, their owner, and the server's validate and reload commands.</summary>
public sealed record InstallPlan(IReadOnlyList<InstallFile> Files, string? Owner, string? Group, bool UseSudo, string? Validate, string? Reload)
{
    /// <summary>Wraps a shell script so that it runs as the login user, or through <c>sudo -n</c>.</summary>
    public string Privileged(string script) => (UseSudo ? "sudo -n sh -c " : "sh -c ") + SshSession.Quote(script);
}

/// <summary>
/// The install over one SSH session, atomic and reversible: upload to a private staging directory (SFTP), copy next to
/// each target as <c>FILE.certmgr-new</c> under umask 077, set owner and mode, back up the current files as
/// <c>FILE.certmgr-backup</c>, move the new files into place, validate the configuration, reload. A failure before the
/// move removes the new files and changes nothing; a failure from the move on restores the backups (or removes files
/// that did not exist before) and reloads again. The failed step is named: upload, permissions, backup, move, validate,
/// reload, rollback.
/// </summary>
public static class SshInstaller
{
    public const string NewSuffix = ".certmgr-new";
    public const string BackupSuffix = ".certmgr-backup";
    private const int PermissionsFailed = 81;
    private const int BackupFailed = 82;
    private const int MoveFailed = 83;

    public static async Task<InstallOutcome> InstallAsync(SshSession session, InstallPlan plan, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(plan);
        var files = plan.Files;
        var q = SshSession.Quote;

        // upload: to a directory only the login user can read, then next to the targets under umask 077. Every command is
        // a round trip and a shell start on the server (with the login user's shell start-up files), so the steps are
        // few scripts rather than many commands.
        var uploadStarted = Stopwatch.GetTimestamp();
        var staging = await session.RunAsync("umask 077 && mktemp -d", ct);
        if (!staging.Ok || !staging.Output.Trim().StartsWith('/'))
        {
            return Failed("upload", "ssh-upload-failed", $"Cannot create a staging directory on the server: {staging.Tail}");
        }

        var stage = staging.Output.Trim();
        var staged = false;
        try
        {
            for (var i = 0; i < files.Count; i++)
            {
                var uploaded = await session.UploadAsync($"{stage}/{i}", files[i].Content, ct);
                if (!uploaded.IsSuccess)
                {
                    return Failed("upload", uploaded.Error!.Code, uploaded.Error.Message);
                }
            }

            // The copy runs as the installing user (sudo when set); the staging directory goes in the same round trip.
            var copy = "umask 077; " + string.Join(" && ", files.Select((f, i) =>
                $"mkdir -p {q(Dir(f.Path))} && cp {q($"{stage}/{i}")} {q(f.Path + NewSuffix)}"));
            var copied = await session.RunAsync($"{plan.Privileged(copy)}; rc=$?; rm -rf {q(stage)}; exit $rc", ct);
            staged = true;
            if (!copied.Ok)
            {
                await CleanNewAsync(session, plan, ct);
                return Failed("upload", "ssh-upload-failed", $"Cannot write the new files next to their targets: {copied.Tail}");
            }
        }
        finally
        {
            if (!staged)
            {
                await session.RunAsync($"rm -rf {q(stage)}", ct);
            }

            StepClock.Record("install.ssh-upload", Stopwatch.GetElapsedTime(uploadStarted));
        }

        // permissions, backup, move: one script whose exit code names the step that failed
        var owner = plan.Owner is null && plan.Group is null ? null : $"{plan.Owner}{(plan.Group is null ? "" : ":" + plan.Group)}";
        var perms = string.Join(" && ", files.Select(f =>
            $"chmod {f.Mode} {q(f.Path + NewSuffix)}" + (owner is null ? "" : $" && chown {q(owner)} {q(f.Path + NewSuffix)}")));
        var backup = string.Join(" && ", files.Select(f =>
            $"{{ if [ -e {q(f.Path)} ]; then cp -p {q(f.Path)} {q(f.Path + BackupSuffix)}; else rm -f {q(f.Path + BackupSuffix)}; fi; }}"));
        var move = string.Join(" && ", files.Select(f => $"mv -f {q(f.Path + NewSuffix)} {q(f.Path)}"));
        var place = $"{{ {perms}; }} || exit {PermissionsFailed}; {{ {backup}; }} || exit {BackupFailed}; {{ {move}; }} || exit {MoveFailed}";
        var placed = await StepClock.TimeAsync("install.ssh-place", () => session.RunAsync(plan.Privileged(place), ct));
        switch (placed.ExitCode)
        {
            case 0:
                break;
            case MoveFailed:
                return await RollbackAsync(session, plan, "move", "ssh-move-failed", $"Cannot move the new files into place: {placed.Tail}", ct);
            case BackupFailed:
                await CleanNewAsync(session, plan, ct);
                return Failed("backup", "ssh-backup-failed", $"Cannot back up the current files: {placed.Tail}");
            default:
                // the permissions step, or the script never ran (e.g. sudo refused): nothing is in place yet
                await CleanNewAsync(session, plan, ct);
                return Failed("permissions", "ssh-permissions-failed", $"Cannot set owner and mode of the new files: {placed.Tail}");
        }

        // validate
        if (plan.Validate is { } validate)
        {
            var valid = await StepClock.TimeAsync("install.ssh-validate", () => session.RunAsync(plan.Privileged(validate), ct));
            if (!valid.Ok)
            {
                return await RollbackAsync(session, plan, "validate", "ssh-validate-failed",
                    $"The server configuration does not validate with the new files ({validate} exited {valid.ExitCode}): {valid.Tail}", ct);
            }
        }

        // reload
        if (plan.Reload is { } reload)
        {
            var reloaded = await StepClock.TimeAsync("install.ssh-reload", () => session.RunAsync(plan.Privileged(reload), ct));
            if (!reloaded.Ok)
            {
                return await RollbackAsync(session, plan, "reload", "ssh-reload-failed",
                    $"The reload failed ({reload} exited {reloaded.ExitCode}): {reloaded.Tail}", ct);
            }
        }

        return new InstallOutcome.Installed(
            $"{string.Join(", ", files.Select(f => f.Path))} installed{(plan.Validate is null ? "" : ", configuration validates")}{(plan.Reload is null ? "" : ", service reloaded")}; previous files kept as *{BackupSuffix}");
    }

    /// <summary>A fresh random token, e.g. for names that must not collide.</summary>
    public static string Token() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    private static async Task<InstallOutcome> RollbackAsync(SshSession session, InstallPlan plan, string step, string code, string message, CancellationToken ct)
    {
        var q = SshSession.Quote;
        var restore = string.Join("; ", plan.Files.Select(f =>
            $"if [ -e {q(f.Path + BackupSuffix)} ]; then cp -p {q(f.Path + BackupSuffix)} {q(f.Path)}; else rm -f {q(f.Path)}; fi; rm -f {q(f.Path + NewSuffix)}"));
        var restored = await session.RunAsync(plan.Privileged("set -e; " + restore), ct);
        if (!restored.Ok)
        {
            return Failed("rollback", "ssh-rollback-failed",
                $"{message} Then the rollback failed too, so the server may hold the new files: {restored.Tail}");
        }

        if (plan.Reload is { } reload)
        {
            var reloaded = await StepClock.TimeAsync("install.ssh-reload", () => session.RunAsync(plan.Privileged(reload), ct));
            if (!reloaded.Ok)
            {
                return Failed("rollback", "ssh-rollback-failed",
                    $"{message} The previous files are back, but reloading with them failed ({reloaded.ExitCode}): {reloaded.Tail}");
            }
        }

        return Failed(step, code, message + " The previous files are back" + (plan.Reload is null ? "." : " and the service was reloaded with them."));
    }

    private static async Task CleanNewAsync(SshSession session, InstallPlan plan, CancellationToken ct) =>
        await session.RunAsync(plan.Privileged(string.Join("; ", plan.Files.Select(f => $"rm -f {SshSession.Quote(f.Path + NewSuffix)}"))), ct);

    private static string Dir(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash <= 0 ? "/" : path[..slash];
    }

    private static InstallOutcome.Failed Failed(string step, string code, string message) =>
        new(step, new Error(code, string.Create(CultureInfo.InvariantCulture, $"{message}")));
}
