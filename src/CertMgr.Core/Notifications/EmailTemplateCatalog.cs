namespace CertMgr.Core.Notifications;

/// <summary>One placeholder of an email kind: its name, what it holds, and the sample value the preview shows.</summary>
public sealed record TemplatePlaceholder(string Name, string Description, string Sample);

/// <summary>A subject and a plain-text body with <c>{{placeholder}}</c> fields.</summary>
public sealed record EmailTemplate(string Subject, string Body);

/// <summary>An email kind whose text an administrator can edit: who gets it, its placeholders and its default text.</summary>
public sealed record EmailTemplateKind(string Kind, string Title, string Recipient, IReadOnlyList<TemplatePlaceholder> Placeholders, EmailTemplate Default)
{
    public IReadOnlyCollection<string> Names => [.. Placeholders.Select(p => p.Name)];

    public IReadOnlyDictionary<string, string> Samples =>
        Placeholders.ToDictionary(p => p.Name, p => p.Sample, StringComparer.Ordinal);
}

/// <summary>Every editable email kind with its default text (in code; an edited text is stored by <see cref="EmailTemplates"/>).</summary>
public static class EmailTemplateCatalog
{
    /// <summary>The install request to the server administrator (not an administrator notice, so not a <see cref="NotificationKinds"/> kind).</summary>
    public const string InstallRequest = "install-request";

    private static readonly TemplatePlaceholder DefinitionName = new("definition_name", "The definition's name", "Public web site");

    private static readonly TemplatePlaceholder CommonName = new("common_name", "The definition's common name", "www.example.com");

    private static readonly TemplatePlaceholder DefinitionId = new("definition_id", "The definition's id", "0193a5c1-7d2e-7000-8000-000000000002");

    private static readonly TemplatePlaceholder Endpoint = new("endpoint", "host:port checked, with the name sent", "www.example.com:443 (SNI www.example.com)");

    private static readonly TemplatePlaceholder[] CertificateFields =
    [
        CommonName,
        new("server", "The server to install on", "web01.example.com"),
        new("software", "The server software", "nginx"),
        new("subject", "The certificate's subject", "CN=www.example.com, O=Example Ltd, C=JP"),
        new("issuer", "The certificate's issuer", "CN=Example Issuing CA, O=Example Ltd"),
        new("serial", "The certificate's serial number", "4F2A19C0D3E5"),
        new("valid_until", "Expiry (UTC)", "2027-12-31 23:59 UTC"),
        new("sha1", "SHA-1 thumbprint", "A94A8FE5CCB19BA61C4C0873D391E987982FBBD3"),
        new("sha256", "SHA-256 thumbprint", "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08"),
        new("deployment_url", "The deployment page in the console", "https://certmgr.example.com/deployments/0193a5c1-7d2e-7000-8000-000000000001"),
        new("check_name", "The server name the deploy check connects to", "www.example.com"),
    ];

