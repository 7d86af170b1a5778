using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.Common;
using CertMgr.Core.PrivateCa;
using CertMgr.Core.Unattended;
using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Core.Acquisition.Backends;

/// <summary>The built-in private CA: issues at once (policy refusals are <see cref="CaOutcome.Failed"/>), revokes by serial.</summary>
public sealed class BuiltInCaBackend(CertMgrDbContext db, CaIssuance issuance, CaRevocation revocation, PrivateCaOptions options, CrashPoints crashPoints)
    : ICaBackend, ICaSubmissionRecovery
{
    /// <summary>The fault-injection point right after the ledger row is Valid, before the acquisition stores the certificate.</summary>
    public const string AfterIssue = "after-issue";

    public CaBackendKind Kind => CaBackendKind.BuiltInCa;

    public bool CanAutomate => true;

    public async Task<CaOutcome> SubmitAsync(CaSubmitRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var max = options.MaxServerValidityDays;
        var days = Math.Min(request.Product.MaxValidityDays > 0 ? request.Product.MaxValidityDays : max, max);
        var issued = await issuance.IssueForDefinitionAsync(request.Definition.Id, request.PublicKey, days, request.Actor, ct);
        if (!issued.IsSuccess)
        {
            return new CaOutcome.Failed(issued.Error);
        }

        using var leaf = issued.Value;
        crashPoints.Reached(AfterIssue);
        var chain = await ChainAsync(db.PrivateCas.Where(c => c.IsCurrent), ct);
        return new CaOutcome.Issued(leaf.RawData, chain, CertificateSource.IssuedByPrivateCa, leaf.SerialNumber);
    }

    /// <summary>The ledger's signed certificate for the request's key, issued since the submission (the oldest, if several).</summary>
    public async Task<CaOutcome.Issued?> FindIssuedAsync(CaRecoveryRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var rows = await db.IssuedCertificates.AsNoTracking()
            .Where(r => r.PublicKeySha256 == request.PublicKeySha256 && r.Profile == IssuedCertificateProfile.Server && r.Der != null)
            .Select(r => new { r.Der, r.SerialNumber, r.PrivateCaId, r.IssuedAt })
            .ToListAsync(ct);
        var row = rows.Where(r => r.IssuedAt >= request.SubmittedAt).OrderBy(r => r.IssuedAt).FirstOrDefault();
        if (row is null)
        {
            return null;
        }

        var chain = await ChainAsync(db.PrivateCas.Where(c => c.Id == row.PrivateCaId), ct);
        return new CaOutcome.Issued(row.Der!, chain, CertificateSource.IssuedByPrivateCa, row.SerialNumber);
    }

    private static async Task<List<byte[]>> ChainAsync(IQueryable<Data.Model.PrivateCa> which, CancellationToken ct)
    {
        var ca = await which.AsNoTracking().Select(c => new { c.CertificateDer, c.ChainPem }).SingleAsync(ct);
        var chain = new List<byte[]> { ca.CertificateDer! };
        if (!string.IsNullOrEmpty(ca.ChainPem))
        {
            var parents = new X509Certificate2Collection();
            parents.ImportFromPem(ca.ChainPem);
            foreach (var parent in parents)
            {
                using (parent)
                {
                    chain.Add(parent.RawData);
                }
            }
        }

        return chain;
    }

    public Task<CaOutcome> PollAsync(CaPollRequest request, CancellationToken ct) =>
        Task.FromResult<CaOutcome>(new CaOutcome.Failed(Error.Conflict("nothing-pending", "The built-in CA issues at once; there is no order to follow up.")));

    public async Task<Result> RevokeAsync(CaRevokeRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var revoked = await revocation.RevokeAsync(request.Certificate.SerialNumber, request.Reason, request.Actor, ct);
        return revoked.IsSuccess ? Result.Success() : revoked.Error;
    }
}
