using System.Net;
using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.Common;
using CertMgr.Core.Deployments.Targets;
using CertMgr.Core.Documents;
using CertMgr.Core.Inventory;
using CertMgr.Core.Monitoring;
using CertMgr.Core.Probe;
using CertMgr.Core.TrustedCas;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Data.Secrets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace CertMgr.Core.Deployments;

/// <summary>Deploy information (guide 4.3.3): where the certificate goes, how the package reaches the server admin.</summary>
public sealed record DeployInfo(
    Guid DefinitionId,
    string? TargetServerName,
    ServerSoftware ServerSoftware,
    DeliveryMethod Delivery,
    string? ServerAdminEmail,
    PackageKind Package,
    string? AlternativeCheckName = null);

/// <summary>
/// Deployment processes of a definition's current certificate (guide 2.8, 4.3.3): Prepare to Deploy (install package
/// in the document folder), install request email, deploy check, Manually Checked Deployment, Continue without
/// Checking, Send Result to Server Admin, Disable Periodic Monitoring. Each step is guarded by
/// <see cref="DeploymentFlow"/>, and recorded as a <see cref="DeploymentEvent"/> and in the definition's history
/// (audit) with the acting user, in one transaction. The package password is used once and never stored or logged.
/// </summary>
public sealed partial class DeploymentService(
    CertMgrDbContext db,
    DocumentStore documents,
    SecretProtector protector,
    TrustedCaSets trustedCaSets,
    MonitorOptions monitorOptions,
    DeployTargets targets,
    TimeProvider time,
    ILogger<DeploymentService> logger)
{
    public const string RelatedType = nameof(Deployment);
    public const int MaxNoteLength = 1000;

    /// <summary>A deployment with its certificate, definition and history, tracked.</summary>
    public Task<Deployment?> FindAsync(Guid id, CancellationToken ct) =>
        db.Deployments
            .Include(x => x.Certificate).ThenInclude(c => c.Definition)
            .Include(x => x.Events.OrderBy(e => e.At).ThenBy(e => e.Id))
            .AsSplitQuery()
            .SingleOrDefaultAsync(x => x.Id == id, ct);

    /// <summary>The deploy information a new deployment starts from: the definition's own.</summary>
    public async Task<Result<DeployInfo>> DefaultsAsync(Guid definitionId, CancellationToken ct)
    {
        var d = await db.Definitions.AsNoTracking().SingleOrDefaultAsync(x => x.Id == definitionId, ct);
        if (d is null)
        {
            return DefinitionNotFound();
        }

        return new DeployInfo(d.Id, d.TargetServerName ?? d.CommonName, d.ServerSoftware, DeliveryMethod.Download, d.ServerAdminEmail,
            LinuxInstaller.Supports(d.ServerSoftware) || d.ServerSoftware == ServerSoftware.MicrosoftIis ? PackageKind.OneClick : PackageKind.Conventional);
    }

    /// <summary>
    /// Prepare to Deploy: checks the deploy information, builds the install package for the current certificate under
    /// <paramref name="password"/>, stores it in the definition's document folder and opens the process as Prepared.
    /// </summary>
    public async Task<Result<Deployment>> PrepareAsync(DeployInfo info, string password, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(info);
        var definition = await db.Definitions.Include(d => d.CurrentCertificate).SingleOrDefaultAsync(d => d.Id == info.DefinitionId, ct);
        if (definition is null)
        {
            return DefinitionNotFound();
        }

        if (definition.OperationMode != OperationMode.LifecycleManaged)
        {
            return new Error("definition-monitored-only", "The definition is monitored-only; switch it to lifecycle-managed to deploy certificates from CertMgr.");
        }

        if (definition.CurrentCertificate is not { } certificate)
        {
            return new Error("no-current-certificate", "The definition has no current certificate to deploy; acquire or import one first.");
        }

        if (Validate(info) is { } invalid)
        {
            return invalid;
        }

        var target = Clean(info.TargetServerName) ?? definition.TargetServerName ?? definition.CommonName;
        if (await db.Deployments.AnyAsync(x => x.CertificateId == certificate.Id && x.TargetServerName == target
            && (x.Status == DeploymentStatus.Prepared || x.Status == DeploymentStatus.InstallRequested || x.Status == DeploymentStatus.AutoInstalled || x.Status == DeploymentStatus.CheckFailed), ct))
        {
            return Error.Conflict("deployment-open", $"A deployment of this certificate to {target} is already in progress; continue it or complete it first.");
        }

        // Unsealed only once the deployment is sure to go ahead.
        using var material = await CertificateMaterial.OpenAsync(db, protector, certificate, ct);
        if (material is null)
        {
            return new Error("key-not-held",
                "CertMgr does not hold the private key of the current certificate, so it cannot build an install package. Import the certificate with its key to make it re-deployable.");
        }

        var now = time.GetUtcNow();
        var built = DeploymentPackages.Build(material.Leaf, material.Chain, material.Key, info.ServerSoftware, info.Package, definition.CommonName, password, now);
        if (!built.IsSuccess)
        {
            return built.Error;
        }

        var package = built.Value;
        // The document commits first (it has its own unit of work); should the deployment then fail to save, the package
        // stays in the folder as a plain document, which is harmless.
        Document document;
        using (var content = new MemoryStream(package.Bytes, writable: false))
        {
            var uploaded = await documents.UploadAsync(definition.Id, package.FileName, package.ContentType, content, DocumentKind.InstallPackage, actor, ct);
            if (!uploaded.IsSuccess)
            {
                return uploaded.Error;
            }

            document = uploaded.Value;
        }

        var deployment = new Deployment
        {
            CertificateId = certificate.Id,
            Certificate = certificate,
            Status = DeploymentStatus.Prepared,
            TargetServerName = target,
            ServerSoftware = info.ServerSoftware,
            Delivery = info.Delivery,
            ServerAdminEmail = Clean(info.ServerAdminEmail),
            AlternativeCheckName = Clean(info.AlternativeCheckName),
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Deployments.Add(deployment);
        var text = $"Prepared for {target} ({InstallPackage.Label(info.ServerSoftware)}), delivery {(info.Delivery == DeliveryMethod.Email ? "by email" : "by download")}: "
            + $"{(info.Package == PackageKind.OneClick ? "one-click installer" : "install package")} {document.FileName} stored in the document folder";
        Record(deployment, DeploymentStep.Prepare, "success", new DeploymentEventDetail(text, document.Id, document.FileName), actor, now);
        await db.SaveChangesAsync(ct);
        LogStep(logger, deployment.Id, definition.Id, DeploymentFlow.ActionOf(DeploymentStep.Prepare));
        return deployment;
    }

    /// <summary>The install package document of a deployment and a stream of its bytes.</summary>
    public async Task<Result<(Document Document, Stream Content)>> OpenPackageAsync(Guid id, CancellationToken ct)
    {
        var deployment = await FindAsync(id, ct);
        if (deployment is null)
        {
            return NotFound().Error!;
        }

        return PackageOf(deployment) is { DocumentId: { } documentId }
            ? await documents.OpenAsync(deployment.Certificate.DefinitionId, documentId, ct)
            : Error.NotFound("document-not-found", "The deployment has no install package.");
    }

    /// <summary>The install request email as it would be sent now.</summary>
    public async Task<Result<EmailText>> InstallRequestEmailAsync(Guid id, Uri? consoleBase, CancellationToken ct)
    {
        var deployment = await FindAsync(id, ct);
        return deployment is null
            ? NotFound().Error!
            : (await Notifications.DeploymentNotices.InstallRequestAsync(db, protector, time, deployment, PackageOf(deployment), consoleBase, preview: true, ct)).Email;
    }

    /// <summary>
    /// Requesting Certificate Install: the definition's deploy target installs (→ AutoInstalled, the deploy check comes
    /// next), or a person must (→ the install request email is recorded, queued until email is sent, → InstallRequested),
    /// or the install failed (recorded with its step; the status stays so it can be tried again).
    /// </summary>
    public async Task<Result<Deployment>> RequestInstallAsync(Guid id, Uri? consoleBase, string actor, CancellationToken ct)
    {
        var (deployment, refusal) = await LoadForAsync(id, DeploymentStep.RequestInstall, ct);
        if (refusal is not null)
        {
            return refusal;
        }

        var definition = deployment!.Certificate.Definition;
        var target = await targets.ForAsync(definition, ct);
        if (target.Kind == DeployTargetKind.Manual && deployment.ServerAdminEmail is null)
        {
            return new Error("admin-email-missing", "The deployment has no server administrator email to send the install request to; download the email text and hand it over instead, or prepare the deployment with an email address.");
        }

        var outcome = await target.InstallAsync(new InstallRequest(deployment, definition, PackageOf(deployment), actor), ct);
        var now = time.GetUtcNow();
        switch (outcome)
        {
            case InstallOutcome.Installed installed:
                deployment.Status = DeploymentFlow.Next(deployment.Status, DeploymentStep.RequestInstall, installed: true);
                Record(deployment, DeploymentStep.RequestInstall, "success", new($"Installed automatically ({target.Kind}): {installed.Detail}"), actor, now);
                if (deployment.ServerAdminEmail is not null)
                {
                    // No one needs to install anything: the server admin is told what was installed instead of asked.
                    Queue(await Notifications.DeploymentNotices.InstallNotificationEmailAsync(db, deployment, installed.Detail, consoleBase, ct), deployment.Id, now, Notifications.NotificationKinds.InstallNotification);
                }

                await Notifications.DeploymentNotices.InstalledAsync(db, deployment, installed.Detail, consoleBase, now, ct);

                break;
            case InstallOutcome.NeedsPerson when deployment.ServerAdminEmail is null:
                return new Error("admin-email-missing", "The automatic install needs a person, and the deployment has no server administrator email to send the install request to; download the email text and hand it over instead.");
            case InstallOutcome.NeedsPerson:
                var (email, attachment) = await Notifications.DeploymentNotices.InstallRequestAsync(db, protector, time, deployment, PackageOf(deployment), consoleBase, preview: false, ct);
                Queue(email, deployment.Id, now, Notifications.EmailTemplateCatalog.InstallRequest, attachment);
                deployment.Status = DeploymentFlow.Next(deployment.Status, DeploymentStep.RequestInstall);
                Record(deployment, DeploymentStep.RequestInstall, "success", new($"Install request email to {deployment.ServerAdminEmail} recorded (queued): {email.Subject}"), actor, now);
                break;
            case InstallOutcome.Failed failed:
                Record(deployment, DeploymentStep.RequestInstall, "failure", new($"Automatic install ({target.Kind}) failed at {failed.Step}: {failed.Error.Message}"), actor, now, success: false);
                await db.SaveChangesAsync(ct);
                return failed.Error;
            default:
                throw new ArgumentOutOfRangeException(nameof(id), outcome, "Unknown install outcome.");
        }

        await db.SaveChangesAsync(ct);
        LogStep(logger, deployment.Id, deployment.Certificate.DefinitionId, DeploymentFlow.ActionOf(DeploymentStep.RequestInstall));
        return deployment;
    }

    /// <summary>
    /// Try auto-install: the install request through the definition's automatic deploy target only (SSH or this
    /// CertMgr). Refused when none is set up; otherwise as <see cref="RequestInstallAsync"/>: installed → AutoInstalled
    /// (the deploy check comes next, and the server admin gets an install notification instead of a request), or the
    /// failure recorded with its step.
    /// </summary>
    public async Task<Result<Deployment>> TryAutoInstallAsync(Guid id, Uri? consoleBase, string actor, CancellationToken ct)
    {
        var deployment = await FindAsync(id, ct);
        if (deployment is null)
        {
            return NotFound();
        }

        var target = await targets.ForAsync(deployment.Certificate.Definition, ct);
        if (target.Kind == DeployTargetKind.Manual)
        {
            return new Error("auto-install-not-set-up", "Auto-install is not set up for this definition: enter its SSH settings (or choose this CertMgr) on the definition's Auto-install page first.");
        }

        return await RequestInstallAsync(id, consoleBase, actor, ct);
    }

    /// <summary>
    /// The deploy check's handshake. Right after an automatic install the server has just been told to reload, and a
    /// reloading server (nginx, Apache) goes on answering from its old workers with the old certificate for a moment:
    /// then the check looks again, a bounded number of times (<see cref="ReloadSettleProbes"/>, half a second apart),
    /// until it is served the deployed certificate. A person's manual install is checked once, as it stands.
    /// </summary>
    private async Task<ProbeResult> ProbeSettledAsync(
        string host, int port, string? sni, X509Certificate2Collection anchors, Deployment deployment, CancellationToken ct)
    {
        var options = monitorOptions.Probe with { TrustAnchors = anchors };
        var probe = await EndpointProbe.ProbeAsync(host, port, sni, options, ct);
        for (var i = 1; i < ReloadSettleProbes && deployment.Status == DeploymentStatus.AutoInstalled && ServesAnother(probe); i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
            probe = await EndpointProbe.ProbeAsync(host, port, sni, options, ct);
        }

        return probe;

        bool ServesAnother(ProbeResult p) =>
            p.Completed && !string.Equals(p.Leaf.Thumbprint, deployment.Certificate.Sha1, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>How many handshakes a check right after an automatic install may take while the server finishes reloading.</summary>
    internal const int ReloadSettleProbes = 20;

    /// <summary>
    /// The deploy check: a TLS handshake to the server name for check (or <paramref name="alternativeName"/>), then the
    /// lifecycle-managed checks: the served leaf's SHA-1 and SHA-256 are the current certificate's, and the served chain
    /// reaches a root of the definition's Trusted CA Set. OK → Confirmed; NG or Unreachable → CheckFailed with the reason.
    /// </summary>
    public async Task<Result<Deployment>> CheckAsync(Guid id, string? alternativeName, string actor, CancellationToken ct)
    {
        var (deployment, refusal) = await LoadForAsync(id, DeploymentStep.Check, ct);
        if (refusal is not null)
        {
            return refusal;
        }

        var alternative = Clean(alternativeName);
        if (alternative is not null && !IsHostName(alternative))
        {
            return new Error("check-name-invalid", "The server name to check must be a host name or an IP address.");
        }

        var definition = deployment!.Certificate.Definition;
        var anchors = await trustedCaSets.AnchorsAsync(definition.TrustedCaSetId, ct);
        if (!anchors.IsSuccess)
        {
            return Error.Unavailable("trust-set-unavailable", $"The definition's Trusted CA Set cannot be loaded: {anchors.Error.Message}");
        }

        if (alternative is not null)
        {
            deployment.AlternativeCheckName = alternative;
        }

        var (host, port, sni) = EndpointOf(deployment, definition);
        var expect = new CheckExpectations
        {
            ExpectedSha1 = deployment.Certificate.Sha1,
            ExpectedSha256 = deployment.Certificate.Sha256,
            TrustAnchors = anchors.Value,
            // A deploy check asks whether this certificate is installed; the monitor judges remaining validity.
            ThresholdDays = 0,
        };
        var probe = await ProbeSettledAsync(host, port, sni, anchors.Value, deployment, ct);
        var now = time.GetUtcNow();
        var outcome = DeployCheckOutcome.From(EndpointChecks.Evaluate(probe, expect, now));
        await Notifications.DeploymentNotices.CheckedAsync(db, deployment, LastCheck(deployment)?.Outcome, outcome, now, ct);
        var ok = outcome.Status == CheckStatus.Ok;
        deployment.Status = DeploymentFlow.Next(deployment.Status, DeploymentStep.Check, ok);
        Record(deployment, DeploymentStep.Check, outcome.Status.ToString().ToUpperInvariant(),
            new DeploymentEventDetail($"Deploy check of {outcome.Target}: {outcome.Summary}", Check: outcome), actor, now, success: ok);
        await db.SaveChangesAsync(ct);
        LogCheck(logger, deployment.Id, outcome.Target, outcome.Status);
        return deployment;
    }

    /// <summary>Manually Checked Deployment (guide Appendix A): someone checked the server by hand.</summary>
    public Task<Result<Deployment>> ManualConfirmAsync(Guid id, string? note, string actor, CancellationToken ct) =>
        SimpleStepAsync(id, DeploymentStep.ManualConfirm, actor, d =>
            Clean(note) is { } n
                ? n.Length > MaxNoteLength ? new Error("note-too-long", $"The note must be at most {MaxNoteLength} characters.") : $"Deployment checked by hand: {n}"
                : "Deployment checked by hand", ct);

    /// <summary>Continue without Checking: completes the process without a confirmed check.</summary>
    public Task<Result<Deployment>> ContinueWithoutCheckAsync(Guid id, string actor, CancellationToken ct) =>
        SimpleStepAsync(id, DeploymentStep.ContinueWithoutCheck, actor, d =>
            "Completed without a deploy check; periodic monitoring will report what the server serves", ct);

    /// <summary>Disable Periodic Monitoring: the monitor leaves this deployment out.</summary>
    public Task<Result<Deployment>> DisableMonitoringAsync(Guid id, string actor, CancellationToken ct) =>
        SimpleStepAsync(id, DeploymentStep.DisableMonitoring, actor, d =>
        {
            d.MonitoringDisabled = true;
            return "Periodic monitoring disabled for this deployment";
        }, ct);

    /// <summary>The last deploy check's result as the email to the server admin.</summary>
    public async Task<Result<EmailText>> ResultEmailAsync(Guid id, CancellationToken ct)
    {
        var deployment = await FindAsync(id, ct);
        if (deployment is null)
        {
            return NotFound().Error!;
        }

        return LastCheck(deployment) is { } last
            ? await Notifications.DeploymentNotices.CheckResultEmailAsync(db, deployment, last.Outcome, last.At, ct)
            : new Error("no-check-result", "There is no deploy check result yet; run the deploy check first.");
    }

    /// <summary>Send Result to Server Admin: records the result email (queued until email is sent).</summary>
    public async Task<Result<Deployment>> SendResultAsync(Guid id, string actor, CancellationToken ct)
    {
        var (deployment, refusal) = await LoadForAsync(id, DeploymentStep.SendResult, ct);
        if (refusal is not null)
        {
            return refusal;
        }

        if (deployment!.ServerAdminEmail is null)
        {
            return new Error("admin-email-missing", "The deployment has no server administrator email; download the result text and hand it over instead.");
        }

        if (LastCheck(deployment) is not { } last)
        {
            return new Error("no-check-result", "There is no deploy check result yet; run the deploy check first.");
        }

        var now = time.GetUtcNow();
        var email = await Notifications.DeploymentNotices.CheckResultEmailAsync(db, deployment, last.Outcome, last.At, ct);
        Queue(email, deployment.Id, now, Notifications.NotificationKinds.DeployCheck);
        Record(deployment, DeploymentStep.SendResult, "success", new($"Check result email to {deployment.ServerAdminEmail} recorded (queued): {email.Subject}"), actor, now);
        await db.SaveChangesAsync(ct);
        LogStep(logger, deployment.Id, deployment.Certificate.DefinitionId, DeploymentFlow.ActionOf(DeploymentStep.SendResult));
        return deployment;
    }

    /// <summary>The emails recorded for a deployment, newest first.</summary>
    public Task<List<SentEmail>> EmailsAsync(Guid id, CancellationToken ct) =>
        db.SentEmails.AsNoTracking().Where(e => e.RelatedType == RelatedType && e.RelatedId == id).OrderByDescending(e => e.CreatedAt).ToListAsync(ct);

    /// <summary>The install package recorded by the Prepare step.</summary>
    public static DeploymentEventDetail? PackageOf(Deployment deployment)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        return deployment.Events.Where(e => e.Action == DeploymentFlow.ActionOf(DeploymentStep.Prepare))
            .Select(e => DeploymentEventDetail.Parse(e.Detail)).LastOrDefault(d => d.DocumentId is not null);
    }

    /// <summary>The latest deploy check and when it ran.</summary>
    public static (DeployCheckOutcome Outcome, DateTimeOffset At)? LastCheck(Deployment deployment)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        return deployment.Events.Where(e => e.Action == DeploymentFlow.ActionOf(DeploymentStep.Check))
            .OrderBy(e => e.At).ThenBy(e => e.Id)
            .Select(e => (Detail: DeploymentEventDetail.Parse(e.Detail), e.At))
            .Where(x => x.Detail.Check is not null)
            .Select(x => ((DeployCheckOutcome, DateTimeOffset)?)(x.Detail.Check!, x.At))
            .LastOrDefault();
    }

    /// <summary>Where the deploy check connects: the alternative name, else the definition's server name for check, else the deployment's target server.</summary>
    public static (string Host, int Port, string Sni) EndpointOf(Deployment deployment, CertificateDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        ArgumentNullException.ThrowIfNull(definition);
        if (deployment.AlternativeCheckName is { } alternative)
        {
            return MonitorService.EndpointOf(definition, alternative);
        }

        var (host, port, sni) = MonitorService.EndpointOf(definition);
        return definition.ServerNameForCheck is null && deployment.TargetServerName is { } target ? (target, port, sni) : (host, port, sni);
    }

    private async Task<Result<Deployment>> SimpleStepAsync(Guid id, DeploymentStep step, string actor, Func<Deployment, Result<string>> apply, CancellationToken ct)
    {
        var (deployment, refusal) = await LoadForAsync(id, step, ct);
        if (refusal is not null)
        {
            return refusal;
        }

        var text = apply(deployment!);
        if (!text.IsSuccess)
        {
            return text.Error;
        }

        var now = time.GetUtcNow();
        deployment!.Status = DeploymentFlow.Next(deployment.Status, step);
        Record(deployment, step, "success", new(text.Value), actor, now);
        await db.SaveChangesAsync(ct);
        LogStep(logger, deployment.Id, deployment.Certificate.DefinitionId, DeploymentFlow.ActionOf(step));
        return deployment;
    }

    private async Task<(Deployment? Deployment, Error? Refusal)> LoadForAsync(Guid id, DeploymentStep step, CancellationToken ct)
    {
        var deployment = await FindAsync(id, ct);
        if (deployment is null)
        {
            return (null, NotFound().Error);
        }

        return (deployment, DeploymentFlow.Guard(deployment, step));
    }

    private void Record(Deployment deployment, DeploymentStep step, string outcome, DeploymentEventDetail detail, string actor, DateTimeOffset now, bool success = true)
    {
        var action = DeploymentFlow.ActionOf(step);
        deployment.UpdatedAt = now;
        deployment.Events.Add(new DeploymentEvent { At = now, Action = action, Outcome = outcome, Detail = detail.ToJson(), Actor = actor });
        var audit = DefinitionHistory.Record(db, now, actor, deployment.Certificate.DefinitionId, "deploy-" + action, $"deployment {deployment.Id}: {detail.Text}");
        audit.Outcome = success ? "success" : "failure";
    }

    private void Queue(EmailText email, Guid deploymentId, DateTimeOffset now, string kind, Guid? attachmentDocumentId = null) =>
        db.SentEmails.Add(new SentEmail
        {
            Kind = kind,
            AttachmentDocumentId = attachmentDocumentId,
            To = [.. email.To],
            Subject = email.Subject,
            Body = email.Body,
            Status = EmailStatus.Queued,
            RelatedType = RelatedType,
            RelatedId = deploymentId,
            CreatedAt = now,
        });

    private static Error? Validate(DeployInfo info)
    {
        if (!Enum.IsDefined(info.ServerSoftware) || info.ServerSoftware == ServerSoftware.CertMgr)
        {
            return new Error("software-invalid", "Choose the server software: nginx, Apache httpd, HAProxy, Postfix, Dovecot, vsftpd, Microsoft IIS, Java keystore or generic.");
        }

        if (!Enum.IsDefined(info.Delivery))
        {
            return new Error("delivery-invalid", "Delivery must be Email or Download.");
        }

        if (!Enum.IsDefined(info.Package))
        {
            return new Error("package-invalid", "The package must be Conventional or OneClick.");
        }

        if (Clean(info.TargetServerName) is { } target && !IsHostName(target))
        {
            return new Error("target-invalid", "The target server must be a host name or an IP address.");
        }

        if (Clean(info.AlternativeCheckName) is { } alternative && !IsHostName(alternative))
        {
            return new Error("check-name-invalid", "The server name to check must be a host name or an IP address.");
        }

        var email = Clean(info.ServerAdminEmail);
        if (email is not null && !IsEmail(email))
        {
            return new Error("admin-email-invalid", "The server administrator email must look like name@example.com.");
        }

        if (info.Delivery == DeliveryMethod.Email && email is null)
        {
            return new Error("admin-email-missing", "Delivery by email needs the server administrator's email address.");
        }

        return DeploymentPackages.WhyUnsupported(info.ServerSoftware, info.Package) is { } why ? new Error("installer-unsupported", why) : null;
    }

    private static string? Clean(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static bool IsHostName(string name) =>
        name.Length <= 253 && (IPAddress.TryParse(name, out _) || Uri.CheckHostName(name) == UriHostNameType.Dns);

    private static bool IsEmail(string email)
    {
        var at = email.IndexOf('@', StringComparison.Ordinal);
        return email.Length <= 320 && at > 0 && at == email.LastIndexOf('@') && at < email.Length - 1
            && !email.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is ',' or ';' or '<' or '>' or '"')
            && Uri.CheckHostName(email[(at + 1)..]) == UriHostNameType.Dns;
    }

    private static Error DefinitionNotFound() => Error.NotFound("definition-not-found", "No certificate definition has that id.");

    private static Result<Deployment> NotFound() => Error.NotFound("deployment-not-found", "No deployment process has that id.");

    [LoggerMessage(Level = LogLevel.Information, Message = "Deployment {DeploymentId} of definition {DefinitionId}: {Step}")]
    private static partial void LogStep(ILogger logger, Guid deploymentId, Guid definitionId, string step);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deployment {DeploymentId}: deploy check of {Endpoint} is {Status}")]
    private static partial void LogCheck(ILogger logger, Guid deploymentId, string endpoint, CheckStatus status);
}
