using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.Common;
using CertMgr.Data.Model;

namespace CertMgr.Core.Acquisition.Backends;

/// <summary>Which kind of CA a product is bought from; chosen by the product's CA connection (none: manual).</summary>
public enum CaBackendKind
{
    /// <summary>A commercial CA or reseller a person orders from by hand.</summary>
    Manual,

    /// <summary>CertMgr's own private CA.</summary>
    BuiltInCa,

    /// <summary>Any RFC 8555 CA.</summary>
    Acme,

    /// <summary>Microsoft Active Directory Certificate Services.</summary>
    MicrosoftAdcs,
}

/// <summary>What a CA backend is given to obtain a certificate for an acquisition.</summary>
/// <param name="RequestId">The acquisition process.</param>
/// <param name="Definition">The definition the certificate is for (names, DN).</param>
/// <param name="Csr">The request's CSR (DER), signed with its key.</param>
/// <param name="PublicKey">The request's public key (the CSR's).</param>
/// <param name="Product">The product chosen, with its CA connection.</param>
/// <param name="Actor">The acting user, for the CA's own records.</param>
public sealed record CaSubmitRequest(Guid RequestId, CertificateDefinition Definition, byte[] Csr, PublicKey PublicKey, Product Product, string Actor);

/// <summary>What a backend is given to follow up a pending order.</summary>
/// <param name="RequestId">The acquisition process.</param>
/// <param name="OrderRef">The CA's handle returned by <see cref="CaOutcome.Pending"/> (ACME order URL, AD CS request id).</param>
/// <param name="Product">The product, with its CA connection.</param>
/// <param name="Actor">The acting user.</param>
public sealed record CaPollRequest(Guid RequestId, string OrderRef, Product Product, string Actor);

/// <summary>What a backend is given to revoke a certificate it issued.</summary>
public sealed record CaRevokeRequest(Certificate Certificate, Product? Product, X509RevocationReason Reason, string Actor);

/// <summary>The answer of a CA to a submission or a poll.</summary>
public abstract record CaOutcome
{
    private CaOutcome()
    {
    }

    /// <summary>The certificate (DER) and the chain above it, leaf side first.</summary>
    /// <param name="LeafDer">The issued certificate.</param>
    /// <param name="ChainDer">Intermediates and root as the CA sent them, leaf side first.</param>
    /// <param name="Source">How the inventory records where it came from.</param>
    /// <param name="Reference">The CA's handle for it (serial, order URL), recorded with the submission.</param>
    public sealed record Issued(byte[] LeafDer, IReadOnlyList<byte[]> ChainDer, CertificateSource Source, string Reference) : CaOutcome;

    /// <summary>
    /// Not issued yet. With an <paramref name="OrderRef"/> the CA is working on it and <see cref="ICaBackend.PollAsync"/>
    /// follows it up (no sooner than <paramref name="PollAfter"/>); without one a person must act (order by hand and
    /// receive the certificate), and <paramref name="Detail"/> says what.
    /// </summary>
    public sealed record Pending(string? OrderRef, TimeSpan? PollAfter, string Detail) : CaOutcome
    {
        /// <summary>Whether a person must act before anything more happens.</summary>
        public bool NeedsPerson => OrderRef is null;
    }

    /// <summary>The CA refused or could not be reached; nothing was issued.</summary>
    public sealed record Failed(Error Error) : CaOutcome
    {
        /// <summary>The CA's handle for what failed (e.g. the ACME order URL) when it got that far; recorded with the submission.</summary>
        public string? Reference { get; init; }
    }
}

/// <summary>
/// The CA-backend seam: one implementation per kind of CA (built-in, manual, ACME, ...), chosen by the product's CA
/// connection. The acquisition flow (<see cref="AcquisitionFlow"/>, <see cref="AcquisitionService"/>) is the same for
/// all: submit → Issued, or Pending → poll → Issued, or Failed.
/// </summary>
public interface ICaBackend
{
    CaBackendKind Kind { get; }

    /// <summary>Whether the backend obtains certificates without a person (the unattended engine needs this).</summary>
    bool CanAutomate { get; }

    /// <summary>Sends the request to the CA. Never throws for a CA's refusal: that is <see cref="CaOutcome.Failed"/>.</summary>
    Task<CaOutcome> SubmitAsync(CaSubmitRequest request, CancellationToken ct);

    /// <summary>Follows up an order the CA answered with <see cref="CaOutcome.Pending"/> and an order reference.</summary>
    Task<CaOutcome> PollAsync(CaPollRequest request, CancellationToken ct);

    /// <summary>Revokes a certificate this CA issued.</summary>
    Task<Result> RevokeAsync(CaRevokeRequest request, CancellationToken ct);
}
