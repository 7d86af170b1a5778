using System.Security.Claims;
using CertMgr.Core.Common;
using CertMgr.Core.Deployments;
using CertMgr.Core.Deployments.Ssh;
using CertMgr.Data.Model;
using CertMgr.Web.Auth;
using CertMgr.Web.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CertMgr.Web.Api;

/// <summary>
/// Auto-install over HTTP (guide 2.8, 4.3.3): a definition's SSH install settings at
/// <c>/api/v1/definitions/{id}/auto-install</c> (GET, PUT, DELETE; the password and private key are write-only and
/// never returned), the Test action (<c>POST …/auto-install/test</c>), and Try auto-install on a deployment
/// (<c>POST /api/v1/deployments/{id}/auto-install</c>). Changing settings and testing them need an admin.
/// </summary>
public static class AutoInstallApi
{
    public sealed record AutoInstallBody(
        bool? Enabled, string? Profile, string? Host, int? Port, string? Username, string? AuthMethod, string? Password, string? PrivateKey,
        string? KeyPassphrase, bool? UseSudo, string? CertificatePath, string? ChainPath, string? FullChainPath, string? KeyPath, string? CombinedPath,
        string? FileOwner, string? FileGroup, string? KeyMode, string? ValidateCommand, string? ReloadCommand, bool? ClearHostKey, string? Http01WebRoot = null)
    {
        public override string ToString() => $"AutoInstallBody {{ Profile = {Profile}, Host = {Host}, Port = {Port}, Username = {Username} }}";
    }

    public sealed record AutoInstallInfo(
        Guid DefinitionId, bool Enabled, string Profile, string? Host, int Port, string? Username, string AuthMethod, bool HasPassword, bool HasPrivateKey,
        bool HasKeyPassphrase, string? HostKeyAlgorithm, string? HostKeyFingerprint, bool UseSudo, string? CertificatePath, string? ChainPath,
        string? FullChainPath, string? KeyPath, string? CombinedPath, string? FileOwner, string? FileGroup, string KeyMode, string? ValidateCommand,
        string? ReloadCommand, DateTimeOffset UpdatedAt, string? Http01WebRoot = null);

    public sealed record TestInfo(bool Ok, IReadOnlyList<AutoInstallFinding> Findings);

    public static void MapAutoInstallApi(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var g = api.MapGroup("/definitions/{id:guid}/auto-install").WithTags("Auto-install");
        g.MapGet("/", GetAsync);
        g.MapPut("/", PutAsync).RequireAuthorization(CertMgrClaims.AdminPolicy);
        g.MapDelete("/", DeleteAsync).RequireAuthorization(CertMgrClaims.AdminPolicy);
        g.MapPost("/test", TestAsync).RequireAuthorization(CertMgrClaims.AdminPolicy);
        api.MapPost("/deployments/{id:guid}/auto-install", TryAsync).WithTags("Deployments");
    }

    internal static async Task<IResult> GetAsync(Guid id, AutoInstallService service, CancellationToken ct)
    {
        var view = await service.GetAsync(id, ct);
        if (!view.IsSuccess)
        {
            return ApiRoutes.Problem(view.Error);
        }

        return view.Value is { } v
            ? TypedResults.Ok(Info(v))
            : ApiRoutes.Problem(Error.NotFound("auto-install-not-found", "The definition has no auto-install settings."));
    }

    internal static async Task<IResult> PutAsync(Guid id, AutoInstallBody? body, AutoInstallService service, ClaimsPrincipal user, CancellationToken ct)
    {
        if (body is null)
        {
            return ApiRoutes.Problem(new Error("body-missing", "Send the auto-install settings as JSON."));
        }

        var input = Input(body);
        if (!input.IsSuccess)
        {
            return ApiRoutes.Problem(input.Error);
        }

        var saved = await service.SaveAsync(id, input.Value, Actor(user), ct);
        return saved.IsSuccess ? TypedResults.Ok(Info(saved.Value)) : ApiRoutes.Problem(saved.Error);
    }

