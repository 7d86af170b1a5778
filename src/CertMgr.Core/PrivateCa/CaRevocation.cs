using System.Numerics;
using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.Audit;
using CertMgr.Core.Common;
using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace CertMgr.Core.PrivateCa;

/// <summary>Revocation of issued certificates and the CA's CRL (increasing CRL numbers, configurable next update).</summary>
public sealed partial class CaRevocation(
    CertMgrDbContext db,
    PrivateCaService ca,
    PrivateCaOptions options,
    TimeProvider time,
    ILogger<CaRevocation> logger)
{
    /// <summary>The reasons a person may give, by their RFC 5280 names (<c>keyCompromise</c>, ...).</summary>
    public static IReadOnlyList<X509RevocationReason> Reasons { get; } =
    [
        X509RevocationReason.Unspecified, X509RevocationReason.KeyCompromise, X509RevocationReason.CACompromise,
        X509RevocationReason.AffiliationChanged, X509RevocationReason.Superseded, X509RevocationReason.CessationOfOperation,
        X509RevocationReason.CertificateHold, X509RevocationReason.PrivilegeWithdrawn, X509RevocationReason.AACompromise,
    ];

    public static string ReasonName(X509RevocationReason reason)
    {
        var name = reason.ToString();
        return reason is X509RevocationReason.CACompromise or X509RevocationReason.AACompromise
            ? string.Concat(name.AsSpan(0, 2).ToString().ToLowerInvariant(), name.AsSpan(2))
            : char.ToLowerInvariant(name[0]) + name[1..];
    }

    public static bool TryParseReason(string? text, out X509RevocationReason reason)
    {
        reason = X509RevocationReason.Unspecified;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        foreach (var candidate in Reasons)
        {
            if (string.Equals(ReasonName(candidate), text.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                reason = candidate;
                return true;
            }
        }

        return false;
    }

    /// <summary>Revokes a certificate of the current CA by serial (hex, any case, colons allowed) and reissues the CRL.</summary>
    public async Task<Result<IssuedCertificate>> RevokeAsync(string serial, X509RevocationReason reason, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(serial);
        var normalized = serial.Replace(":", "", StringComparison.Ordinal).Trim().ToUpperInvariant().TrimStart('0');
        var current = await ca.FindCurrentAsync(ct);
        if (current is null)
        {
            return Error.NotFound("ca-missing", "No private CA exists yet.");
        }

        var candidates = await db.IssuedCertificates.Where(i => i.PrivateCaId == current.Id && i.SerialNumber.EndsWith(normalized)).ToListAsync(ct);
        var issued = candidates.FirstOrDefault(i => i.SerialNumber.TrimStart('0') == normalized);
        if (issued is null || normalized.Length == 0)
        {
            return Error.NotFound("serial-not-found", $"The current CA has issued no certificate with serial {serial.Trim()}.");
        }

        if (issued.Status == IssuedCertificateStatus.Revoked)
        {
            return new Error("already-revoked", $"Certificate {issued.SerialNumber} is already revoked.");
        }

        if (!Reasons.Contains(reason))
        {
            return new Error("reason-invalid", $"{reason} is not a revocation reason that can be given.");
        }

        var now = time.GetUtcNow();
        // A Pending row is revoked too: its serial may exist in a signature that was never stored.
        issued.Status = IssuedCertificateStatus.Revoked;
        issued.RevokedAt = now;
        issued.RevocationReason = (int)reason;
        db.Record(now, actor, "IssuedCertificate", issued.SerialNumber, "revoke", detail: ReasonName(reason));
        await db.SaveChangesAsync(ct);
        LogRevoked(logger, issued.SerialNumber, ReasonName(reason));

        var crl = await GenerateCrlAsync(actor, ct);
        return crl.IsSuccess ? issued : crl.Error;
    }

    /// <summary>Signs a new CRL of the current CA with the next CRL number and stores it as the current CRL.</summary>
    public async Task<Result<byte[]>> GenerateCrlAsync(string actor, CancellationToken ct)
    {
        var opened = await ca.OpenSignerAsync(ct);
        if (!opened.IsSuccess)
        {
            return opened.Error;
        }

        using var signer = opened.Value;
        var record = signer.Record;
        var now = time.GetUtcNow();
        var revoked = await db.IssuedCertificates.AsNoTracking()
            .Where(i => i.PrivateCaId == record.Id && i.Status == IssuedCertificateStatus.Revoked)
            .Select(i => new { i.SerialNumber, i.RevokedAt, i.RevocationReason })
            .ToListAsync(ct);

        var builder = new CertificateRevocationListBuilder();
        foreach (var entry in revoked)
        {
            var reason = entry.RevocationReason is { } r && r != (int)X509RevocationReason.Unspecified ? (X509RevocationReason?)r : null;
            builder.AddEntry(Convert.FromHexString(entry.SerialNumber), entry.RevokedAt ?? now, reason);
        }

        var nextUpdate = now + TimeSpan.FromDays(options.CrlValidityDays);
        if (record.NotAfter is { } caEnd && nextUpdate > caEnd)
        {
            nextUpdate = caEnd;
        }

        var akid = X509AuthorityKeyIdentifierExtension.CreateFromCertificate(signer.Certificate, includeKeyIdentifier: true, includeIssuerAndSerial: false);
        var number = record.NextCrlNumber;
        var crl = builder.Build(signer.Certificate.SubjectName, CertificateIssuer.SignatureGenerator(signer.Key), new BigInteger(number),
            nextUpdate, CertificateIssuer.SignatureHash(signer.Key), akid, now);

        record.NextCrlNumber = number + 1;
        record.CrlDer = crl;
        record.CrlThisUpdate = now;
        record.CrlNextUpdate = nextUpdate;
        db.Record(now, actor, "PrivateCa", record.Id.ToString(), "generate-crl", detail: $"CRL #{number}, {revoked.Count} revoked");
        await db.SaveChangesAsync(ct);
        LogCrl(logger, number, revoked.Count);
        return crl;
    }

    /// <summary>The stored CRL while it is fresh; a new one when there is none or its next update has passed.</summary>
    public async Task<Result<byte[]>> CurrentCrlAsync(CancellationToken ct)
    {
        var current = await ca.FindCurrentAsync(ct);
        if (current is { CrlDer: not null, CrlNextUpdate: { } next } && next > time.GetUtcNow())
        {
            return current.CrlDer;
        }

        return await GenerateCrlAsync(AuditLog.System, ct);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Private CA revoked serial {SerialNumber} ({Reason})")]
    private static partial void LogRevoked(ILogger logger, string serialNumber, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Private CA signed CRL number {CrlNumber} with {Count} revoked certificate(s)")]
    private static partial void LogCrl(ILogger logger, long crlNumber, int count);
}
