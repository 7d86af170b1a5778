using System.Security.Claims;
using CertMgr.Core.Acme.Server;
using CertMgr.Web.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CertMgr.Web.Api;

/// <summary>
/// The ACME server's administration at <c>/api/v1/acme-server</c>: accounts (contact, status, orders count), recent
/// orders, EAB credentials (POST; the HMAC key is in that answer only), and an account's allow-list (PUT). Changes
/// need an admin.
/// </summary>
public static class AcmeServerApi
{
    public sealed record EabBody(string? Note, IReadOnlyList<string>? AllowedDomains);

    public sealed record AllowedDomainsBody(IReadOnlyList<string>? AllowedDomains);

    public sealed record Overview(bool Enabled, bool RequireEab, IReadOnlyList<string> GlobalAllowedDomains, string DirectoryPath);

    public sealed record SettingsBody(bool? Enabled, bool? RequireEab, IReadOnlyList<string>? AllowedDomains, int? CertificateDays, int? AuthorizationReuseDays);

    public sealed record SettingsView(AcmeServerOverrides Overrides, Overview Effective, int CertificateDays, int AuthorizationReuseDays, int Http01Port, string? ValidationAddress, string? DnsServer);

    public static void MapAcmeServerApi(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var g = api.MapGroup("/acme-server").WithTags("ACME server");
        g.MapGet("/", async (AcmeServerSettings settings, CancellationToken ct) => TypedResults.Ok(OverviewOf(await settings.EffectiveAsync(ct))));
        g.MapGet("/settings", async (AcmeServerSettings settings, CancellationToken ct) => TypedResults.Ok(await SettingsOfAsync(settings, ct)));
        g.MapPut("/settings", SaveSettingsAsync).RequireAuthorization(CertMgrClaims.AdminPolicy);
        g.MapGet("/eab", async (AcmeServerAdmin admin, CancellationToken ct) => TypedResults.Ok(await admin.EabKeysAsync(ct)));
        g.MapDelete("/eab/{keyId}", RevokeEabAsync).RequireAuthorization(CertMgrClaims.AdminPolicy);
        g.MapPost("/accounts/{id:guid}/deactivate", DeactivateAsync).RequireAuthorization(CertMgrClaims.AdminPolicy);
        g.MapGet("/accounts", async (AcmeServerAdmin admin, CancellationToken ct) => TypedResults.Ok(await admin.AccountsAsync(ct)));
        g.MapGet("/orders", async (AcmeServerAdmin admin, int? take, CancellationToken ct) => TypedResults.Ok(await admin.RecentOrdersAsync(take ?? 100, ct)));
        g.MapPost("/eab", CreateEabAsync).RequireAuthorization(CertMgrClaims.AdminPolicy);
        g.MapPut("/accounts/{id:guid}/allowed-domains", SetAllowedAsync).RequireAuthorization(CertMgrClaims.AdminPolicy);
    }

    internal static async Task<IResult> CreateEabAsync(EabBody body, AcmeServerAdmin admin, ClaimsPrincipal user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(body);
        var created = await admin.CreateEabAsync(body.Note, body.AllowedDomains, Actor(user), ct);
        return created.IsSuccess ? TypedResults.Created((string?)null, created.Value) : ApiRoutes.Problem(created.Error!);
    }

    internal static async Task<IResult> SetAllowedAsync(Guid id, AllowedDomainsBody body, AcmeServerAdmin admin, ClaimsPrincipal user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(body);
        var updated = await admin.SetAllowedDomainsAsync(id, body.AllowedDomains ?? [], Actor(user), ct);
        return updated.IsSuccess ? TypedResults.Ok(updated.Value) : ApiRoutes.Problem(updated.Error!);
    }

    internal static async Task<IResult> SaveSettingsAsync(SettingsBody body, AcmeServerSettings settings, ClaimsPrincipal user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(body);
        var input = new AcmeServerSettingsInput(body.Enabled, body.RequireEab, body.AllowedDomains is not null,
            body.AllowedDomains is null ? null : string.Join('\n', body.AllowedDomains), body.CertificateDays, body.AuthorizationReuseDays);
        var saved = await settings.SaveAsync(input, Actor(user), ct);
        return saved.IsSuccess ? TypedResults.Ok(await SettingsOfAsync(settings, ct)) : ApiRoutes.Problem(saved.Error!);
    }

    internal static async Task<IResult> RevokeEabAsync(string keyId, AcmeServerAdmin admin, ClaimsPrincipal user, CancellationToken ct)
    {
        var revoked = await admin.RevokeEabAsync(keyId, Actor(user), ct);
        return revoked.IsSuccess ? TypedResults.NoContent() : ApiRoutes.Problem(revoked.Error!);
    }

    internal static async Task<IResult> DeactivateAsync(Guid id, AcmeServerAdmin admin, ClaimsPrincipal user, CancellationToken ct)
    {
        var done = await admin.DeactivateAccountAsync(id, Actor(user), ct);
        return done.IsSuccess ? TypedResults.Ok(done.Value) : ApiRoutes.Problem(done.Error!);
    }

    private static Overview OverviewOf(AcmeServerOptions o) => new(o.Enabled, o.RequireEab, o.AllowedDomains, "/acme/directory");

    private static async Task<SettingsView> SettingsOfAsync(AcmeServerSettings settings, CancellationToken ct)
    {
        var effective = await settings.EffectiveAsync(ct);
        return new SettingsView(await settings.OverridesAsync(ct), OverviewOf(effective), effective.CertificateDays, effective.AuthorizationReuseDays,
            effective.Http01Port, effective.ValidationAddress?.ToString(), effective.DnsServer?.ToString());
    }

    private static string Actor(ClaimsPrincipal user) => user.Identity?.Name ?? "api";
}
