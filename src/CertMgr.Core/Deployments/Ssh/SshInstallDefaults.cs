using CertMgr.Data.Model;

namespace CertMgr.Core.Deployments.Ssh;

/// <summary>A profile's default file paths and commands for one definition: what an empty field of the settings means.</summary>
public sealed record SshInstallDefaultValues(
    string? CertificatePath, string? ChainPath, string? FullChainPath, string? KeyPath, string? CombinedPath, string? ValidateCommand, string? ReloadCommand);

/// <summary>Defaults per server profile, from the one profile table (<see cref="ServerProfiles"/>).</summary>
public static class SshInstallDefaults
{
    /// <summary>The profiles auto-install supports; <see cref="ServerSoftware.CertMgr"/> is this CertMgr's own console.</summary>
    public static readonly IReadOnlyList<ServerSoftware> Profiles =
    [
        ServerSoftware.Nginx, ServerSoftware.ApacheHttpd, ServerSoftware.HaProxy, ServerSoftware.Postfix, ServerSoftware.Dovecot,
        ServerSoftware.Vsftpd, ServerSoftware.Generic, ServerSoftware.CertMgr,
    ];

    public static SshInstallDefaultValues For(ServerSoftware profile, string commonName)
    {
        if (profile is ServerSoftware.Generic or ServerSoftware.CertMgr || !Profiles.Contains(profile))
        {
            return new(null, null, null, null, null, null, null);
        }

        var p = ServerProfiles.For(profile);
        var dir = p.CertDirectory(FileName(commonName));
        return p.Combined
            ? new(null, null, null, null, $"{dir}/{FileName(commonName)}.pem", ServerProfile.Plain(p.Validate, p), ServerProfile.Plain(p.Reload, p))
            : new(null, null, $"{dir}/fullchain.pem", $"{dir}/privkey.pem", null, ServerProfile.Plain(p.Validate, p), ServerProfile.Plain(p.Reload, p));
    }

    /// <summary>A definition's common name as a file or directory name: the wildcard spelled out, nothing else but host-name characters.</summary>
    public static string FileName(string commonName)
    {
        var n = (commonName ?? "").Trim().Replace("*", "_wildcard", StringComparison.Ordinal);
        var clean = new string([.. n.Where(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_')]).TrimStart('.');
        return clean.Length == 0 ? "certificate" : clean;
    }
}
