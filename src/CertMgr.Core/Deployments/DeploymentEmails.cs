using System.Globalization;
using System.Text;
using CertMgr.Core.Notifications;
using CertMgr.Data.Model;

namespace CertMgr.Core.Deployments;

/// <summary>An email's text: recipients, subject, body. Never carries a password or key.</summary>
public sealed record EmailText(IReadOnlyList<string> To, string Subject, string Body)
{
    /// <summary>The email as a plain text file (headers, blank line, body) for download.</summary>
    public string ToFile() =>
        $"To: {string.Join(", ", To)}\nSubject: {Subject}\n\n{Body}";
}

/// <summary>
/// The install request, install notification and check result emails of a deployment (guide 4.3.3): the placeholder
/// values as plain functions, rendered from the kind's template (<see cref="EmailTemplateCatalog"/>; the default text
/// when no edited template is given).
/// </summary>
public static class DeploymentEmails
{
    /// <summary>
    /// What to install, where, how to get the package; the password is given separately and never appears here.
    /// <paramref name="packageDelivery"/> is the "how to get it" block (signed link or attachment) when the package
    /// goes by email; without it the email points to the deployment page.
    /// </summary>
    public static EmailText InstallRequest(
        Deployment deployment, CertificateDefinition definition, string? packageFileName, Uri? consoleBase, EmailTemplate? template = null, string? packageDelivery = null)
    {
        var values = InstallRequestValues(deployment, definition, packageFileName, consoleBase, packageDelivery);
        return Render(deployment, EmailTemplateCatalog.InstallRequest, template, values);
    }

    public static Dictionary<string, string> InstallRequestValues(
        Deployment deployment, CertificateDefinition definition, string? packageFileName, Uri? consoleBase, string? packageDelivery)
    {
        var values = CertificateValues(deployment, definition, consoleBase);
        var page = values["deployment_url"];
        values["port"] = (definition.CheckPort ?? definition.Port).ToString(CultureInfo.InvariantCulture);
        values["package_file"] = packageFileName ?? "(none)";
        values["package_delivery"] = packageDelivery
            ?? $"  Console      the CertMgr administrator hands you the package from the deployment page {page}";
        values["install_steps"] = packageFileName switch
        {
            { } f when f.EndsWith(".sh", StringComparison.Ordinal) => $"Run it on the server as root: sudo bash {f}\nIt asks for the password, backs up the old files, checks the configuration and reloads the service; it rolls back if the check fails.",
            { } f when f.EndsWith(".ps1", StringComparison.Ordinal) => $"Run it on the server in PowerShell as administrator: powershell -ExecutionPolicy Bypass -File {f} -SiteName \"<your site>\"\nIt asks for the password, imports the certificate and binds it to the site's https binding; -Rollback restores the previous one.",
            _ => "Unpack the zip; README.txt inside has the installation steps for this server software.",
        };
        return values;
    }

    /// <summary>Sent instead of the install request when CertMgr installed the certificate itself.</summary>
    public static EmailText InstallNotification(Deployment deployment, CertificateDefinition definition, string detail, Uri? consoleBase, EmailTemplate? template = null) =>
        Render(deployment, NotificationKinds.InstallNotification, template, InstallNotificationValues(deployment, definition, detail, consoleBase));

    public static Dictionary<string, string> InstallNotificationValues(Deployment deployment, CertificateDefinition definition, string detail, Uri? consoleBase)
    {
        var values = CertificateValues(deployment, definition, consoleBase);
        values["detail"] = detail;
        return values;
    }

    /// <summary>The result of the last deploy check, for the server administrator.</summary>
    public static EmailText CheckResult(Deployment deployment, CertificateDefinition definition, DeployCheckOutcome outcome, DateTimeOffset checkedAt, EmailTemplate? template = null, Uri? consoleBase = null) =>
        Render(deployment, NotificationKinds.DeployCheck, template, CheckResultValues(deployment, definition, outcome, checkedAt, consoleBase));

    public static Dictionary<string, string> CheckResultValues(Deployment deployment, CertificateDefinition definition, DeployCheckOutcome outcome, DateTimeOffset checkedAt, Uri? consoleBase)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(outcome);
        var c = deployment.Certificate;
        var served = new StringBuilder();
        if (outcome.ServedSha1 is not null)
        {
            served.AppendLine("Served certificate");
            served.AppendLine(CultureInfo.InvariantCulture, $"  Subject      {outcome.Subject}");
            served.AppendLine(CultureInfo.InvariantCulture, $"  Issuer       {outcome.Issuer}");
            served.Append(CultureInfo.InvariantCulture, $"  SHA-1        {outcome.ServedSha1}");
        }

        var checks = new StringBuilder();
        if (outcome.Checks.Count > 0)
        {
            checks.Append("Checks");
            foreach (var check in outcome.Checks)
            {
                checks.Append(CultureInfo.InvariantCulture, $"\n  [{(check.Ok ? "OK" : "NG")}] {check.Name}: {check.Detail}");
            }
        }

        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["common_name"] = definition.CommonName,
            ["server"] = deployment.TargetServerName ?? definition.CommonName,
            ["target"] = outcome.Target,
            ["checked_at"] = Utc(checkedAt),
            ["result"] = MonitorNotices.Word(outcome.Status),
            ["summary"] = outcome.Status == CheckStatus.Ok ? "" : outcome.Summary,
            ["expected_subject"] = c.Subject,
            ["expected_sha1"] = c.Sha1,
            ["served_certificate"] = served.ToString(),
            ["checks"] = checks.ToString(),
            ["closing"] = outcome.Status == CheckStatus.Ok
                ? "Thank you; the deployment is confirmed."
                : "Please check the installation on the server and reply when it is fixed; CertMgr will check again.",
            ["deployment_url"] = PageOf(deployment, consoleBase),
        };
    }

    private static Dictionary<string, string> CertificateValues(Deployment deployment, CertificateDefinition definition, Uri? consoleBase)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        ArgumentNullException.ThrowIfNull(definition);
        var c = deployment.Certificate;
        var server = deployment.TargetServerName ?? definition.CommonName;
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["common_name"] = definition.CommonName,
            ["server"] = server,
            ["software"] = InstallPackage.Label(deployment.ServerSoftware),
            ["subject"] = c.Subject,
            ["issuer"] = c.Issuer,
            ["serial"] = c.SerialNumber,
            ["valid_until"] = Utc(c.NotAfter),
            ["sha1"] = c.Sha1,
            ["sha256"] = c.Sha256,
            ["deployment_url"] = PageOf(deployment, consoleBase),
            ["check_name"] = definition.ServerNameForCheck ?? server,
        };
    }

    private static EmailText Render(Deployment deployment, string kind, EmailTemplate? template, IReadOnlyDictionary<string, string> values)
    {
        var text = EmailTemplates.Render(template ?? EmailTemplateCatalog.Get(kind).Default, values);
        return new EmailText(To(deployment), text.Subject, text.Body);
    }

    private static string PageOf(Deployment deployment, Uri? consoleBase)
    {
        var page = $"/deployments/{deployment.Id}";
        return consoleBase is null ? page : new Uri(consoleBase, page).ToString();
    }

    private static string Utc(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    private static List<string> To(Deployment deployment) =>
        deployment.ServerAdminEmail is { Length: > 0 } to ? [to] : [];
}
