using CertMgr.Data.Model;

namespace CertMgr.Core.Deployments;

/// <summary>
/// What one server software needs to take a new certificate: where its files go by default, which binary shows it is
/// installed, how its configuration is validated and how it reloads. <see cref="Validate"/> and <see cref="Reload"/>
/// hold <c>{config}</c> where the configuration option goes (<see cref="ConfigFlag"/>, or its default file).
/// </summary>
public sealed record ServerProfile(
    ServerSoftware Software, string? Binary, string DirectoryPattern, string? Validate, string? Reload, string? ConfigFlag, string? DefaultConfig, bool Combined)
{
    private const string ConfigToken = "{config}";

    /// <summary>The default certificate directory for <paramref name="name"/>.</summary>
    public string CertDirectory(string name) => DirectoryPattern.Replace("{name}", name, StringComparison.Ordinal);

    /// <summary>The command as the one-click installer runs it: the configuration file from its <c>$CONFIG</c> variable.</summary>
    public static string? ForScript(string? command, ServerProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        return command?.Replace(ConfigToken, profile switch
        {
            { ConfigFlag: null } => "",
            { DefaultConfig: { } d } => $"{profile.ConfigFlag} \"${{CONFIG:-{d}}}\"",
            _ => $"${{CONFIG:+{profile.ConfigFlag} \"$CONFIG\"}}",
        }, StringComparison.Ordinal);
    }

    /// <summary>The command as typed on the server, with the default configuration (an editable default of auto-install).</summary>
    public static string? Plain(string? command, ServerProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        return command?.Replace(" " + ConfigToken, profile.DefaultConfig is { } d ? $" {profile.ConfigFlag} {d}" : "", StringComparison.Ordinal);
    }
}

/// <summary>
/// The one table of server software profiles, read by the one-click installer (<see cref="LinuxInstaller"/>), the
/// install package README and auto-install over SSH (<see cref="Ssh.SshInstallDefaults"/>).
/// </summary>
public static class ServerProfiles
{
    private static readonly ServerProfile[] All =
    [
        new(ServerSoftware.Nginx, "nginx", "/etc/nginx/ssl/{name}", "nginx -t -q {config}", "nginx {config} -s reload", "-c", null, false),
        new(ServerSoftware.ApacheHttpd, "apachectl", "/etc/apache2/ssl/{name}", "apachectl {config} configtest", "apachectl {config} graceful", "-f", null, false),
        new(ServerSoftware.HaProxy, "haproxy", "/etc/haproxy/certs/{name}", "haproxy -c -q {config}", "systemctl reload haproxy", "-f", "/etc/haproxy/haproxy.cfg", true),
        new(ServerSoftware.Postfix, "postfix", "/etc/postfix/ssl/{name}", "postfix {config} check", "postfix {config} reload", "-c", null, false),
        new(ServerSoftware.Dovecot, "doveconf", "/etc/dovecot/ssl/{name}", "doveconf {config} -n >/dev/null", "doveadm reload", "-c", null, false),
        new(ServerSoftware.Vsftpd, "vsftpd", "/etc/vsftpd/ssl/{name}", null, "systemctl restart vsftpd", null, null, false),
    ];

    private static readonly ServerProfile Generic = new(ServerSoftware.Generic, null, "/etc/ssl/certmgr/{name}", null, null, null, null, false);

    /// <summary>The profile of <paramref name="software"/>; anything without its own is generic (explicit paths and commands).</summary>
    public static ServerProfile For(ServerSoftware software) => All.FirstOrDefault(p => p.Software == software) ?? Generic;
}
