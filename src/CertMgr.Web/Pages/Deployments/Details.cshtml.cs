using System.Text;
using System.Text.Json;
using CertMgr.Core.Common;
using CertMgr.Core.Deployments;
using CertMgr.Core.Probe;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Web.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Web.Pages.Deployments;

/// <summary>
/// One deployment process, step by step (guide 4.3.3): the install package, the install request email, the deploy
/// check with each check's verdict, manual confirmation, continue without checking, sending the result, disabling
/// monitoring, and the history.
/// </summary>
[Authorize]
public sealed class DetailsModel(
    DeploymentService service, CertMgrDbContext db, IAuthorizationService authorization, TimeProvider time, Hosting.ExternalUrl externalUrl,
    Core.Deployments.Targets.DeployTargets targets) : PageModel
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public Deployment Deployment { get; private set; } = null!;

    /// <summary>The console's external base URL for links in emails (never the request's Host).</summary>
    private Uri ConsoleBase => externalUrl.Base;
    public CertificateDefinition Definition => Deployment.Certificate.Definition;
    public DeploymentEventDetail? Package { get; private set; }
    public (DeployCheckOutcome Outcome, DateTimeOffset At)? LastCheck { get; private set; }
    public EmailText InstallEmail { get; private set; } = null!;
    public IReadOnlyList<SentEmail> Emails { get; private set; } = [];
    public IReadOnlyList<DeploymentStep> Available { get; private set; } = [];
    public MonitorResult? Monitor { get; private set; }
    public IReadOnlyList<CheckItem> MonitorChecks { get; private set; } = [];
    public (string Host, int Port, string Sni) Endpoint { get; private set; }
    public bool IsAdmin { get; private set; }
    public DateTimeOffset Now { get; private set; }
    public string? Message { get; private set; }
    public string? Error { get; private set; }

    public bool Can(DeploymentStep step) => Available.Contains(step);

    /// <summary>Whether the definition has auto-install set up (SSH or this CertMgr).</summary>
    public bool CanAutoInstall { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid id, string? done, CancellationToken ct)
    {
        Message = done switch
        {
            "prepared" => "Deployment prepared: the install package is in the definition's document folder. Download it, or record the install request email.",
            "auto-install" => "Installed automatically: the server serves the new files. Run the deploy check next.",
            "request-install" => "Install request email recorded; it is sent once email delivery is set up. Until then, download it and send it yourself.",
            "check" => null,
            "manual-confirm" => "Deployment confirmed as checked by hand.",
            "continue-without-check" => "Deployment completed without a deploy check.",
            "send-result" => "Result email recorded; it is sent once email delivery is set up.",
            "disable-monitoring" => "Periodic monitoring is disabled for this deployment.",
            _ => null,
        };
        return await LoadAsync(id, ct) ? Page() : NotFound();
    }

    public async Task<IActionResult> OnGetPackageAsync(Guid id, CancellationToken ct)
    {
        if (!(await authorization.AuthorizeAsync(User, CertMgrClaims.AdminPolicy)).Succeeded)
        {
            return Forbid();
        }

        var opened = await service.OpenPackageAsync(id, ct);
        return opened.IsSuccess
            ? File(opened.Value.Content, opened.Value.Document.ContentType ?? "application/octet-stream", opened.Value.Document.FileName)
            : NotFound();
    }

    public async Task<IActionResult> OnGetEmailAsync(Guid id, CancellationToken ct)
    {
        var email = await service.InstallRequestEmailAsync(id, ConsoleBase, ct);
        return email.IsSuccess ? File(Encoding.UTF8.GetBytes(email.Value.ToFile()), "text/plain; charset=utf-8", $"install-request-{id:N}.txt") : NotFound();
    }

    public async Task<IActionResult> OnGetResultEmailAsync(Guid id, CancellationToken ct)
    {
        var email = await service.ResultEmailAsync(id, ct);
        return email.IsSuccess ? File(Encoding.UTF8.GetBytes(email.Value.ToFile()), "text/plain; charset=utf-8", $"deploy-check-result-{id:N}.txt") : NotFound();
    }

    public async Task<IActionResult> OnPostRequestInstallAsync(Guid id, CancellationToken ct) =>
        await AfterAsync(id, "request-install", (await service.RequestInstallAsync(id, ConsoleBase, Actor, ct)).Error, ct);

    public async Task<IActionResult> OnPostAutoInstallAsync(Guid id, CancellationToken ct) =>
        await AfterAsync(id, "auto-install", (await service.TryAutoInstallAsync(id, ConsoleBase, Actor, ct)).Error, ct);

    public async Task<IActionResult> OnPostCheckAsync(Guid id, string? alternativeName, CancellationToken ct) =>
        await AfterAsync(id, "check", (await service.CheckAsync(id, alternativeName, Actor, ct)).Error, ct);

    public async Task<IActionResult> OnPostManualConfirmAsync(Guid id, string? note, CancellationToken ct) =>
        await AfterAsync(id, "manual-confirm", (await service.ManualConfirmAsync(id, note, Actor, ct)).Error, ct);

    public async Task<IActionResult> OnPostContinueAsync(Guid id, CancellationToken ct) =>
        await AfterAsync(id, "continue-without-check", (await service.ContinueWithoutCheckAsync(id, Actor, ct)).Error, ct);

    public async Task<IActionResult> OnPostSendResultAsync(Guid id, CancellationToken ct) =>
        await AfterAsync(id, "send-result", (await service.SendResultAsync(id, Actor, ct)).Error, ct);

    public async Task<IActionResult> OnPostDisableMonitoringAsync(Guid id, CancellationToken ct) =>
        await AfterAsync(id, "disable-monitoring", (await service.DisableMonitoringAsync(id, Actor, ct)).Error, ct);

    private string Actor => User.Identity?.Name ?? "console";

    private async Task<IActionResult> AfterAsync(Guid id, string step, Error? error, CancellationToken ct)
    {
        if (error is null)
        {
            return Redirect(Url.Content($"~/deployments/{id}?done={step}") + (step == "check" ? "#step-check" : ""));
        }

        Error = error.Message;
        return await LoadAsync(id, ct) ? Page() : NotFound();
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        var deployment = await service.FindAsync(id, ct);
        if (deployment is null)
        {
            return false;
        }

        Now = time.GetUtcNow();
        Deployment = deployment;
        Package = DeploymentService.PackageOf(deployment);
        LastCheck = DeploymentService.LastCheck(deployment);
        InstallEmail = DeploymentEmails.InstallRequest(deployment, deployment.Certificate.Definition, Package?.FileName, ConsoleBase);
        Emails = await service.EmailsAsync(id, ct);
        Available = DeploymentFlow.Available(deployment);
        CanAutoInstall = (await targets.ForAsync(deployment.Certificate.Definition, ct)).Kind != Core.Deployments.Targets.DeployTargetKind.Manual;
        Endpoint = DeploymentService.EndpointOf(deployment, deployment.Certificate.Definition);
        IsAdmin = (await authorization.AuthorizeAsync(User, CertMgrClaims.AdminPolicy)).Succeeded;
        Monitor = await DeploymentQueries.LatestMonitorResult(db, deployment.Certificate.DefinitionId).AsNoTracking().FirstOrDefaultAsync(ct);
        if (Monitor?.ChecksJson is { Length: > 0 } checks)
        {
            try
            {
                MonitorChecks = JsonSerializer.Deserialize<List<CheckItem>>(checks, Json) ?? [];
            }
            catch (JsonException)
            {
                MonitorChecks = [];
            }
        }

        return true;
    }
}
