using System.Security.Claims;
using CertMgr.Core.Common;
using CertMgr.Core.Inventory;
using CertMgr.Data;
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
/// <c>/api/v1/certificates</c>: list and search, "show certificate", downloads without the key for every user, and
/// exports with the private key for admins only (with a passphrase), each recorded in the definition's history.
/// </summary>
public static class CertificatesApi
{
    public const int DefaultTake = 50;
    public const int MaxTake = 200;

    public sealed record CertificateItem(
        Guid Id, Guid DefinitionId, string DefinitionName, bool IsCurrent, string? CommonName, string Subject, string Issuer,
        string SerialNumber, string Sha1, string Sha256, DateTimeOffset NotBefore, DateTimeOffset NotAfter, string KeyAlgorithm,
        int KeySize, string Source, bool HasPrivateKey, IReadOnlyList<string> SubjectAlternativeNames);

    public sealed record CertificatePage(int Total, int Skip, int Take, IReadOnlyList<CertificateItem> Items);

    /// <summary>An export with the private key: format pfx|key|jks|haproxy, and the passphrase protecting the file.</summary>
    public sealed record ExportBody(string? Format, string? Passphrase, bool AllowUnencryptedKey = false);

    public static void MapCertificatesApi(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var certificates = api.MapGroup("/certificates").WithTags("Certificates");
        certificates.MapGet("/", ListAsync).WithSummary("List and search certificates");
        certificates.MapGet("/{id:guid}", GetAsync).WithSummary("Show a certificate: thumbprints, names, validity, key, extensions, chain");
        certificates.MapGet("/{id:guid}/download", DownloadAsync)
            .WithSummary("Download without the key: format=pem|der|chain|fullchain|p7b|p7b-pem");
        certificates.MapPost("/{id:guid}/export", ExportAsync).RequireAuthorization(CertMgrClaims.AdminPolicy)
            .WithSummary("Export with the private key (admin): format=pfx|key|jks|haproxy, with a passphrase");
    }

    /// <param name="db">The database.</param>
    /// <param name="time">The clock for the expiry windows.</param>
    /// <param name="q">Search: common name, subject, definition, SAN (substring), or a hex thumbprint/serial prefix.</param>
    /// <param name="definitionId">Only this definition's certificates.</param>
    /// <param name="issuer">Issuer DN substring (case-insensitive).</param>
    /// <param name="expiry">expired | 30d | 90d | valid.</param>
    /// <param name="current">true: only each definition's current certificate.</param>
    /// <param name="sort">name | definition | issuer | expiry | created.</param>
    /// <param name="dir">asc | desc.</param>
    /// <param name="skip">Rows to skip.</param>
    /// <param name="take">Rows to return, 1-200 (default 50).</param>
    /// <param name="ct">Cancellation.</param>
    internal static async Task<Results<Ok<CertificatePage>, ProblemHttpResult>> ListAsync(
        CertMgrDbContext db, TimeProvider time, string? q, Guid? definitionId, string? issuer, string? expiry, bool? current,
        string? sort, string? dir, int? skip, int? take, CancellationToken ct)
    {
        if (skip is < 0 || take is < 1 or > MaxTake)
        {
            return ApiRoutes.Problem(new Error("paging-invalid", $"skip must be 0 or more and take between 1 and {MaxTake}."));
        }

        if (sort is not null && !CertificateRows.Columns.IsSortable(sort.Trim()))
        {
            return ApiRoutes.Problem(new Error("sort-invalid", "sort must be one of: name, definition, issuer, expiry, created."));
        }

        var window = CertificateRows.NormalizeExpiry(expiry);
        if (expiry is not null && window is null)
        {
            return ApiRoutes.Problem(new Error("expiry-invalid", "expiry must be one of: expired, 30d, 90d, valid."));
        }

        var state = CertificateRows.Columns.Normalize(new ListQuery { Q = q, Sort = sort, Dir = dir, Size = ListQuery.MaxPageSize });
        var rows = CertificateRows.Rows(db).AsNoTracking().WhereExpiry(window, time.GetUtcNow());
        if (definitionId is { } d)
        {
            rows = rows.Where(r => r.DefinitionId == d);
        }

        if (!string.IsNullOrWhiteSpace(issuer))
        {
#pragma warning disable CA1862 // translated to SQL
            var i = issuer.Trim().ToLowerInvariant();
            rows = rows.Where(r => r.Issuer.ToLower().Contains(i));
#pragma warning restore CA1862
        }

        if (current == true)
        {
            rows = rows.Where(r => r.IsCurrent);
        }

        var filtered = CertificateRows.Columns.ApplySearch(rows, state);
        var total = await filtered.CountAsync(ct);
        var from = skip ?? 0;
        var count = take ?? DefaultTake;
        var page = await CertificateRows.Columns.ApplySort(filtered, state).Skip(from).Take(count).ToListAsync(ct);
        return TypedResults.Ok(new CertificatePage(total, from, count, [.. page.Select(Item)]));
    }

    internal static async Task<Results<Ok<CertificateView>, ProblemHttpResult>> GetAsync(Guid id, CertMgrDbContext db, CancellationToken ct)
    {
        var found = await db.Certificates.AsNoTracking().Where(c => c.Id == id)
            .Select(c => new { Certificate = c, c.Definition.Name, IsCurrent = c.Definition.CurrentCertificateId == c.Id })
            .SingleOrDefaultAsync(ct);
        return found is null
            ? NotFound()
            : TypedResults.Ok(CertificateView.From(found.Certificate, found.Name, found.IsCurrent));
    }

    internal static async Task<Results<FileContentHttpResult, ProblemHttpResult>> DownloadAsync(
        Guid id, string? format, CertMgrDbContext db, CancellationToken ct)
    {
        var certificate = await db.Certificates.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, ct);
        if (certificate is null)
        {
            return NotFound();
        }

        var file = CertificateFiles.Download(certificate, format ?? "pem");
        return file.IsSuccess
            ? TypedResults.File(file.Value.ToArray(), file.Value.ContentType, file.Value.FileName)
            : ApiRoutes.Problem(file.Error);
    }

    internal static async Task<Results<FileContentHttpResult, ProblemHttpResult>> ExportAsync(
        Guid id, ExportBody? body, KeyExportService exports, ClaimsPrincipal user, CancellationToken ct)
    {
        if (body is null)
        {
            return ApiRoutes.Problem(new Error("body-missing", "Send {\"format\": \"pfx\", \"passphrase\": \"…\"}."));
        }

        var file = await exports.ExportCertificateAsync(id, body.Format, body.Passphrase, body.AllowUnencryptedKey, KeysApi.Exporter(user), ct);
        return file.IsSuccess
            ? TypedResults.File(file.Value.ToArray(), file.Value.ContentType, file.Value.FileName)
            : ApiRoutes.Problem(file.Error);
    }

    private static ProblemHttpResult NotFound() =>
        ApiRoutes.Problem(Error.NotFound("certificate-not-found", "No such certificate."));

    private static CertificateItem Item(CertificateRow r) => new(
        r.Id, r.DefinitionId, r.DefinitionName, r.IsCurrent, r.CommonName, r.Subject, r.Issuer, r.SerialNumber, r.Sha1, r.Sha256,
        r.NotBefore, r.NotAfter, r.KeyAlgorithm.ToString(), r.KeySize, r.Source.ToString(), r.HasPrivateKey, r.SubjectAlternativeNames);
}
