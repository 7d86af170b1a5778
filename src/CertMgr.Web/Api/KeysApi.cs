using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using CertMgr.Core.Common;
using CertMgr.Core.Inventory;
using CertMgr.Core.PrivateCa;
using CertMgr.Core.Pki.Writing;
using CertMgr.Data;
using CertMgr.Data.Secrets;
using CertMgr.Web.Auth;
using CertMgr.Web.ConsoleUi;
using CertMgr.Web.Pages.Certificates;
using CertMgr.Web.Pages.Keys;
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
        Guid id, KeyExportBody? body, CertMgrDbContext db, SecretProtector protector, TimeProvider time, ClaimsPrincipal user, CancellationToken ct)
    {
        var format = body?.Format?.Trim().ToLowerInvariant();
        if (format is not ("pem" or "pfx"))
        {
            return ApiRoutes.Problem(new Error("format-invalid", "format must be pem (encrypted PKCS#8) or pfx (PKCS#12 with the certificate)."));
        }

        var passphrase = body!.Passphrase;
        if (string.IsNullOrEmpty(passphrase))
        {
            return ApiRoutes.Problem(new Error("passphrase-required", "Exporting a private key needs a passphrase to encrypt it."));
        }

        if (passphrase.Length < ExportOptions.MinimumPassphraseLength)
        {
            return ApiRoutes.Problem(new Error("passphrase-too-short", $"The passphrase must be at least {ExportOptions.MinimumPassphraseLength} characters long."));
        }

        // A private CA's key is not an inventory key and never leaves through this endpoint.
        var stored = await db.PrivateKeys.AsNoTracking().SingleOrDefaultAsync(k => k.Id == id && !db.PrivateCas.Any(ca => ca.PrivateKeyId == k.Id), ct);
        if (stored is null)
        {
            return ApiRoutes.Problem(Error.NotFound("key-not-found", "No such private key."));
        }

        var certificate = await db.Certificates.AsNoTracking().Where(c => c.PrivateKeyId == id).OrderByDescending(c => c.NotAfter).FirstOrDefaultAsync(ct);
        Result<ExportedFile> file;
        if (format == "pfx")
        {
            if (certificate is null)
            {
                return ApiRoutes.Problem(new Error("certificate-missing", "No certificate uses this key yet; export it as pem."));
            }

            file = CertificateFiles.ExportWithKey(certificate, stored, protector, "pfx", passphrase, allowUnencryptedKey: false);
        }
        else
        {
            using var key = SealedKeys.Open(stored, protector);
            var pem = key.ExportEncryptedPkcs8PrivateKeyPem(passphrase,
                new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, ExportOptions.DefaultKdfIterations));
            file = new ExportedFile(Encoding.ASCII.GetBytes(pem + "\n"), $"key-{stored.PublicKeySha256[..12].ToLowerInvariant()}.key.pem", "application/x-pem-file");
        }

        if (!file.IsSuccess)
        {
            return ApiRoutes.Problem(file.Error);
        }

        var now = time.GetUtcNow();
        var actor = user.Identity?.Name ?? "api";
        var detail = $"Private key {stored.PublicKeySha256[..16]}… exported as {format}";
        if (certificate is not null)
        {
            DefinitionHistory.Record(db, now, actor, certificate.DefinitionId, "export-private-key", detail);
        }
        else
        {
            Core.Audit.AuditLog.Record(db, now, actor, "PrivateKey", stored.Id.ToString(), "export", detail: detail);
        }

        await db.SaveChangesAsync(ct);
        return TypedResults.File(file.Value.ToArray(), file.Value.ContentType, file.Value.FileName);
    }
}