    internal static async Task<IResult> DeleteAsync(Guid id, AutoInstallService service, ClaimsPrincipal user, CancellationToken ct)
    {
        var deleted = await service.DeleteAsync(id, Actor(user), ct);
        return deleted.IsSuccess ? TypedResults.NoContent() : ApiRoutes.Problem(deleted.Error);
    }

    internal static async Task<IResult> TestAsync(Guid id, AutoInstallService service, ClaimsPrincipal user, CancellationToken ct)
    {
        var report = await service.TestAsync(id, Actor(user), ct);
        return report.IsSuccess ? TypedResults.Ok(new TestInfo(report.Value.Ok, report.Value.Findings)) : ApiRoutes.Problem(report.Error);
    }

    internal static async Task<IResult> TryAsync(Guid id, DeploymentService service, ExternalUrl external, ClaimsPrincipal user, CancellationToken ct)
    {
        var tried = await service.TryAutoInstallAsync(id, external.Base, Actor(user), ct);
        return tried.IsSuccess ? TypedResults.Ok(await DeploymentsApi.InfoAsync(service, id, ct)) : ApiRoutes.Problem(tried.Error);
    }

    /// <summary>The body as Core's input; profile and auth method by name, with a field error when unknown.</summary>
    public static Result<AutoInstallInput> Input(AutoInstallBody body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var profile = ServerSoftware.Nginx;
        if (body.Profile is { } p && !TryParse(p, out profile))
        {
            return Error.Invalid("profile-invalid", $"profile must be one of {string.Join(", ", SshInstallDefaults.Profiles)}.", "profile");
        }

        var auth = SshAuthMethod.PrivateKey;
        if (body.AuthMethod is { } a && !TryParse(a, out auth))
        {
            return Error.Invalid("auth-method-invalid", "authMethod must be Password or PrivateKey.", "authMethod");
        }

        return new AutoInstallInput
        {
            Enabled = body.Enabled ?? true, Profile = profile, Host = body.Host, Port = body.Port ?? 22, Username = body.Username, AuthMethod = auth,
            Password = body.Password, PrivateKey = body.PrivateKey, KeyPassphrase = body.KeyPassphrase, UseSudo = body.UseSudo ?? false,
            CertificatePath = body.CertificatePath, ChainPath = body.ChainPath, FullChainPath = body.FullChainPath, KeyPath = body.KeyPath,
            CombinedPath = body.CombinedPath, FileOwner = body.FileOwner, FileGroup = body.FileGroup, KeyMode = body.KeyMode,
            ValidateCommand = body.ValidateCommand, ReloadCommand = body.ReloadCommand, ClearHostKey = body.ClearHostKey ?? false,
            Http01WebRoot = body.Http01WebRoot,
        };
    }

    private static AutoInstallInfo Info(AutoInstallView v) =>
        new(v.DefinitionId, v.Enabled, v.Profile.ToString(), v.Host, v.Port, v.Username, v.AuthMethod.ToString(), v.HasPassword, v.HasPrivateKey,
            v.HasKeyPassphrase, v.HostKeyAlgorithm, v.HostKeyFingerprint, v.UseSudo, v.CertificatePath, v.ChainPath, v.FullChainPath, v.KeyPath,
            v.CombinedPath, v.FileOwner, v.FileGroup, v.KeyMode, v.ValidateCommand, v.ReloadCommand, v.UpdatedAt, v.Http01WebRoot);

    private static bool TryParse<T>(string text, out T value)
        where T : struct, Enum =>
        Enum.TryParse(text.Trim(), ignoreCase: true, out value) && Enum.IsDefined(value) && !int.TryParse(text, out _);

    private static string Actor(ClaimsPrincipal user) => user?.Identity?.Name ?? "api";
}
