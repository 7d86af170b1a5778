using System.Security.Claims;
using CertMgr.Core.Acme.Client;
using CertMgr.Core.Catalog;
using CertMgr.Core.Common;
using CertMgr.Data.Model;
using CertMgr.Web.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CertMgr.Web.Api;

/// <summary>
/// CA connections over HTTP: <c>/api/v1/ca-connections</c> (the guide's CA Contracts). Users read them; admins create,
/// edit, delete, and register, roll over or deactivate ACME accounts. Secrets (EAB HMAC key, TSIG secret, account key)
/// are write-only: responses only say whether one is set.
/// </summary>
public static class CaConnectionsApi
{
    /// <summary>A connection as sent: kind "builtin", "acme" or "manual"; challenge "http-01" or "dns-01".</summary>
    public sealed record ConnectionBody(
        string? Name, string? Kind, string? DirectoryUrl, string? Email, bool? TermsOfServiceAgreed, string? EabKeyId, string? EabHmacKey, bool? ClearEab,
        string? CaBundlePem, string? Challenge, string? Http01Address, string? DnsServer, string? DnsZone, string? TsigKeyName, string? TsigAlgorithm, string? TsigSecret);

    public sealed record ConnectionItem(
        Guid Id, string Name, string Kind, string? DirectoryUrl, string? Email, bool TermsOfServiceAgreed, string? EabKeyId, bool EabHmacKeySet,
        bool CaBundleSet, string? Challenge, string? Http01Address, string? DnsServer, string? DnsZone, string? TsigKeyName, string? TsigAlgorithm, bool TsigSecretSet,
        bool AccountKeySet, string? AccountUrl, string? AccountStatus, DateTimeOffset? AccountCheckedAt, IReadOnlyList<string> Profiles, int ProductCount, DateTimeOffset CreatedAt);

    public sealed record SubmissionItem(Guid Id, Guid RequestId, Guid DefinitionId, string Definition, string Status, string? ExternalId, string? Detail, DateTimeOffset SubmittedAt, DateTimeOffset? CompletedAt);

    public static void MapCaConnectionsApi(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var g = api.MapGroup("/ca-connections").WithTags("CA connections");
        g.MapGet("/", async (CaConnectionService s, CancellationToken ct) => TypedResults.Ok((await s.ListAsync(ct)).Select(ToItem).ToList()));
        g.MapGet("/{id:guid}", GetAsync);
        g.MapGet("/{id:guid}/products", async (Guid id, CaConnectionService s, CancellationToken ct) =>
            TypedResults.Ok((await s.ProductsAsync(id, ct)).Select(p => new { p.Id, p.Provider, p.Name, Profile = p.Template, p.MaxSans, p.MaxValidityDays, p.Wildcard, p.Enabled }).ToList()));
        g.MapGet("/{id:guid}/submissions", async (Guid id, CaConnectionService s, CancellationToken ct) =>
            TypedResults.Ok((await s.SubmissionsAsync(id, 200, ct)).Select(ToSubmission).ToList()));
        g.MapPost("/", CreateAsync).RequireAuthorization(CertMgrClaims.AdminPolicy);
        g.MapPut("/{id:guid}", UpdateAsync).RequireAuthorization(CertMgrClaims.AdminPolicy);
        g.MapDelete("/{id:guid}", DeleteAsync).RequireAuthorization(CertMgrClaims.AdminPolicy);
        g.MapPost("/{id:guid}/account", (Guid id, bool? lookupOnly, CaConnectionService s, ClaimsPrincipal user, CancellationToken ct) =>
            RespondAsync(s.RegisterAccountAsync(id, lookupOnly ?? false, AcquisitionsApi.Actor(user), ct))).RequireAuthorization(CertMgrClaims.AdminPolicy);
        g.MapPost("/{id:guid}/account/key-rollover", (Guid id, CaConnectionService s, ClaimsPrincipal user, CancellationToken ct) =>
            RespondAsync(s.RollOverKeyAsync(id, AcquisitionsApi.Actor(user), ct))).RequireAuthorization(CertMgrClaims.AdminPolicy);
        g.MapPost("/{id:guid}/account/deactivate", (Guid id, CaConnectionService s, ClaimsPrincipal user, CancellationToken ct) =>
            RespondAsync(s.DeactivateAccountAsync(id, AcquisitionsApi.Actor(user), ct))).RequireAuthorization(CertMgrClaims.AdminPolicy);
    }

    internal static async Task<IResult> GetAsync(Guid id, CaConnectionService service, CancellationToken ct) =>
        await service.FindAsync(id, ct) is { } c
            ? TypedResults.Ok(ToItem(c))
            : ApiRoutes.Problem(Error.NotFound("ca-connection-not-found", "No CA connection has that id."));

