using System.Globalization;
using System.Text;
using CertMgr.Data.Model;

namespace CertMgr.Core.Deployments;

/// <summary>An email's text: recipients, subject, body. Never carries a password or key.</summary>
public sealed record EmailText(IReadOnlyList<string> To, string Subject, string Body)
{
    /// <summary>The email as a plain text file (headers, blank line, body) for download.</summary>
    public string ToFile() =>
        $"To: {string.Join(", ", To)}\nSubject: {Subject}\n\n{Body}";
}

/// <summary>The install request and check result emails of a deployment (guide 4.3.3), as plain functions.</summary>
public static class DeploymentEmails
{
    /// <summary>What to install, where, how to get the package; the password is given separately and never appears here.</summary>
    public static EmailText InstallRequest(Deployment deployment, CertificateDefinition definition, string? packageFileName, Uri? consoleBase)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        ArgumentNullException.ThrowIfNull(definition);
        var c = deployment.Certificate;
        var software = InstallPackage.Label(deployment.ServerSoftware);
        var server = deployment.TargetServerName ?? definition.CommonName;
        var b = new StringBuilder();
        b.AppendLine("Hello,");
        b.AppendLine();
        b.AppendLine(CultureInfo.InvariantCulture, $"please install the new server certificate for {definition.CommonName} on {server} ({software}).");
        b.AppendLine();
        b.AppendLine("Certificate");
        b.AppendLine(CultureInfo.InvariantCulture, $"  Subject      {c.Subject}");
        b.AppendLine(CultureInfo.InvariantCulture, $"  Issuer       {c.Issuer}");
        b.AppendLine(CultureInfo.InvariantCulture, $"  Serial       {c.SerialNumber}");
        b.AppendLine(CultureInfo.InvariantCulture, $"  Valid until  {c.NotAfter.UtcDateTime:yyyy-MM-dd HH:mm} UTC");
        b.AppendLine(CultureInfo.InvariantCulture, $"  SHA-1        {c.Sha1}");
        b.AppendLine(CultureInfo.InvariantCulture, $"  SHA-256      {c.Sha256}");
        b.AppendLine();
        b.AppendLine("Where");
        b.AppendLine(CultureInfo.InvariantCulture, $"  Server       {server}");
        b.AppendLine(CultureInfo.InvariantCulture, $"  Software     {software}");
        b.AppendLine(CultureInfo.InvariantCulture, $"  Port         {definition.CheckPort ?? definition.Port}");
        b.AppendLine();
        b.AppendLine("Install package");
        if (packageFileName is not null)
        {
            b.AppendLine(CultureInfo.InvariantCulture, $"  File         {packageFileName}");
        }

        var page = $"/deployments/{deployment.Id}";
        if (deployment.Delivery == DeliveryMethod.Email && consoleBase is not null)
        {
            b.AppendLine(CultureInfo.InvariantCulture, $"  Download     {new Uri(consoleBase, $"/api/v1/deployments/{deployment.Id}/package")}");
            b.AppendLine(CultureInfo.InvariantCulture, $"               (or on the deployment page: {new Uri(consoleBase, page)})");
        }
        else
        {
            b.AppendLine(CultureInfo.InvariantCulture, $"  Console      the CertMgr administrator hands you the package from the deployment page {(consoleBase is null ? page : new Uri(consoleBase, page).ToString())}");
        }

