using System.Security.Claims;
using System.Text;
using CertMgr.Core.Common;
using CertMgr.Core.Deployments;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Web.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Web.Api;

/// <summary>
/// Deployment processes over HTTP: <c>/api/v1/deployments</c>, one endpoint per step (guide 4.3.3). Every signed-in
/// user reads and takes the steps; preparing a package and downloading it carry the private key (encrypted) and
/// need an admin, as key export does.
/// </summary>
public static class DeploymentsApi
{
    public sealed record PrepareBody(
        Guid? DefinitionId, string? TargetServerName, string? ServerSoftware, string? Delivery, string? ServerAdminEmail, string? Package,
        string? Password, string? AlternativeCheckName);

    public sealed record CheckBody(string? AlternativeName);

    public sealed record NoteBody(string? Note);

    public sealed record EventInfo(DateTimeOffset At, string Action, string Outcome, string? Actor, string Text);

    public sealed record CheckInfo(DateTimeOffset At, string Status, string Target, string? Reason, string? ServedSha1, string? ServedSha256, IReadOnlyList<CheckItemInfo> Checks);

    public sealed record CheckItemInfo(string Name, bool Ok, string Detail);

    public sealed record PackageInfo(Guid DocumentId, string FileName, string DownloadUrl);

    public sealed record CertificateInfo(Guid Id, string Subject, string SerialNumber, string Sha1, string Sha256, DateTimeOffset NotAfter, bool IsCurrent);

