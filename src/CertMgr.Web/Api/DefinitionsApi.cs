using System.Security.Claims;
using System.Text.Json.Serialization;
using CertMgr.Core.Common;
using CertMgr.Core.Inventory;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Web.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Web.Api;

/// <summary>
/// Certificate definitions over HTTP (<c>/api/v1/definitions</c>): list, get, create, update, delete (admins),
/// duplicate, clone a selection with a name rewrite (with a dry run), switch modes. Invalid input is a 400 problem
/// with a per-field <c>errors</c> object, as ASP.NET Core validation problems have it.
/// </summary>
public static class DefinitionsApi
{
    public sealed record CertificateInfo(Guid Id, string Sha256, DateTimeOffset NotBefore, DateTimeOffset NotAfter, bool HasPrivateKey);

    public sealed record DefinitionListItem(
        Guid Id, string Name, string CommonName,
        [property: JsonConverter(typeof(JsonStringEnumConverter<OperationMode>))] OperationMode OperationMode,
        [property: JsonConverter(typeof(JsonStringEnumConverter<ExecutionMode>))] ExecutionMode ExecutionMode,
        IReadOnlyList<string> Tags, string? TargetServerName, DateTimeOffset? NotAfter, DateTimeOffset UpdatedAt,
        [property: JsonConverter(typeof(JsonStringEnumConverter<RequestStatus>))] RequestStatus? NextStatus,
        [property: JsonConverter(typeof(JsonStringEnumConverter<DeploymentStatus>))] DeploymentStatus? DeployStatus,
        [property: JsonConverter(typeof(JsonStringEnumConverter<CheckStatus>))] CheckStatus? MonitorStatus,
        DateTimeOffset? MonitoredAt);

    public sealed record DefinitionPage(int Total, int Skip, int Take, IReadOnlyList<DefinitionListItem> Items);

    /// <summary>One definition: its id, the editable fields (send them back with PUT), its current certificate.</summary>
    public sealed record DefinitionDocument(Guid Id, DefinitionFields Fields, CertificateInfo? CurrentCertificate, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    public sealed record CloneBody(IReadOnlyList<Guid>? Ids, string? Tag, string? Find, string? Replace, string? AddTag, bool DryRun);

    public sealed record ClonePreviewItem(Guid SourceId, string SourceName, string Name, string CommonName, IReadOnlyList<string> SubjectAlternativeNames, string? TargetServerName, string? ServerNameForCheck, string? Problem);

    public sealed record ClonePreview(bool CanApply, IReadOnlyList<ClonePreviewItem> Items);

    public sealed record ModeBody(
        [property: JsonConverter(typeof(JsonStringEnumConverter<OperationMode>))] OperationMode? OperationMode,
        [property: JsonConverter(typeof(JsonStringEnumConverter<ExecutionMode>))] ExecutionMode? ExecutionMode);

    public static void MapDefinitionsApi(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var definitions = api.MapGroup("/definitions").WithTags("Certificate definitions");
        definitions.MapGet("/", ListAsync);
        definitions.MapGet("/{id:guid}", GetAsync);
        definitions.MapPost("/", CreateAsync);
        definitions.MapPut("/{id:guid}", UpdateAsync);
        definitions.MapDelete("/{id:guid}", DeleteAsync).RequireAuthorization(CertMgrClaims.AdminPolicy);
        definitions.MapPost("/{id:guid}/duplicate", DuplicateAsync);
        definitions.MapPost("/clone", CloneAsync);
        definitions.MapPost("/{id:guid}/mode", ModeAsync);
    }

    internal static async Task<IResult> ListAsync(
        CertMgrDbContext db, string? search, string? mode, string? tag, string? sort, int? skip, int? take, CancellationToken ct)
    {
        var from = Math.Max(skip ?? 0, 0);
        var count = Math.Clamp(take ?? 50, 1, 500);
        var query = db.Definitions.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(mode))
        {
            if (!TryParseMode(mode, out var operation))
            {
                return ApiRoutes.Problem(new Error("mode-invalid", "mode must be LifecycleManaged (managed) or MonitoredOnly (monitored)."));
            }

            query = query.Where(d => d.OperationMode == operation);
        }

        if (!string.IsNullOrWhiteSpace(tag))
        {
            var t = tag.Trim();
            query = query.Where(d => d.Tags.Contains(t));
        }

        if (!string.IsNullOrWhiteSpace(search))
        {
            var s = SearchTexts.Term(search);
            query = query.Where(d => d.SearchText.Contains(s));
        }

        IQueryable<CertificateDefinition>? ordered = (sort ?? "name") switch
        {
            "name" => query.OrderBy(d => d.Name).ThenBy(d => d.Id),
            "-name" => query.OrderByDescending(d => d.Name).ThenBy(d => d.Id),
            "expiry" => query.OrderBy(d => d.CurrentNotAfter == null).ThenBy(d => d.CurrentNotAfter).ThenBy(d => d.Id),
            "-expiry" => query.OrderBy(d => d.CurrentNotAfter == null).ThenByDescending(d => d.CurrentNotAfter).ThenBy(d => d.Id),
            "updated" => query.OrderBy(d => d.UpdatedAt).ThenBy(d => d.Id),
            "-updated" => query.OrderByDescending(d => d.UpdatedAt).ThenBy(d => d.Id),
            _ => null,
        };
        if (ordered is null)
        {
            return ApiRoutes.Problem(new Error("sort-invalid", "sort must be one of name, -name, expiry, -expiry, updated, -updated."));
        }

        var total = await query.CountAsync(ct);
        var items = await ordered.Skip(from).Take(count).Select(d => new DefinitionListItem(
                d.Id, d.Name, d.CommonName, d.OperationMode, d.ExecutionMode, d.Tags, d.TargetServerName,
                d.CurrentNotAfter, d.UpdatedAt, d.NextStatus, d.DeployStatus, d.MonitorStatus, d.MonitoredAt))
            .ToListAsync(ct);
        return TypedResults.Ok(new DefinitionPage(total, from, count, items));
    }

