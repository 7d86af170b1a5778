using CertMgr.Data.Model;

namespace CertMgr.Core.Acquisition.Backends;

/// <summary>What a backend is given to find what it issued for a submission that was interrupted before its answer was stored.</summary>
/// <param name="RequestId">The acquisition process.</param>
/// <param name="PublicKeySha256">SHA-256 of the request's SubjectPublicKeyInfo, upper-case hex.</param>
/// <param name="SubmittedAt">When the interrupted submission was put on record; the CA cannot have issued for it before.</param>
/// <param name="Product">The product, with its CA connection.</param>
public sealed record CaRecoveryRequest(Guid RequestId, string PublicKeySha256, DateTimeOffset SubmittedAt, Product Product);

/// <summary>
/// An optional capability of a CA backend: after a crash between the CA's answer and its storing, find the certificate
/// the CA already issued for the request, so that the retry takes it instead of asking for a second one.
/// </summary>
public interface ICaSubmissionRecovery
{
    /// <summary>The certificate issued for the request since the submission, or null when the CA issued none.</summary>
    Task<CaOutcome.Issued?> FindIssuedAsync(CaRecoveryRequest request, CancellationToken ct);
}
