using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.Common;
using CertMgr.Core.PrivateCa;
using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Core.Acquisition.Backends;

/// <summary>The built-in private CA: issues at once (policy refusals are <see cref="CaOutcome.Failed"/>), revokes by serial.</summary>
public sealed class BuiltInCaBackend(CertMgrDbContext db, CaIssuance issuance, CaRevocation revocation, PrivateCaOptions options) : ICaBackend
{
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
        var ca = await db.PrivateCas.AsNoTracking().Where(c => c.IsCurrent).Select(c => new { c.CertificateDer, c.ChainPem }).SingleAsync(ct);
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

        return new CaOutcome.Issued(leaf.RawData, chain, CertificateSource.IssuedByPrivateCa, leaf.SerialNumber);
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
