namespace CertMgr.Web.ConsoleUi;

/// <summary>One entry of the sidebar.</summary>
/// <param name="Title">The screen's name as the guide gives it.</param>
/// <param name="Path">The app-relative path, e.g. <c>/definitions</c>.</param>
/// <param name="Icon">A bootstrap-icons name without the <c>bi-</c> prefix.</param>
/// <param name="AdminOnly">Shown to administrators only (the screen itself refuses other users too).</param>
public sealed record NavItem(string Title, string Path, string Icon, bool AdminOnly = false);

/// <summary>A titled group of sidebar entries; the first group has no title.</summary>
public sealed record NavSection(string? Title, IReadOnlyList<NavItem> Items);

/// <summary>The console's navigation (guide 4.2), in sidebar order.</summary>
public static class ConsoleNavigation
{
    public static IReadOnlyList<NavSection> Sections { get; } =
    [
        new(null,
        [
            new("Certificate Definitions", "/definitions", "card-checklist"),
            new("Acquisition Processes", "/acquisitions", "arrow-repeat"),
            new("Certificate Requests", "/requests", "file-earmark-text"),
            new("Certificates", "/certificates", "patch-check"),
            new("Deployment Processes", "/deployments", "rocket-takeoff"),
            new("Private Keys", "/keys", "key"),
            new("Provider Accounts", "/provider-accounts", "person-badge"),
            new("Products", "/products", "box-seam"),
        ]),
        new("Operations",
        [
            new("Monitor Control", "/monitor", "activity"),
            new("Unattended Processes", "/unattended", "robot"),
            new("Certificate Discovery", "/discovery", "radar"),
            new("Sent Emails", "/emails", "envelope"),
            new("Webhooks", "/webhooks", "broadcast"),
            new("Event Log", "/events", "journal-text"),
        ]),
        new("Administration",
        [
            new("Private CA", "/private-ca", "shield-lock"),
            new("ACME Server", "/acme-server", "hdd-network"),
            new("CA Contracts", "/ca-contracts", "building"),
            new("Trusted CA Sets", "/trusted-ca-sets", "shield-check"),
            new("Users", "/users", "people", AdminOnly: true),
            new("Audit Log", "/audit", "journal-check", AdminOnly: true),
            new("Settings", "/settings", "gear", AdminOnly: true),
        ]),
    ];

    /// <summary>The sections as a user sees them: admin-only entries only for administrators, empty sections left out.</summary>
    public static IReadOnlyList<NavSection> VisibleTo(bool isAdmin) =>
        [.. Sections.Select(s => s with { Items = [.. s.Items.Where(i => isAdmin || !i.AdminOnly)] }).Where(s => s.Items.Count > 0)];

    /// <summary>The entry that owns <paramref name="path"/>: itself or a sub-path; <c>/</c> is the definitions.</summary>
    public static NavItem? Find(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "/")
        {
            return Sections[0].Items[0];
        }

        foreach (var section in Sections)
        {
            foreach (var item in section.Items)
            {
                if (IsWithin(path, item.Path))
                {
                    return item;
                }
            }
        }

        return null;
    }

    private static bool IsWithin(string path, string itemPath) =>
        path.StartsWith(itemPath, StringComparison.OrdinalIgnoreCase)
        && (path.Length == itemPath.Length || path[itemPath.Length] == '/');
}
