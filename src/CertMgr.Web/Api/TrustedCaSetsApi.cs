using System.Security.Claims;
using CertMgr.Core.Common;
using CertMgr.Core.TrustedCas;
using CertMgr.Data.Model;
using CertMgr.Web.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CertMgr.Web.Api;

/// <summary>
/// Trusted CA Sets over HTTP (<c>/api/v1/trusted-ca-sets</c>, guide 2.12): every user reads them; admins create,
/// rename, delete, choose system files, add and remove user CA certificates, merge, and choose the default. Edits
/// take effect in monitoring only after <c>POST {id}/merge</c>; <c>pendingChanges</c> says what is not merged yet.
/// </summary>
public static class TrustedCaSetsApi
{
    public const long MaxUploadBytes = 8 * 1024 * 1024;

    public sealed record CreateBody(string? Name, IReadOnlyList<string>? SystemFiles);

    public sealed record RenameBody(string? Name);

    public sealed record SystemFilesBody(IReadOnlyList<string>? Files);

    public sealed record UserCertificate(Guid Id, string Subject, string Sha256, DateTimeOffset NotAfter, DateTimeOffset AddedAt);

    public sealed record SetDocument(
        Guid Id, string Name, bool IsDefault, IReadOnlyList<string> SystemFiles, IReadOnlyList<UserCertificate> Certificates,
        int DefinitionCount, DateTimeOffset? MergedAt, bool HasUnmergedChanges, IReadOnlyList<string> PendingChanges,
        int EffectiveCertificateCount, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    public sealed record UploadOutcome(IReadOnlyList<UserCertificate> Added, int Duplicates, bool HasUnmergedChanges);

    public sealed record DeleteOutcome(Guid Id, int DefinitionsMovedToDefault);

    public static void MapTrustedCaSetsApi(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var g = api.MapGroup("/trusted-ca-sets").WithTags("Trusted CA Sets");
        g.MapGet("/", async (TrustedCaSets sets, CancellationToken ct) => TypedResults.Ok(await sets.SummariesAsync(ct)));
        g.MapGet("/system-files", (TrustedCaSets sets) => TypedResults.Ok(sets.DescribeSystemFiles()));
        g.MapGet("/system-files/{name}", SystemFile);
        g.MapGet("/{id:guid}", GetAsync);
        g.MapPost("/", CreateAsync).RequireAuthorization(CertMgrClaims.AdminPolicy);
        g.MapPatch("/{id:guid}", RenameAsync).RequireAuthorization(CertMgrClaims.AdminPolicy);
        g.MapDelete("/{id:guid}", DeleteAsync).RequireAuthorization(CertMgrClaims.AdminPolicy);
        g.MapPut("/{id:guid}/system-files", SystemFilesAsync).RequireAuthorization(CertMgrClaims.AdminPolicy);
        g.MapPost("/{id:guid}/certificates", UploadAsync).RequireAuthorization(CertMgrClaims.AdminPolicy).DisableAntiforgery();
        g.MapDelete("/{id:guid}/certificates/{certificateId:guid}", RemoveCertificateAsync).RequireAuthorization(CertMgrClaims.AdminPolicy);
        g.MapPost("/{id:guid}/merge", MergeAsync).RequireAuthorization(CertMgrClaims.AdminPolicy);
        g.MapPost("/{id:guid}/default", DefaultAsync).RequireAuthorization(CertMgrClaims.AdminPolicy);
    }

    internal static IResult SystemFile(string name, TrustedCaSets sets)
    {
        ArgumentNullException.ThrowIfNull(sets);
        var read = sets.SystemFileCertificates(name);
        return read.IsSuccess
            ? TypedResults.Ok(read.Value)
            : ApiRoutes.Problem(read.Error);
    }

    internal static async Task<IResult> GetAsync(Guid id, TrustedCaSets sets, CancellationToken ct) =>
        await DocumentAsync(sets, id, ct);

    internal static async Task<IResult> CreateAsync(CreateBody? body, TrustedCaSets sets, ClaimsPrincipal user, CancellationToken ct)
    {
        if (body?.Name is null)
        {
            return ApiRoutes.Problem(new Error("name-missing", "Send {\"name\": \"...\", \"systemFiles\": [\"public-roots.pem\"]} (systemFiles optional)."));
        }

        var created = await sets.CreateAsync(body.Name, body.SystemFiles, AcquisitionsApi.Actor(user), ct);
        if (!created.IsSuccess)
        {
            return ApiRoutes.Problem(created.Error);
        }

        var document = await sets.GetAsync(created.Value.Id, ct);
        return TypedResults.Created($"{ApiRoutes.Prefix}/trusted-ca-sets/{created.Value.Id}", ToDocument(document.Value));
    }

    internal static async Task<IResult> RenameAsync(Guid id, RenameBody? body, TrustedCaSets sets, ClaimsPrincipal user, CancellationToken ct)
    {
        if (body?.Name is null)
        {
            return ApiRoutes.Problem(new Error("name-missing", "Send {\"name\": \"...\"}."));
        }

        var renamed = await sets.RenameAsync(id, body.Name, AcquisitionsApi.Actor(user), ct);
        return renamed.IsSuccess ? await DocumentAsync(sets, id, ct) : ApiRoutes.Problem(renamed.Error);
    }

    internal static async Task<IResult> DeleteAsync(Guid id, TrustedCaSets sets, ClaimsPrincipal user, CancellationToken ct)
    {
        var deleted = await sets.DeleteAsync(id, AcquisitionsApi.Actor(user), ct);
        return deleted.IsSuccess ? TypedResults.Ok(new DeleteOutcome(id, deleted.Value)) : ApiRoutes.Problem(deleted.Error);
    }

    internal static async Task<IResult> SystemFilesAsync(Guid id, SystemFilesBody? body, TrustedCaSets sets, ClaimsPrincipal user, CancellationToken ct)
    {
        if (body?.Files is null)
        {
            return ApiRoutes.Problem(new Error("files-missing", "Send {\"files\": [\"public-roots.pem\", ...]}; GET /api/v1/trusted-ca-sets/system-files lists them."));
        }

        var chosen = await sets.SetSystemFilesAsync(id, body.Files, AcquisitionsApi.Actor(user), ct);
        return chosen.IsSuccess ? await DocumentAsync(sets, id, ct) : ApiRoutes.Problem(chosen.Error);
    }

    /// <summary>Multipart upload: one or more files (any field name), PEM bundles, DER or PKCS#7; CA certificates only.</summary>
    internal static async Task<IResult> UploadAsync(Guid id, HttpRequest request, TrustedCaSets sets, ClaimsPrincipal user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.HasFormContentType)
        {
            return ApiRoutes.UnsupportedMediaType(new Error("multipart-required", "Send the CA certificate file(s) as multipart/form-data (field 'file')."));
        }

        var form = await request.ReadFormAsync(ct);
        if (form.Files.Count == 0)
        {
            return ApiRoutes.Problem(new Error("file-missing", "Attach the CA certificate file in the 'file' field."));
        }

        var added = new List<UserCertificate>();
        var duplicates = 0;
        foreach (var file in form.Files)
        {
            if (file.Length > MaxUploadBytes)
            {
                return ApiRoutes.Problem(Error.TooLarge("upload-too-large", $"'{file.FileName}' is larger than {MaxUploadBytes / (1024 * 1024)} MiB."));
            }

            using var buffer = new MemoryStream((int)file.Length);
            await file.CopyToAsync(buffer, ct);
            var outcome = await sets.AddCertificatesAsync(id, buffer.ToArray(), AcquisitionsApi.Actor(user), ct);
            if (!outcome.IsSuccess)
            {
                return ApiRoutes.Problem(outcome.Error);
            }

            added.AddRange(outcome.Value.Added.Select(ToCertificate));
            duplicates += outcome.Value.Duplicates;
        }

        var details = await sets.GetAsync(id, ct);
        return TypedResults.Ok(new UploadOutcome(added, duplicates, details.IsSuccess && details.Value.Pending.Any));
    }

