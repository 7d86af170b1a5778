using System.Security.Claims;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using CertMgr.Core.Common;
using CertMgr.Core.PrivateCa;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Web.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Web.Api;

/// <summary>
/// The private CA over HTTP: <c>/api/v1/ca...</c> (signed-in users; issue and revoke for admins) and the public
/// <c>/pki/ca.crt</c>, <c>/pki/ca.pem</c>, <c>/pki/ca.crl</c> that the URLs in issued certificates point at.
/// </summary>
public static class CaApi
{
    public const string PkiPrefix = "/pki";
    private const int MaxCsrBytes = 64 * 1024;

    public sealed record CaInfo(
        string Subject, string Issuer, string SerialNumber, DateTimeOffset NotBefore, DateTimeOffset NotAfter, string Key,
        string? Sha256, string Mode, string Status, int Issued, int Revoked, int SigningInterrupted, long NextCrlNumber);

    public sealed record IssuedInfo(
        string SerialNumber, string Profile, string Subject, IReadOnlyList<string> Names, string Status,
        DateTimeOffset NotBefore, DateTimeOffset NotAfter, DateTimeOffset IssuedAt, string? IssuedBy, DateTimeOffset? RevokedAt, string? RevocationReason);

    public sealed record IssuedPage(int Total, int Skip, int Take, IReadOnlyList<IssuedInfo> Items);

    public sealed record RevokeBody(string? Reason);

    /// <summary>Many PEM CSRs issued in one batch (at most <see cref="MaxBatch"/>).</summary>
    public sealed record IssueBatchBody(IReadOnlyList<string>? Csrs, int? Days);

    /// <summary>One batch item's outcome, in the order of the request: the certificate PEM, or the error.</summary>
    public sealed record IssueBatchItem(int Index, string? SerialNumber, string? Certificate, string? Error, string? Message);

    public sealed record IssueBatchResult(int Issued, int Failed, IReadOnlyList<IssueBatchItem> Items);

    public const int MaxBatch = CaIssuance.MaxBatch;

    public static void MapCaApi(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var ca = api.MapGroup("/ca").WithTags("Private CA");
        ca.MapGet("/", InfoAsync);
        ca.MapGet("/certificate", CertificateAsync);
        ca.MapGet("/crl", CrlAsync);
        ca.MapGet("/issued", IssuedAsync);
        ca.MapPost("/issue", IssueAsync).RequireAuthorization(CertMgrClaims.AdminPolicy);
        ca.MapPost("/issue-batch", IssueBatchAsync).RequireAuthorization(CertMgrClaims.AdminPolicy);
        ca.MapPost("/issued/{serial}/revoke", RevokeAsync).RequireAuthorization(CertMgrClaims.AdminPolicy);
    }

    /// <summary>The public, anonymous PKI files; also the only paths served on the plain-HTTP PKI listener.</summary>
    public static void MapPkiFiles(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var pki = endpoints.MapGroup(PkiPrefix).AllowAnonymous().ExcludeFromDescription();
        pki.MapGet("/ca.crt", (PrivateCaService service, CancellationToken ct) => CertificateAsync(service, "der", ct));
        pki.MapGet("/ca.pem", (PrivateCaService service, CancellationToken ct) => CertificateAsync(service, "pem", ct));
        pki.MapGet("/ca.crl", (CaRevocation revocation, CancellationToken ct) => CrlAsync(revocation, "der", ct));
    }

