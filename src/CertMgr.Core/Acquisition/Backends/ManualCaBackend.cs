using CertMgr.Core.Common;

namespace CertMgr.Core.Acquisition.Backends;

/// <summary>
/// A commercial CA ordered by hand: submitting only records that a person must place the order (and later record it
/// and upload the certificate); nothing can be polled or revoked from here.
/// </summary>
public sealed class ManualCaBackend : ICaBackend
{
    public CaBackendKind Kind => CaBackendKind.Manual;

    public bool CanAutomate => false;

    public Task<CaOutcome> SubmitAsync(CaSubmitRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Task.FromResult<CaOutcome>(new CaOutcome.Pending(null, null,
            $"Order {request.Product.Provider} {request.Product.Name} with the request's CSR, record the order, then upload the issued certificate."));
    }

    public Task<CaOutcome> PollAsync(CaPollRequest request, CancellationToken ct) =>
        Task.FromResult<CaOutcome>(new CaOutcome.Pending(null, null, "A manual order is finished by uploading the issued certificate."));

    public Task<Result> RevokeAsync(CaRevokeRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var where = request.Product is { } p ? $"{p.Provider}'s site" : "the issuing CA's site";
        return Task.FromResult<Result>(new Error("revoke-manual", $"CertMgr cannot revoke certificates ordered by hand; revoke it on {where}."));
    }
}