    public sealed record DeploymentInfo(
        Guid Id, Guid DefinitionId, string DefinitionName, CertificateInfo Certificate, string Status, string? TargetServerName, string ServerSoftware,
        string Delivery, string? ServerAdminEmail, string? AlternativeCheckName, bool MonitoringDisabled, IReadOnlyList<string> NextSteps,
        PackageInfo? Package, CheckInfo? LastCheck, IReadOnlyList<EventInfo> History, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    public sealed record DeploymentItem(
        Guid Id, Guid DefinitionId, string DefinitionName, string CommonName, Guid CertificateId, DateTimeOffset NotAfter, bool IsCurrent,
        string? TargetServerName, string ServerSoftware, string Status, bool MonitoringDisabled, string? MonitorResult, DateTimeOffset? MonitorAt,
        string? MonitorReason, DateTimeOffset UpdatedAt);

    public sealed record DeploymentList(int Total, int Skip, int Take, IReadOnlyList<DeploymentItem> Items);

    public sealed record EmailInfo(IReadOnlyList<string> To, string Subject, string Body);

    public static void MapDeploymentsApi(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var g = api.MapGroup("/deployments").WithTags("Deployments");
        g.MapGet("/", ListAsync);
        g.MapPost("/", PrepareAsync).RequireAuthorization(CertMgrClaims.AdminPolicy);
        g.MapGet("/{id:guid}", GetAsync);
        g.MapGet("/{id:guid}/package", PackageAsync).RequireAuthorization(CertMgrClaims.AdminPolicy);
        g.MapGet("/{id:guid}/email", EmailAsync);
        g.MapGet("/{id:guid}/result-email", ResultEmailAsync);
        g.MapPost("/{id:guid}/request-install", RequestInstallAsync);
        g.MapPost("/{id:guid}/check", CheckAsync);
        g.MapPost("/{id:guid}/manual-confirm", ManualConfirmAsync);
        g.MapPost("/{id:guid}/continue-without-check", ContinueAsync);
        g.MapPost("/{id:guid}/send-result", SendResultAsync);
        g.MapPost("/{id:guid}/disable-monitoring", DisableMonitoringAsync);
    }

    internal static async Task<IResult> ListAsync(CertMgrDbContext db, string? status, Guid? definition, int? skip, int? take, CancellationToken ct)
    {
        var rows = DeploymentQueries.Rows(db).AsNoTracking();
        if (status is not null)
        {
            if (!TryParse<DeploymentStatus>(status, out var s))
            {
                return ApiRoutes.Problem(new Error("status-invalid", $"status must be one of {string.Join(", ", Enum.GetNames<DeploymentStatus>())}."));
            }

            rows = rows.Where(r => r.Status == s);
        }

        if (definition is { } definitionId)
        {
            rows = rows.Where(r => r.DefinitionId == definitionId);
        }

        var from = Math.Max(skip ?? 0, 0);
        var count = Math.Clamp(take ?? 50, 1, 500);
        var total = await rows.CountAsync(ct);
        var page = await rows.OrderByDescending(r => r.UpdatedAt).ThenBy(r => r.Id).Skip(from).Take(count).ToListAsync(ct);
        return TypedResults.Ok(new DeploymentList(total, from, count, [.. page.Select(r => new DeploymentItem(
            r.Id, r.DefinitionId, r.DefinitionName, r.CommonName, r.CertificateId, r.NotAfter, r.IsCurrent, r.TargetServerName, r.ServerSoftware.ToString(),
            r.Status.ToString(), r.MonitoringDisabled, r.MonitorStatus?.ToString().ToUpperInvariant(), r.MonitorAt, r.MonitorReason, r.UpdatedAt))]));
    }

    internal static async Task<IResult> PrepareAsync(PrepareBody? body, DeploymentService service, ClaimsPrincipal user, CancellationToken ct)
    {
        if (body?.DefinitionId is not { } definitionId)
        {
            return ApiRoutes.Problem(new Error("definition-missing",
                "Send {\"definitionId\": \"...\", \"password\": \"at least 12 characters\"} and optionally targetServerName, serverSoftware, delivery (Email|Download), serverAdminEmail, package (OneClick|Conventional), alternativeCheckName."));
        }

        var defaults = await service.DefaultsAsync(definitionId, ct);
        if (!defaults.IsSuccess)
        {
            return ApiRoutes.Problem(defaults.Error);
        }

        var d = defaults.Value;
        ServerSoftware software = d.ServerSoftware;
        DeliveryMethod delivery = d.Delivery;
        PackageKind package = d.Package;
        if (body.ServerSoftware is { } sw && !TryParse(sw, out software))
        {
            return ApiRoutes.Problem(new Error("software-invalid", $"serverSoftware must be one of {string.Join(", ", Enum.GetNames<ServerSoftware>().Where(n => n != nameof(ServerSoftware.CertMgr)))}."));
        }

        if (body.Delivery is { } dl && !TryParse(dl, out delivery))
        {
            return ApiRoutes.Problem(new Error("delivery-invalid", "delivery must be Email or Download."));
        }

        if (body.Package is { } pk && !TryParse(pk, out package))
        {
            return ApiRoutes.Problem(new Error("package-invalid", "package must be OneClick or Conventional."));
        }

        if (string.IsNullOrEmpty(body.Password))
        {
            return ApiRoutes.Problem(new Error("password-missing", "Give the password that protects the install package (at least 12 characters); it is not stored."));
        }

        var info = new DeployInfo(definitionId, body.TargetServerName ?? d.TargetServerName, software, delivery, body.ServerAdminEmail ?? d.ServerAdminEmail, package, body.AlternativeCheckName);
        var prepared = await service.PrepareAsync(info, body.Password, Actor(user), ct);
        return prepared.IsSuccess
            ? TypedResults.Created($"{ApiRoutes.Prefix}/deployments/{prepared.Value.Id}", await InfoAsync(service, prepared.Value.Id, ct))
            : ApiRoutes.Problem(prepared.Error);
    }

    internal static async Task<IResult> GetAsync(Guid id, DeploymentService service, CancellationToken ct)
    {
        var info = await InfoAsync(service, id, ct);
        return info is null ? ApiRoutes.Problem(NotFound) : TypedResults.Ok(info);
    }

    internal static async Task<IResult> PackageAsync(Guid id, DeploymentService service, CancellationToken ct)
    {
        var opened = await service.OpenPackageAsync(id, ct);
        return opened.IsSuccess
            ? TypedResults.Stream(opened.Value.Content, opened.Value.Document.ContentType ?? "application/octet-stream", opened.Value.Document.FileName)
            : ApiRoutes.Problem(opened.Error);
    }

    /// <summary>The install request email; <c>?download=true</c> gives it as a text file.</summary>
    internal static async Task<IResult> EmailAsync(Guid id, bool? download, HttpRequest request, DeploymentService service, CancellationToken ct)
    {
        var email = await service.InstallRequestEmailAsync(id, ConsoleBase(request), ct);
        return Email(email, download == true, $"install-request-{id:N}.txt");
    }

    /// <summary>The last deploy check's result email; <c>?download=true</c> gives it as a text file.</summary>
    internal static async Task<IResult> ResultEmailAsync(Guid id, bool? download, DeploymentService service, CancellationToken ct)
    {
        var email = await service.ResultEmailAsync(id, ct);
        return Email(email, download == true, $"deploy-check-result-{id:N}.txt");
    }

    internal static async Task<IResult> RequestInstallAsync(Guid id, HttpRequest request, DeploymentService service, ClaimsPrincipal user, CancellationToken ct) =>
        await StepAsync(service, id, await service.RequestInstallAsync(id, ConsoleBase(request), Actor(user), ct), ct);

    internal static async Task<IResult> CheckAsync(Guid id, CheckBody? body, DeploymentService service, ClaimsPrincipal user, CancellationToken ct) =>
        await StepAsync(service, id, await service.CheckAsync(id, body?.AlternativeName, Actor(user), ct), ct);

    internal static async Task<IResult> ManualConfirmAsync(Guid id, NoteBody? body, DeploymentService service, ClaimsPrincipal user, CancellationToken ct) =>
        await StepAsync(service, id, await service.ManualConfirmAsync(id, body?.Note, Actor(user), ct), ct);

    internal static async Task<IResult> ContinueAsync(Guid id, DeploymentService service, ClaimsPrincipal user, CancellationToken ct) =>
        await StepAsync(service, id, await service.ContinueWithoutCheckAsync(id, Actor(user), ct), ct);

    internal static async Task<IResult> SendResultAsync(Guid id, DeploymentService service, ClaimsPrincipal user, CancellationToken ct) =>
        await StepAsync(service, id, await service.SendResultAsync(id, Actor(user), ct), ct);

    internal static async Task<IResult> DisableMonitoringAsync(Guid id, DeploymentService service, ClaimsPrincipal user, CancellationToken ct) =>
        await StepAsync(service, id, await service.DisableMonitoringAsync(id, Actor(user), ct), ct);

    /// <summary>The API view of a deployment, or null when there is none with that id.</summary>
    internal static async Task<DeploymentInfo?> InfoAsync(DeploymentService service, Guid id, CancellationToken ct)
    {
        var x = await service.FindAsync(id, ct);
        if (x is null)
        {
            return null;
        }

        var c = x.Certificate;
        var package = DeploymentService.PackageOf(x);
        var last = DeploymentService.LastCheck(x);
        return new DeploymentInfo(
            x.Id, c.DefinitionId, c.Definition.Name,
            new CertificateInfo(c.Id, c.Subject, c.SerialNumber, c.Sha1, c.Sha256, c.NotAfter, c.Definition.CurrentCertificateId == c.Id),
            x.Status.ToString(), x.TargetServerName, x.ServerSoftware.ToString(), x.Delivery.ToString(), x.ServerAdminEmail, x.AlternativeCheckName,
            x.MonitoringDisabled, [.. DeploymentFlow.Available(x).Select(DeploymentFlow.ActionOf)],
            package is { DocumentId: { } docId } ? new PackageInfo(docId, package.FileName ?? "package", $"{ApiRoutes.Prefix}/deployments/{x.Id}/package") : null,
            last is { } l ? new CheckInfo(l.At, l.Outcome.Status.ToString().ToUpperInvariant(), l.Outcome.Target, l.Outcome.Reason, l.Outcome.ServedSha1, l.Outcome.ServedSha256,
                [.. l.Outcome.Checks.Select(i => new CheckItemInfo(i.Name, i.Ok, i.Detail))]) : null,
            [.. x.Events.Select(e => new EventInfo(e.At, e.Action, e.Outcome, e.Actor, DeploymentEventDetail.Parse(e.Detail).Text))],
            x.CreatedAt, x.UpdatedAt);
    }

    /// <summary>Where the console is reached, for links in emails: the scheme and host of this request.</summary>
    internal static Uri ConsoleBase(HttpRequest request) => new($"{request.Scheme}://{request.Host}");

    private static readonly Error NotFound = Error.NotFound("deployment-not-found", "No deployment process has that id.");

    private static IResult Email(Result<EmailText> email, bool download, string fileName)
    {
        if (!email.IsSuccess)
        {
            return ApiRoutes.Problem(email.Error);
        }

        return download
            ? TypedResults.File(Encoding.UTF8.GetBytes(email.Value.ToFile()), "text/plain; charset=utf-8", fileName)
            : TypedResults.Ok(new EmailInfo(email.Value.To, email.Value.Subject, email.Value.Body));
    }

    private static bool TryParse<T>(string text, out T value)
        where T : struct, Enum =>
        Enum.TryParse(text.Trim(), ignoreCase: true, out value) && Enum.IsDefined(value) && !int.TryParse(text, out _);

    private static string Actor(ClaimsPrincipal user) => user?.Identity?.Name ?? "api";

    private static async Task<IResult> StepAsync(DeploymentService service, Guid id, Result<Deployment> step, CancellationToken ct) =>
        step.IsSuccess ? TypedResults.Ok(await InfoAsync(service, id, ct)) : ApiRoutes.Problem(step.Error);
}