        b.AppendLine();
        b.AppendLine(packageFileName switch
        {
            { } f when f.EndsWith(".sh", StringComparison.Ordinal) => $"Run it on the server as root: sudo bash {f}\nIt asks for the password, backs up the old files, checks the configuration and reloads the service; it rolls back if the check fails.",
            { } f when f.EndsWith(".ps1", StringComparison.Ordinal) => $"Run it on the server in PowerShell as administrator: powershell -ExecutionPolicy Bypass -File {f} -SiteName \"<your site>\"\nIt asks for the password, imports the certificate and binds it to the site's https binding; -Rollback restores the previous one.",
            _ => "Unpack the zip; README.txt inside has the installation steps for this server software.",
        });
        b.AppendLine();
        b.AppendLine("The password that protects the package is not in this email; the CertMgr administrator gives it to you separately.");
        b.AppendLine();
        b.AppendLine(CultureInfo.InvariantCulture, $"When it is installed, please reply. CertMgr then checks that {definition.ServerNameForCheck ?? server} serves this certificate (SHA-1 above).");
        b.AppendLine();
        b.AppendLine("-- CertMgr");
        return new EmailText(To(deployment), $"Certificate install request: {definition.CommonName} on {server}", b.ToString());
    }

    /// <summary>Sent instead of the install request when CertMgr installed the certificate itself.</summary>
    public static EmailText InstallNotification(Deployment deployment, CertificateDefinition definition, string detail, Uri? consoleBase)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        ArgumentNullException.ThrowIfNull(definition);
        var c = deployment.Certificate;
        var software = InstallPackage.Label(deployment.ServerSoftware);
        var server = deployment.TargetServerName ?? definition.CommonName;
        var page = $"/deployments/{deployment.Id}";
        var b = new StringBuilder();
        b.AppendLine("Hello,");
        b.AppendLine();
        b.AppendLine(CultureInfo.InvariantCulture, $"CertMgr has installed the new server certificate for {definition.CommonName} on {server} ({software}) automatically; there is nothing for you to install.");
        b.AppendLine();
        b.AppendLine("Certificate");
        b.AppendLine(CultureInfo.InvariantCulture, $"  Subject      {c.Subject}");
        b.AppendLine(CultureInfo.InvariantCulture, $"  Issuer       {c.Issuer}");
        b.AppendLine(CultureInfo.InvariantCulture, $"  Serial       {c.SerialNumber}");
        b.AppendLine(CultureInfo.InvariantCulture, $"  Valid until  {c.NotAfter.UtcDateTime:yyyy-MM-dd HH:mm} UTC");
        b.AppendLine(CultureInfo.InvariantCulture, $"  SHA-1        {c.Sha1}");
        b.AppendLine(CultureInfo.InvariantCulture, $"  SHA-256      {c.Sha256}");
        b.AppendLine();
        b.AppendLine("What was done");
        b.AppendLine(CultureInfo.InvariantCulture, $"  {detail}");
        b.AppendLine();
        b.AppendLine(CultureInfo.InvariantCulture, $"CertMgr now checks that {definition.ServerNameForCheck ?? server} serves this certificate (deploy check); the deployment page is {(consoleBase is null ? page : new Uri(consoleBase, page).ToString())}.");
        b.AppendLine();
        b.AppendLine("-- CertMgr");
        return new EmailText(To(deployment), $"Certificate installed: {definition.CommonName} on {server}", b.ToString());
    }

    /// <summary>The result of the last deploy check, for the server administrator.</summary>
    public static EmailText CheckResult(Deployment deployment, CertificateDefinition definition, DeployCheckOutcome outcome, DateTimeOffset checkedAt)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(outcome);
        var c = deployment.Certificate;
        var server = deployment.TargetServerName ?? definition.CommonName;
        var verdict = outcome.Status switch
        {
            CheckStatus.Ok => "OK",
            CheckStatus.Ng => "NG",
            _ => "Unreachable",
        };
        var b = new StringBuilder();
        b.AppendLine("Hello,");
        b.AppendLine();
        b.AppendLine(CultureInfo.InvariantCulture, $"CertMgr checked {outcome.Target} on {checkedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC. Result: {verdict}.");
        if (outcome.Status != CheckStatus.Ok)
        {
            b.AppendLine();
            b.AppendLine(outcome.Summary);
        }

        b.AppendLine();
        b.AppendLine("Expected certificate");
        b.AppendLine(CultureInfo.InvariantCulture, $"  Subject      {c.Subject}");
        b.AppendLine(CultureInfo.InvariantCulture, $"  SHA-1        {c.Sha1}");
        if (outcome.ServedSha1 is not null)
        {
            b.AppendLine("Served certificate");
            b.AppendLine(CultureInfo.InvariantCulture, $"  Subject      {outcome.Subject}");
            b.AppendLine(CultureInfo.InvariantCulture, $"  Issuer       {outcome.Issuer}");
            b.AppendLine(CultureInfo.InvariantCulture, $"  SHA-1        {outcome.ServedSha1}");
        }

        if (outcome.Checks.Count > 0)
        {
            b.AppendLine();
            b.AppendLine("Checks");
            foreach (var check in outcome.Checks)
            {
                b.AppendLine(CultureInfo.InvariantCulture, $"  [{(check.Ok ? "OK" : "NG")}] {check.Name}: {check.Detail}");
            }
        }

        b.AppendLine();
        b.AppendLine(outcome.Status == CheckStatus.Ok
            ? "Thank you; the deployment is confirmed."
            : "Please check the installation on the server and reply when it is fixed; CertMgr will check again.");
        b.AppendLine();
        b.AppendLine("-- CertMgr");
        return new EmailText(To(deployment), $"Deploy check {verdict}: {definition.CommonName} on {server}", b.ToString());
    }

    private static List<string> To(Deployment deployment) =>
        deployment.ServerAdminEmail is { Length: > 0 } to ? [to] : [];
}