    internal static async Task<IResult> RemoveCertificateAsync(Guid id, Guid certificateId, TrustedCaSets sets, ClaimsPrincipal user, CancellationToken ct)
    {
        var removed = await sets.RemoveCertificateAsync(id, certificateId, AcquisitionsApi.Actor(user), ct);
        return removed.IsSuccess ? TypedResults.NoContent() : ApiRoutes.Problem(removed.Error);
    }

    internal static async Task<IResult> MergeAsync(Guid id, TrustedCaSets sets, ClaimsPrincipal user, CancellationToken ct)
    {
        var merged = await sets.MergeAsync(id, AcquisitionsApi.Actor(user), ct);
        return merged.IsSuccess ? await DocumentAsync(sets, id, ct) : ApiRoutes.Problem(merged.Error);
    }

    internal static async Task<IResult> DefaultAsync(Guid id, TrustedCaSets sets, ClaimsPrincipal user, CancellationToken ct)
    {
        var chosen = await sets.SetDefaultAsync(id, AcquisitionsApi.Actor(user), ct);
        return chosen.IsSuccess ? await DocumentAsync(sets, id, ct) : ApiRoutes.Problem(chosen.Error);
    }

    private static async Task<IResult> DocumentAsync(TrustedCaSets sets, Guid id, CancellationToken ct)
    {
        var details = await sets.GetAsync(id, ct);
        return details.IsSuccess ? TypedResults.Ok(ToDocument(details.Value)) : ApiRoutes.Problem(details.Error);
    }

    private static SetDocument ToDocument(TrustedCaSetDetails d) => new(
        d.Set.Id, d.Set.Name, d.Set.IsDefault, d.Set.SystemFiles, [.. d.Set.Certificates.Select(ToCertificate)], d.DefinitionCount,
        d.Set.MergedAt, d.Pending.Any, d.Pending.Describe(), d.EffectiveCount, d.Set.CreatedAt, d.Set.UpdatedAt);

    private static UserCertificate ToCertificate(TrustedCaCertificate c) => new(c.Id, c.Subject, c.Sha256, c.NotAfter, c.CreatedAt);
}
