namespace CertMgr.Core.Notifications.Webhooks;

/// <summary>The notification kinds (Notification.Kind) a channel can subscribe to, with their console wording.</summary>
public static class WebhookKinds
{
    /// <summary>The kind of the payload the "Send test notification" button sends (never stored as a Notification).</summary>
    public const string Test = "test";

    public static IReadOnlyList<(string Kind, string Label)> All { get; } =
    [
        ("unattended-interrupted", "Unattended process interrupted"),
        ("monitor-ng", "Monitoring: endpoint NG"),
        ("monitor-ok", "Monitoring: endpoint OK again"),
        ("deploy-check", "Deploy check result"),
        ("install-notification", "Install notification"),
        ("digest", "Digest"),
    ];

    public static bool IsKnown(string kind) => All.Any(k => k.Kind == kind);

    public static string Label(string kind) => All.FirstOrDefault(k => k.Kind == kind).Label ?? kind;
}
