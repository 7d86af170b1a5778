using System.Security.Claims;
using CertMgr.Core.Common;
using CertMgr.Core.Inventory;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Web.Auth;
using CertMgr.Web.ConsoleUi;
using CertMgr.Web.ReadModels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Web.Api;

/// <summary>
/// <c>/api/v1/keys</c>: the private keys CertMgr holds (facts only), and their export for admins: encrypted PKCS#8 PEM,
/// or PKCS#12 with the newest certificate that uses the key. Every export is in the audit log.
/// </summary>
public static class KeysApi
{
    public sealed record KeyItem(
        Guid Id, string? Name, string Algorithm, int KeySize, string Source, string PublicKeySha256, DateTimeOffset CreatedAt,
        int CertificateCount, int RequestCount, string? UsedBy, Guid? UsedByDefinitionId);

    public sealed record KeyPage(int Total, int Skip, int Take, IReadOnlyList<KeyItem> Items);

    /// <summary>format: pem (encrypted PKCS#8) or pfx (PKCS#12 with its certificate); passphrase of 8+ characters.</summary>
    public sealed record KeyExportBody(string? Format, string? Passphrase);

    public static void MapKeysApi(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var keys = api.MapGroup("/keys").WithTags("Private keys");
        keys.MapGet("/", ListAsync).WithSummary("List private keys (never key material)");
        keys.MapPost("/{id:guid}/export", ExportAsync).RequireAuthorization(CertMgrClaims.AdminPolicy)
            .WithSummary("Export a key (admin): format=pem (encrypted PKCS#8) | pfx (with its certificate), with a passphrase");
    }

    internal static async Task<Results<Ok<KeyPage>, ProblemHttpResult>> ListAsync(
        CertMgrDbContext db, string? q, string? sort, string? dir, int? skip, int? take, CancellationToken ct)
    {
        if (skip is < 0 || take is < 1 or > CertificatesApi.MaxTake)
        {
            return ApiRoutes.Problem(new Error("paging-invalid", $"skip must be 0 or more and take between 1 and {CertificatesApi.MaxTake}."));
        }

        if (sort is not null && !KeyRows.Columns.IsSortable(sort.Trim()))
        {
            return ApiRoutes.Problem(new Error("sort-invalid", "sort must be one of: created, algorithm, size, source."));
        }

        var state = KeyRows.Columns.Normalize(new ListQuery { Q = q, Sort = sort, Dir = dir });
        var rows = KeyRows.Rows(db).AsNoTracking();
        var filtered = KeyRows.Columns.ApplySearch(rows, state);
        var total = await filtered.CountAsync(ct);
        var from = skip ?? 0;
        var count = take ?? CertificatesApi.DefaultTake;
        var ids = KeyRows.Columns.ApplySort(filtered, state).Skip(from).Take(count).Select(r => r.Id);
        var page = await KeyRows.Columns.ApplySort(rows.Where(r => ids.Contains(r.Id)), state).ToListAsync(ct);
        return TypedResults.Ok(new KeyPage(total, from, count, [.. page.Select(r => new KeyItem(
            r.Id, r.Name, r.Algorithm.ToString(), r.KeySize, r.Source.ToString(), r.PublicKeySha256, r.CreatedAt,
            r.CertificateCount, r.RequestCount, r.UsedBy, r.UsedByDefinitionId))]));
    }

    internal static async Task<Results<FileContentHttpResult, ProblemHttpResult>> ExportAsync(
        Guid id, KeyExportBody? body, KeyExportService exports, ClaimsPrincipal user, CancellationToken ct)
    {
        var file = await exports.ExportKeyAsync(id, body?.Format, body?.Passphrase, Exporter(user), ct);
        return file.IsSuccess
            ? TypedResults.File(file.Value.ToArray(), file.Value.ContentType, file.Value.FileName)
            : ApiRoutes.Problem(file.Error);
    }

    /// <summary>The caller as the key export rules see them.</summary>
    internal static KeyExporter Exporter(ClaimsPrincipal user) =>
        new(user.Identity?.Name ?? "api", user.IsInRole(nameof(UserRole.Admin)));
}
