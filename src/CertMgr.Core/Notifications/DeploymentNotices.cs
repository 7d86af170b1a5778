using System.Globalization;
using CertMgr.Core.Deployments;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Data.Secrets;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Core.Notifications;

/// <summary>An install request email and the document to attach to it, if any.</summary>
public sealed record InstallRequestEmail(EmailText Email, Guid? AttachmentDocumentId);

/// <summary>
/// The deployment's emails from their templates and its administrator notices: the install request with the package
/// delivery chosen in the preferences (signed link or attachment), the install notification notice (not for a
/// certificate already installed on that server), the deploy-check notice (only when the result changed).
/// </summary>
public static class DeploymentNotices
{
    /// <summary>
    /// The install request. With Email delivery the package goes as the preferences say: attached when it fits the size
    /// limit, else as a signed link valid for the configured days (on <paramref name="consoleBase"/>); a
    /// <paramref name="preview"/> creates no link (and no link key).
    /// </summary>
    public static async Task<InstallRequestEmail> InstallRequestAsync(
        CertMgrDbContext db, SecretProtector protector, TimeProvider time, Deployment deployment, DeploymentEventDetail? package, Uri? consoleBase,
        bool preview, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(deployment);
        var definition = deployment.Certificate.Definition;
        var template = await EmailTemplates.LoadAsync(db, EmailTemplateCatalog.InstallRequest, ct);
        string? block = null;
        Guid? attach = null;
        if (deployment.Delivery == DeliveryMethod.Email && package?.DocumentId is { } documentId && consoleBase is not null)
        {
            var prefs = await NotificationPreferences.ReadAsync(db, ct);
            var size = await db.Documents.AsNoTracking().Where(d => d.Id == documentId).Select(d => (long?)d.Size).SingleOrDefaultAsync(ct);
            var page = new Uri(InstallPackageLinks.WithSlash(consoleBase), $"deployments/{deployment.Id}");
            var limit = prefs.AttachmentMaxKb * 1024L;
            if (prefs.PackageDelivery == PackageDelivery.Attachment && size is { } s && s <= limit)
            {
                attach = documentId;
                block = $"  Attached     {package.FileName} is attached to this email";
            }
            else
            {
                var tooLarge = prefs.PackageDelivery == PackageDelivery.Attachment && size is { } big
                    ? $"\n               (too large to attach: {Kb(big)} KB, the limit is {prefs.AttachmentMaxKb} KB)"
                    : "";
                var expires = time.GetUtcNow().AddDays(prefs.LinkValidDays);
                var link = preview
                    ? $"a signed download link, valid for {prefs.LinkValidDays} days, is put here when the email is sent"
                    : (await new InstallPackageLinks(db, protector, time).CreateAsync(deployment.Id, expires, consoleBase, ct)).ToString();
                block = $"  Download     {link}{(preview ? "" : $"\n               (valid until {expires.UtcDateTime:yyyy-MM-dd HH:mm} UTC)")}{tooLarge}\n               (or on the deployment page: {page})";
            }
        }

        return new InstallRequestEmail(DeploymentEmails.InstallRequest(deployment, definition, package?.FileName, consoleBase, template, block), attach);
    }

    /// <summary>The install notification email to the server administrator, from its template.</summary>
    public static async Task<EmailText> InstallNotificationEmailAsync(CertMgrDbContext db, Deployment deployment, string detail, Uri? consoleBase, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        var template = await EmailTemplates.LoadAsync(db, NotificationKinds.InstallNotification, ct);
        return DeploymentEmails.InstallNotification(deployment, deployment.Certificate.Definition, detail, consoleBase, template);
    }

    /// <summary>The check result email to the server administrator, from its template.</summary>
    public static async Task<EmailText> CheckResultEmailAsync(CertMgrDbContext db, Deployment deployment, DeployCheckOutcome outcome, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        var template = await EmailTemplates.LoadAsync(db, NotificationKinds.DeployCheck, ct);
        return DeploymentEmails.CheckResult(deployment, deployment.Certificate.Definition, outcome, at, template);
    }

    /// <summary>
    /// The administrator's notice that CertMgr installed a certificate, unless the same certificate was already installed
    /// on that server by an earlier deployment (a re-deployment of an unchanged certificate is no news).
    /// </summary>
    public static async Task InstalledAsync(CertMgrDbContext db, Deployment deployment, string detail, Uri? consoleBase, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(deployment);
        var unchanged = await db.Deployments.AsNoTracking().AnyAsync(x => x.Id != deployment.Id && x.CertificateId == deployment.CertificateId
            && x.TargetServerName == deployment.TargetServerName
            && (x.Status == DeploymentStatus.AutoInstalled || x.Status == DeploymentStatus.Confirmed || x.Status == DeploymentStatus.ManuallyConfirmed
                || x.Status == DeploymentStatus.CompletedWithoutCheck), ct);
        if (unchanged)
        {
            return;
        }

        var values = DeploymentEmails.InstallNotificationValues(deployment, deployment.Certificate.Definition, detail, consoleBase);
        await new AdminNotices(db).AddAsync(NotificationKinds.InstallNotification, values, now, ct,
            definitionId: deployment.Certificate.DefinitionId, deploymentId: deployment.Id);
    }

    /// <summary>The administrator's deploy-check notice, when the result differs from the deployment's previous check (or is its first).</summary>
    public static async Task CheckedAsync(
        CertMgrDbContext db, Deployment deployment, DeployCheckOutcome? previous, DeployCheckOutcome outcome, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(deployment);
        ArgumentNullException.ThrowIfNull(outcome);
        if (previous is not null && previous.Status == outcome.Status && previous.ServedSha1 == outcome.ServedSha1)
        {
            return;
        }

        var values = DeploymentEmails.CheckResultValues(deployment, deployment.Certificate.Definition, outcome, at, null);
        await new AdminNotices(db).AddAsync(NotificationKinds.DeployCheck, values, at, ct,
            definitionId: deployment.Certificate.DefinitionId, deploymentId: deployment.Id);
    }

    private static string Kb(long bytes) => ((bytes + 1023) / 1024).ToString(CultureInfo.InvariantCulture);
}