    public static IReadOnlyList<EmailTemplateKind> All { get; } =
    [
        new(InstallRequest, "Install request", "Server administrator",
        [
            .. CertificateFields,
            new("port", "The TLS port", "443"),
            new("package_file", "The install package's file name", "www.example.com-nginx-install.sh"),
            new("package_delivery", "How to get the package: the signed download link, the attachment, or the console", "  Download     https://certmgr.example.com/package/0193a5c1-7d2e-7000-8000-000000000001?expires=1767225600&sig=3q2-7w\n               (valid until 2027-01-01 00:00 UTC)"),
            new("install_steps", "How to run the package for this server software", "Run it on the server as root: sudo bash www.example.com-nginx-install.sh"),
        ],
        new("Certificate install request: {{common_name}} on {{server}}", """
            Hello,

            please install the new server certificate for {{common_name}} on {{server}} ({{software}}).

            Certificate
              Subject      {{subject}}
              Issuer       {{issuer}}
              Serial       {{serial}}
              Valid until  {{valid_until}}
              SHA-1        {{sha1}}
              SHA-256      {{sha256}}

            Where
              Server       {{server}}
              Software     {{software}}
              Port         {{port}}

            Install package
              File         {{package_file}}
            {{package_delivery}}

            {{install_steps}}

            The password that protects the package is not in this email; the CertMgr administrator gives it to you separately.

            When it is installed, please reply. CertMgr then checks that {{check_name}} serves this certificate (SHA-1 above).

            -- CertMgr
            """)),
        new(NotificationKinds.InstallNotification, "Install notification", "Server administrator",
        [
            .. CertificateFields,
            new("detail", "What the automatic install did", "nginx configuration test passed; nginx reloaded"),
        ],
        new("Certificate installed: {{common_name}} on {{server}}", """
            Hello,

            CertMgr has installed the new server certificate for {{common_name}} on {{server}} ({{software}}) automatically; there is nothing for you to install.

            Certificate
              Subject      {{subject}}
              Issuer       {{issuer}}
              Serial       {{serial}}
              Valid until  {{valid_until}}
              SHA-1        {{sha1}}
              SHA-256      {{sha256}}

            What was done
              {{detail}}

            CertMgr now checks that {{check_name}} serves this certificate (deploy check); the deployment page is {{deployment_url}}.

            -- CertMgr
            """)),
        new(NotificationKinds.DeployCheck, "Deploy check result", "Server administrator (Send Result) and the CertMgr administrator",
        [
            CommonName,
            new("server", "The deployment's server", "web01.example.com"),
            new("target", "host:port checked, with the name sent", "web01.example.com:443 (SNI www.example.com)"),
            new("checked_at", "When the check ran (UTC)", "2026-12-05 09:30 UTC"),
            new("result", "OK, NG or Unreachable", "NG"),
            new("summary", "Why the check failed (empty when OK)", "The server serves another certificate (SHA-1 differs)."),
            new("expected_subject", "The deployed certificate's subject", "CN=www.example.com"),
            new("expected_sha1", "The deployed certificate's SHA-1", "A94A8FE5CCB19BA61C4C0873D391E987982FBBD3"),
            new("served_certificate", "The served certificate's subject, issuer and SHA-1 (empty when none was served)", "Served certificate\n  Subject      CN=www.example.com\n  Issuer       CN=Old CA\n  SHA-1        0BEEC7B5EA3F0FDBC95D0DD47F3C5BC275DA8A33"),
            new("checks", "Every check with OK/NG", "Checks\n  [NG] thumbprint: SHA-1 differs\n  [OK] chain: reaches a trusted root"),
            new("closing", "Thanks (OK) or the request to fix and reply (NG)", "Please check the installation on the server and reply when it is fixed; CertMgr will check again."),
            new("deployment_url", "The deployment page in the console", "https://certmgr.example.com/deployments/0193a5c1-7d2e-7000-8000-000000000001"),
        ],
        new("Deploy check {{result}}: {{common_name}} on {{server}}", """
            Hello,

            CertMgr checked {{target}} on {{checked_at}}. Result: {{result}}.
            {{summary}}

            Expected certificate
              Subject      {{expected_subject}}
              SHA-1        {{expected_sha1}}
            {{served_certificate}}

            {{checks}}

            {{closing}}

            -- CertMgr
            """)),
        new(NotificationKinds.UnattendedInterrupted, "Unattended process interrupted", "CertMgr administrator",
        [
            DefinitionName,
            CommonName,
            new("step", "The step the process waits at", "install"),
            new("reason", "Why it cannot go on", "SSH login to web01.example.com failed: permission denied."),
            DefinitionId,
        ],
        new("Unattended renewal of {{definition_name}} interrupted at {{step}}", """
            The unattended process of certificate definition "{{definition_name}}" ({{common_name}}) stopped at the {{step}} step and waits for a person.

            Reason: {{reason}}

            Fix the cause and the next unattended pass resumes the process from that step, or continue it by hand in the console (definition {{definition_id}}).
            """)),
        new(NotificationKinds.MonitorNg, "Monitoring NG", "CertMgr administrator",
        [
            DefinitionName,
            CommonName,
            Endpoint,
            new("result", "NG or Unreachable", "NG"),
            new("previous", "The result before (OK, or \"not checked\")", "OK"),
            new("reason", "The failed check and why, or the network error", "The certificate expires in 12 days (threshold 30)."),
            new("checked_at", "When the check ran (UTC)", "2026-12-05 06:00 UTC"),
            DefinitionId,
        ],
        new("Monitoring {{result}}: {{common_name}} ({{definition_name}})", """
            The periodic monitoring of {{endpoint}} found a problem on {{checked_at}}.

            Result: {{result}} (before: {{previous}})
            Reason: {{reason}}

            Certificate definition "{{definition_name}}" ({{common_name}}), id {{definition_id}}. You get one notice per change: no further email while the result stays the same.

            -- CertMgr
            """)),
        new(NotificationKinds.MonitorOk, "Monitoring OK again", "CertMgr administrator",
        [
            DefinitionName,
            CommonName,
            Endpoint,
            new("previous", "The failed result before (NG or Unreachable)", "NG"),
            new("checked_at", "When the check ran (UTC)", "2026-12-06 06:00 UTC"),
            DefinitionId,
        ],
        new("Monitoring OK again: {{common_name}} ({{definition_name}})", """
            The periodic monitoring of {{endpoint}} is OK again on {{checked_at}} (before: {{previous}}).

            Certificate definition "{{definition_name}}" ({{common_name}}), id {{definition_id}}.

            -- CertMgr
            """)),
        new(NotificationKinds.Digest, "Daily digest", "CertMgr administrator",
        [
            new("date", "The digest's day (UTC)", "2026-12-05"),
            new("expiring_count", "Certificates expiring within their warning window", "2"),
            new("expiring", "Those certificates, one a line", "  www.example.com (Public web site)   expires 2026-12-17, in 12 days"),
            new("waiting_count", "Processes waiting for a person", "1"),
            new("waiting", "Those processes, one a line", "  Public web site: unattended process interrupted at install: SSH login failed"),
            new("failures_count", "Monitored endpoints that are NG or Unreachable", "1"),
            new("failures", "Those endpoints, one a line", "  www.example.com:443: NG since 2026-12-05 06:00 UTC: expires in 12 days"),
            new("discovery_count", "Certificates found by discovery since the last digest that are not in the inventory", "3"),
            new("discovery", "Discovery news, one a line", "  10.0.0.7:443  CN=intranet.example.com  (scan \"Office net\")"),
        ],
        new("CertMgr daily digest {{date}}: {{expiring_count}} expiring, {{waiting_count}} waiting, {{failures_count}} failing", """
            CertMgr daily digest for {{date}} (UTC).

            Expiring within the warning window ({{expiring_count}})
            {{expiring}}

            Waiting for a person ({{waiting_count}})
            {{waiting}}

            Monitoring failures ({{failures_count}})
            {{failures}}

            New in discovery since the last digest ({{discovery_count}})
            {{discovery}}

            -- CertMgr
            """)),
    ];

    /// <summary>The kind, or null when there is no such editable email.</summary>
    public static EmailTemplateKind? Find(string? kind) => All.FirstOrDefault(k => string.Equals(k.Kind, kind, StringComparison.Ordinal));

    public static EmailTemplateKind Get(string kind) =>
        Find(kind) ?? throw new ArgumentOutOfRangeException(nameof(kind), kind, "No such email template kind.");
}