    internal static async Task<IResult> GetAsync(Guid id, DefinitionService service, CancellationToken ct)
    {
        var definition = await service.GetAsync(id, ct);
        return definition is null
            ? ApiRoutes.Problem(DefinitionService.NotFound(id))
            : TypedResults.Ok(Document(definition));
    }

    internal static async Task<IResult> CreateAsync(DefinitionFields? body, DefinitionService service, ClaimsPrincipal user, CancellationToken ct)
    {
        if (body is null)
        {
            return ApiRoutes.Problem(new Error("body-missing", "Send the definition's fields as JSON."));
        }

        var created = await service.CreateAsync(body, Actor(user), ct);
        if (!created.IsSuccess)
        {
            return ApiRoutes.Problem(created.Error);
        }

        var stored = await service.GetAsync(created.Value.Id, ct);
        return TypedResults.Created($"{ApiRoutes.Prefix}/definitions/{created.Value.Id}", Document(stored!));
    }

    internal static async Task<IResult> UpdateAsync(Guid id, DefinitionFields? body, DefinitionService service, ClaimsPrincipal user, CancellationToken ct)
    {
        if (body is null)
        {
            return ApiRoutes.Problem(new Error("body-missing", "Send the definition's fields as JSON."));
        }

        var updated = await service.UpdateAsync(id, body, Actor(user), ct);
        if (!updated.IsSuccess)
        {
            return ApiRoutes.Problem(updated.Error);
        }

        return TypedResults.Ok(Document((await service.GetAsync(id, ct))!));
    }

    internal static async Task<IResult> DeleteAsync(Guid id, DefinitionService service, ClaimsPrincipal user, CancellationToken ct)
    {
        var deleted = await service.DeleteAsync(id, Actor(user), ct);
        return deleted.IsSuccess ? TypedResults.NoContent() : ApiRoutes.Problem(deleted.Error);
    }