    internal static async Task<IResult> CreateAsync(ConnectionBody? body, CaConnectionService service, ClaimsPrincipal user, CancellationToken ct)
    {
        var input = ToInput(body);
        if (!input.IsSuccess)
        {
            return ApiRoutes.Problem(input.Error);
        }

        var created = await service.CreateAsync(input.Value, AcquisitionsApi.Actor(user), ct);
        return created.IsSuccess
            ? TypedResults.Created($"{ApiRoutes.Prefix}/ca-connections/{created.Value.Id}", ToItem(created.Value))
            : ApiRoutes.Problem(created.Error);
    }

    internal static async Task<IResult> UpdateAsync(Guid id, ConnectionBody? body, CaConnectionService service, ClaimsPrincipal user, CancellationToken ct)
    {
        var input = ToInput(body);
        if (!input.IsSuccess)
        {
            return ApiRoutes.Problem(input.Error);
        }

        return await RespondAsync(service.UpdateAsync(id, input.Value, AcquisitionsApi.Actor(user), ct));
    }

    internal static async Task<IResult> DeleteAsync(Guid id, CaConnectionService service, ClaimsPrincipal user, CancellationToken ct)
    {
        var deleted = await service.DeleteAsync(id, AcquisitionsApi.Actor(user), ct);
        return deleted.IsSuccess ? TypedResults.NoContent() : ApiRoutes.Problem(deleted.Error);
    }

    private static async Task<IResult> RespondAsync(Task<Result<CaConnectionView>> action)
    {
        var done = await action;
        return done.IsSuccess ? TypedResults.Ok(ToItem(done.Value)) : ApiRoutes.Problem(done.Error);
    }

    public static string KindName(CaConnectionKind kind) => kind switch
    {
        CaConnectionKind.BuiltInCa => "builtin",
        CaConnectionKind.Acme => "acme",
        CaConnectionKind.MicrosoftAdcs => "adcs",
        _ => "manual",
    };

    public static string ChallengeName(AcmeChallengeType challenge) => challenge == AcmeChallengeType.Dns01 ? "dns-01" : "http-01";

    internal static ConnectionItem ToItem(CaConnectionView c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var acme = c.Kind == CaConnectionKind.Acme;
        var s = c.Acme;
        return new ConnectionItem(c.Id, c.Name, KindName(c.Kind), c.DirectoryUrl, c.Email, s.TermsOfServiceAgreed, s.EabKeyId, c.HasEabHmacKey,
            s.CaBundlePem is not null, acme ? ChallengeName(s.Challenge) : null, s.Http01Address, s.DnsServer, s.DnsZone, s.TsigKeyName, s.TsigAlgorithm, c.HasTsigSecret,
            c.HasAccountKey, s.AccountUrl, s.AccountStatus, s.AccountCheckedAt, s.Profiles, c.ProductCount, c.CreatedAt);
    }

    internal static SubmissionItem ToSubmission(CaSubmission s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return new SubmissionItem(s.Id, s.RequestId, s.Request.DefinitionId, s.Request.Definition.Name, s.Status.ToString(), s.ExternalId, s.Detail, s.SubmittedAt, s.CompletedAt);
    }

    /// <summary>The body as service input, or per-field errors for a kind or challenge CertMgr does not know.</summary>
    public static Result<CaConnectionInput> ToInput(ConnectionBody? body)
    {
        if (body is null)
        {
            return new Error("ca-connection-missing", "Send the connection as JSON: name, kind (builtin, acme, manual), directoryUrl, email, termsOfServiceAgreed, challenge, ...");
        }

        var kind = body.Kind?.Trim().ToLowerInvariant() switch
        {
            "acme" => CaConnectionKind.Acme,
            "manual" => CaConnectionKind.Manual,
            "builtin" or "built-in" => CaConnectionKind.BuiltInCa,
            _ => (CaConnectionKind?)null,
        };
        if (kind is null)
        {
            return Error.Invalid("ca-connection-invalid", "Correct the marked fields.", new Dictionary<string, string[]>(StringComparer.Ordinal) { ["Kind"] = ["Choose the kind: builtin, acme or manual."] });
        }

        var challenge = body.Challenge?.Trim().ToLowerInvariant() switch
        {
            null or "" or "http-01" => AcmeChallengeType.Http01,
            "dns-01" => AcmeChallengeType.Dns01,
            _ => (AcmeChallengeType)(-1),
        };
        return new CaConnectionInput(body.Name, kind.Value, body.DirectoryUrl, body.Email, body.TermsOfServiceAgreed ?? false, body.EabKeyId, body.EabHmacKey,
            body.ClearEab ?? false, body.CaBundlePem, challenge, body.Http01Address, body.DnsServer, body.DnsZone, body.TsigKeyName, body.TsigAlgorithm, body.TsigSecret);
    }
}
