using System.Security.Claims;
using CertMgr.Core.Catalog;
using CertMgr.Core.Common;
using CertMgr.Data.Model;
using CertMgr.Web.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CertMgr.Web.Api;

/// <summary>
/// Provider accounts over HTTP: <c>/api/v1/provider-accounts</c>. Users read them; admins create, edit and delete.
/// The password is write-only: responses only say whether one is set.
/// </summary>
public static class ProviderAccountsApi
{
    public sealed record AccountBody(string? Provider, string? Username, string? Password, string? RegisteredEmail, string? Notes, bool? ClearPassword);

    public sealed record AccountItem(Guid Id, string Provider, string Username, bool PasswordSet, string? RegisteredEmail, string? Notes, DateTimeOffset CreatedAt);

    public static void MapProviderAccountsApi(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var g = api.MapGroup("/provider-accounts").WithTags("Provider accounts");
        g.MapGet("/", async (ProviderAccountService s, CancellationToken ct) => TypedResults.Ok((await s.ListAsync(ct)).Select(ToItem).ToList()));
        g.MapGet("/{id:guid}", GetAsync);
        g.MapPost("/", CreateAsync).RequireAuthorization(CertMgrClaims.AdminPolicy);
        g.MapPut("/{id:guid}", UpdateAsync).RequireAuthorization(CertMgrClaims.AdminPolicy);
        g.MapDelete("/{id:guid}", DeleteAsync).RequireAuthorization(CertMgrClaims.AdminPolicy);
    }

    internal static async Task<IResult> GetAsync(Guid id, ProviderAccountService service, CancellationToken ct) =>
        await service.FindAsync(id, ct) is { } account
            ? TypedResults.Ok(ToItem(account))
            : ApiRoutes.Problem(Error.NotFound("provider-account-not-found", "No provider account has that id."));

    internal static async Task<IResult> CreateAsync(AccountBody? body, ProviderAccountService service, ClaimsPrincipal user, CancellationToken ct)
    {
        if (body is null)
        {
            return ApiRoutes.Problem(new Error("account-missing", "Send the account as JSON: provider, username, password, registeredEmail, notes."));
        }

        var created = await service.CreateAsync(ToInput(body), AcquisitionsApi.Actor(user), ct);
        return created.IsSuccess
            ? TypedResults.Created($"{ApiRoutes.Prefix}/provider-accounts/{created.Value.Id}", ToItem(created.Value))
            : ApiRoutes.Problem(created.Error);
    }

    internal static async Task<IResult> UpdateAsync(Guid id, AccountBody? body, ProviderAccountService service, ClaimsPrincipal user, CancellationToken ct)
    {
        if (body is null)
        {
            return ApiRoutes.Problem(new Error("account-missing", "Send the account as JSON: provider, username, password (omit to keep), registeredEmail, notes."));
        }

        var updated = await service.UpdateAsync(id, ToInput(body), AcquisitionsApi.Actor(user), ct);
        return updated.IsSuccess ? TypedResults.Ok(ToItem(updated.Value)) : ApiRoutes.Problem(updated.Error);
    }

    internal static async Task<IResult> DeleteAsync(Guid id, ProviderAccountService service, ClaimsPrincipal user, CancellationToken ct)
    {
        var deleted = await service.DeleteAsync(id, AcquisitionsApi.Actor(user), ct);
        return deleted.IsSuccess ? TypedResults.NoContent() : ApiRoutes.Problem(deleted.Error);
    }

    internal static AccountItem ToItem(ProviderAccount a) =>
        new(a.Id, a.Provider, a.Username, a.EncryptedPassword is not null, a.RegisteredEmail, a.Notes, a.CreatedAt);

    private static ProviderAccountInput ToInput(AccountBody body) =>
        new(body.Provider, body.Username, body.Password, body.RegisteredEmail, body.Notes, body.ClearPassword ?? false);
}