    internal static async Task<IResult> InfoAsync(CertMgrDbContext db, CancellationToken ct)
    {
        var ca = await db.PrivateCas.AsNoTracking().Include(c => c.PrivateKey).SingleOrDefaultAsync(c => c.IsCurrent, ct);
        if (ca?.CertificateDer is null)
        {
            return ApiRoutes.Problem(Error.NotFound("ca-missing", "No active private CA."));
        }

        using var cert = X509CertificateLoader.LoadCertificate(ca.CertificateDer);
        var counts = await db.IssuedCertificates.Where(i => i.PrivateCaId == ca.Id)
            .GroupBy(i => i.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        int Count(IssuedCertificateStatus s) => counts.FirstOrDefault(c => c.Key == s)?.Count ?? 0;
        return TypedResults.Ok(new CaInfo(
            cert.Subject, cert.Issuer, cert.SerialNumber, cert.NotBefore.ToUniversalTime(), cert.NotAfter.ToUniversalTime(),
            new Core.Pki.KeySpec(ca.PrivateKey.Algorithm, ca.PrivateKey.KeySize).Name, ca.Sha256, ca.Mode.ToString(), ca.Status.ToString(),
            counts.Sum(c => c.Count), Count(IssuedCertificateStatus.Revoked), Count(IssuedCertificateStatus.Pending), ca.NextCrlNumber));
    }

    internal static async Task<IResult> CertificateAsync(PrivateCaService service, string? format, CancellationToken ct)
    {
        var ca = await service.FindCurrentAsync(ct);
        if (ca?.CertificateDer is null)
        {
            return ApiRoutes.Problem(Error.NotFound("ca-missing", "No active private CA."));
        }

        return string.Equals(format, "der", StringComparison.OrdinalIgnoreCase)
            ? TypedResults.File(ca.CertificateDer, "application/pkix-cert", "ca.crt")
            : TypedResults.Text(PemEncoding.WriteString("CERTIFICATE", ca.CertificateDer) + "\n" + ca.ChainPem, "application/x-pem-file", Encoding.ASCII);
    }

    internal static async Task<IResult> CrlAsync(CaRevocation revocation, string? format, CancellationToken ct)
    {
        var crl = await revocation.CurrentCrlAsync(ct);
        if (!crl.IsSuccess)
        {
            return ApiRoutes.Problem(crl.Error);
        }

        return string.Equals(format, "pem", StringComparison.OrdinalIgnoreCase)
            ? TypedResults.Text(PemEncoding.WriteString("X509 CRL", crl.Value) + "\n", "application/x-pem-file", Encoding.ASCII)
            : TypedResults.File(crl.Value, "application/pkix-crl", "ca.crl");
    }

    internal static async Task<IResult> IssuedAsync(CertMgrDbContext db, int? skip, int? take, CancellationToken ct)
    {
        var from = Math.Max(skip ?? 0, 0);
        var count = Math.Clamp(take ?? 50, 1, 500);
        var current = await db.PrivateCas.AsNoTracking().Where(c => c.IsCurrent).Select(c => (Guid?)c.Id).SingleOrDefaultAsync(ct);
        var query = db.IssuedCertificates.AsNoTracking().Where(i => i.PrivateCaId == current);
        var total = await query.CountAsync(ct);
        var rows = await query.OrderByDescending(i => i.IssuedAt).ThenBy(i => i.SerialNumber).Skip(from).Take(count).ToListAsync(ct);
        return TypedResults.Ok(new IssuedPage(total, from, count, [.. rows.Select(ToInfo)]));
    }

    internal static async Task<IResult> IssueAsync(HttpRequest request, CaIssuance issuance, ClaimsPrincipal user, int? days, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var read = new byte[8192];
        int n;
        while ((n = await request.Body.ReadAsync(read, ct)) > 0)
        {
            buffer.Write(read, 0, n);
            if (buffer.Length > MaxCsrBytes)
            {
                return ApiRoutes.Problem(Error.TooLarge("csr-too-large", $"The request body is larger than {MaxCsrBytes} bytes."));
            }
        }

        if (days is <= 0)
        {
            return ApiRoutes.Problem(new Error("validity-invalid", "days must be a positive number."));
        }

        var issued = await issuance.IssueDerForCsrAsync(buffer.ToArray(), days, Actor(user), ct);
        if (!issued.IsSuccess)
        {
            return ApiRoutes.Problem(issued.Error);
        }

        return TypedResults.Text(PemEncoding.WriteString("CERTIFICATE", issued.Value) + "\n", "application/x-pem-file", Encoding.ASCII, StatusCodes.Status201Created);
    }

    internal static async Task<IResult> IssueBatchAsync(IssueBatchBody? body, CaIssuance issuance, ClaimsPrincipal user, CancellationToken ct)
    {
        if (body?.Csrs is not { Count: > 0 } csrs)
        {
            return ApiRoutes.Problem(new Error("csrs-missing", "Send {\"csrs\": [\"-----BEGIN CERTIFICATE REQUEST-----...\"]} with at least one CSR."));
        }

        if (csrs.Count > MaxBatch)
        {
            return ApiRoutes.Problem(Error.TooLarge("batch-too-large", $"At most {MaxBatch} CSRs per batch; this one has {csrs.Count}."));
        }

        if (body.Days is <= 0)
        {
            return ApiRoutes.Problem(new Error("validity-invalid", "days must be a positive number."));
        }

        var input = new byte[csrs.Count][];
        for (var i = 0; i < csrs.Count; i++)
        {
            var text = csrs[i] ?? "";
            input[i] = text.Length > MaxCsrBytes ? [] : Encoding.ASCII.GetBytes(text);
        }

        var issued = await issuance.IssueDerForCsrsAsync(input, body.Days, Actor(user), ct);
        if (!issued.IsSuccess)
        {
            return ApiRoutes.Problem(issued.Error);
        }

        var items = new IssueBatchItem[input.Length];
        for (var i = 0; i < input.Length; i++)
        {
            var r = issued.Value[i];
            if (r.IsSuccess)
            {
                using var cert = X509CertificateLoader.LoadCertificate(r.Value);
                items[i] = new IssueBatchItem(i, cert.SerialNumber, PemEncoding.WriteString("CERTIFICATE", r.Value) + "\n", null, null);
            }
            else if (csrs[i] is { Length: > MaxCsrBytes })
            {
                items[i] = new IssueBatchItem(i, null, null, "csr-too-large", $"This CSR is larger than {MaxCsrBytes} bytes.");
            }
            else
            {
                items[i] = new IssueBatchItem(i, null, null, r.Error.Code, r.Error.Message);
            }
        }

        var ok = items.Count(i => i.Certificate is not null);
        return TypedResults.Ok(new IssueBatchResult(ok, items.Length - ok, items));
    }

    internal static async Task<IResult> RevokeAsync(string serial, RevokeBody? body, CaRevocation revocation, ClaimsPrincipal user, CancellationToken ct)
    {
        if (!CaRevocation.TryParseReason(body?.Reason, out var reason))
        {
            return ApiRoutes.Problem(new Error("reason-invalid", $"Unknown revocation reason; use one of {string.Join(", ", CaRevocation.Reasons.Select(CaRevocation.ReasonName))}."));
        }

        var revoked = await revocation.RevokeAsync(serial, reason, Actor(user), ct);
        if (!revoked.IsSuccess)
        {
            return ApiRoutes.Problem(revoked.Error);
        }

        return TypedResults.Ok(ToInfo(revoked.Value));
    }

    internal static IssuedInfo ToInfo(IssuedCertificate i) => new(
        i.SerialNumber, i.Profile.ToString(), i.Subject, i.Names,
        i.Status == IssuedCertificateStatus.Pending ? "SigningInterrupted" : i.Status.ToString(),
        i.NotBefore, i.NotAfter, i.IssuedAt, i.IssuedBy, i.RevokedAt,
        i.RevocationReason is { } r ? CaRevocation.ReasonName((X509RevocationReason)r) : null);

    private static string Actor(ClaimsPrincipal user) => user.Identity?.Name ?? "api";
}
