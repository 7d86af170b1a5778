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

    public static void MapAcmeServerApi(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var g = api.MapGroup("/acme-server").WithTags("ACME server");
        g.MapGet("/", (AcmeServerOptions o) => TypedResults.Ok(new Overview(o.Enabled, o.RequireEab, o.AllowedDomains, "/acme/directory")));
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

    private static string Actor(ClaimsPrincipal user) => user.Identity?.Name ?? "api";
}