    internal static async Task<IResult> DuplicateAsync(Guid id, DefinitionService service, ClaimsPrincipal user, CancellationToken ct)
    {
        var copy = await service.DuplicateAsync(id, Actor(user), ct);
        if (!copy.IsSuccess)
        {
            return ApiRoutes.Problem(copy.Error);
        }

        return TypedResults.Created($"{ApiRoutes.Prefix}/definitions/{copy.Value.Id}", Document((await service.GetAsync(copy.Value.Id, ct))!));
    }

    internal static async Task<IResult> CloneAsync(CloneBody? body, DefinitionService service, ClaimsPrincipal user, CancellationToken ct)
    {
        if (body is null)
        {
            return ApiRoutes.Problem(new Error("body-missing", "Send {\"tag\": \"prod\" or \"ids\": [...], \"find\": \"prod\", \"replace\": \"test\", \"dryRun\": true}."));
        }

        var request = new CloneRequest(body.Ids, body.Tag, body.Find, body.Replace, body.AddTag);
        var plan = await service.PlanCloneAsync(request, ct);
        if (!plan.IsSuccess)
        {
            return ApiRoutes.Problem(plan.Error);
        }

        var preview = Preview(plan.Value);
        if (body.DryRun)
        {
            return TypedResults.Ok(preview);
        }

        if (!plan.Value.CanApply)
        {
            var bad = plan.Value.Items.First(i => i.Problem is not null);
            return TypedResults.Problem(
                title: $"Nothing was cloned: '{bad.SourceName}': {bad.Problem}",
                statusCode: StatusCodes.Status409Conflict,
                type: "https://certmgr.dev/problems/clone-conflict",
                extensions: new Dictionary<string, object?> { ["code"] = "clone-conflict", ["items"] = preview.Items });
        }

        var cloned = await service.CloneAsync(request, Actor(user), ct);
        if (!cloned.IsSuccess)
        {
            return ApiRoutes.Problem(cloned.Error);
        }

        return TypedResults.Created($"{ApiRoutes.Prefix}/definitions", cloned.Value.Select(d => new DefinitionListItem(
            d.Id, d.Name, d.CommonName, d.OperationMode, d.ExecutionMode, d.Tags, d.TargetServerName, null, d.UpdatedAt, null, null, null, null)).ToList());
    }

    internal static async Task<IResult> ModeAsync(Guid id, ModeBody? body, DefinitionService service, ClaimsPrincipal user, CancellationToken ct)
    {
        var switched = await service.SwitchModeAsync(id, body?.OperationMode, body?.ExecutionMode, Actor(user), ct);
        return switched.IsSuccess ? TypedResults.Ok(Document((await service.GetAsync(id, ct))!)) : ApiRoutes.Problem(switched.Error);
    }

    private static DefinitionDocument Document(CertificateDefinition d) => new(
        d.Id, DefinitionFields.From(d),
        d.CurrentCertificate is { } c ? new CertificateInfo(c.Id, c.Sha256, c.NotBefore, c.NotAfter, c.PrivateKeyId is not null) : null,
        d.CreatedAt, d.UpdatedAt);

    private static ClonePreview Preview(ClonePlan plan) => new(plan.CanApply, [.. plan.Items.Select(i => new ClonePreviewItem(
        i.SourceId, i.SourceName, i.Fields.Name ?? "", i.Fields.CommonName ?? "", i.Fields.SubjectAlternativeNames,
        i.Fields.TargetServerName, i.Fields.ServerNameForCheck, i.Problem))]);

    internal static bool TryParseMode(string? text, out OperationMode mode)
    {
        mode = OperationMode.LifecycleManaged;
        switch (text?.Trim().ToLowerInvariant())
        {
            case "managed" or "lifecyclemanaged" or "lifecycle-managed":
                return true;
            case "monitored" or "monitoredonly" or "monitored-only":
                mode = OperationMode.MonitoredOnly;
                return true;
            default:
                return false;
        }
    }

    private static string Actor(ClaimsPrincipal user) => user.Identity?.Name ?? "api";
}
