namespace CertMgr.Core.Notifications;

/// <summary>
/// The kinds of administrator notices: each is one <see cref="Data.Model.Notification"/> row, written by its producer
/// in the producer's unit of work and only when something changed. Email and webhooks both read these strings.
/// </summary>
public static class NotificationKinds
{
    /// <summary>An unattended process stopped at a step that needs a person.</summary>
    public const string UnattendedInterrupted = "unattended-interrupted";

    /// <summary>A monitored endpoint went from OK (or never checked) to NG or Unreachable.</summary>
    public const string MonitorNg = "monitor-ng";

    /// <summary>A monitored endpoint that was NG or Unreachable is OK again.</summary>
    public const string MonitorOk = "monitor-ok";

    /// <summary>A deploy check's result (a new result for the deployment).</summary>
    public const string DeployCheck = "deploy-check";

    /// <summary>CertMgr installed a certificate by itself.</summary>
    public const string InstallNotification = "install-notification";

    /// <summary>The daily digest.</summary>
    public const string Digest = "digest";

    public static IReadOnlyList<string> All { get; } =
        [UnattendedInterrupted, MonitorNg, MonitorOk, DeployCheck, InstallNotification, Digest];
}
