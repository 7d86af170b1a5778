using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.Acme.Client;
using CertMgr.Core.Common;
using CertMgr.Core.Inventory;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Data.Secrets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace CertMgr.Core.Acquisition.Backends;

/// <summary>
/// Any RFC 8555 CA: submit places an order for the definition's names (a renewal names the certificate it replaces
/// where the CA offers ARI), answers the challenges and finalizes with the request's CSR; it returns Issued when the
/// CA is done within the step's wait, else Pending with the order URL, which poll continues. The ARI window of each
/// issued certificate is stored for renewal timing. HTTP-01 answers go onto the target server over SSH where the
/// definition's auto-install settings name a web root (<see cref="SshChallengeFiles"/>), else to CertMgr's responder.
/// A failure after the order exists carries the order URL, so the submission record names it.
/// </summary>
public sealed partial class AcmeCaBackend(CertMgrDbContext db, SecretProtector protector, AcmeOrderFlow flow, AcmeRenewalWindows windows, TimeProvider time, ILogger<AcmeCaBackend> logger) : ICaBackend
{
    public CaBackendKind Kind => CaBackendKind.Acme;

    public bool CanAutomate => true;

    public async Task<CaOutcome> SubmitAsync(CaSubmitRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var opened = await OpenAsync(request.Product, ct);
        if (!opened.IsSuccess)
        {
            return new CaOutcome.Failed(opened.Error);
        }

        using var session = opened.Value;
        await using var files = await ChallengeFilesAsync(session, request.Definition.Id, ct);
        var replaces = await ReplacesAsync(session, request, ct);
        var order = await session.Client.NewOrderAsync(DefinitionNames.Of(request.Definition), request.Product.Template, replaces, ct);
        if (!order.IsSuccess)
        {
            return new CaOutcome.Failed(order.Error);
        }

        LogOrder(logger, request.RequestId, order.Value.Url?.AbsoluteUri ?? "", replaces ?? "none");
        var progress = await flow.ContinueAsync(session, order.Value, request.Csr, ct);
        return await OutcomeAsync(session, progress, order.Value.Url, ct);
    }

    public async Task<CaOutcome> PollAsync(CaPollRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!Uri.TryCreate(request.OrderRef, UriKind.Absolute, out var orderUrl))
        {
            return new CaOutcome.Failed(new Error("acme-order-ref-invalid", "The pending order's reference is not an ACME order URL."));
        }

        var csr = await db.Requests.AsNoTracking().Where(r => r.Id == request.RequestId).Select(r => r.CsrDer).SingleOrDefaultAsync(ct);
        if (csr is null)
        {
            return new CaOutcome.Failed(new Error("csr-missing", "The request has no CSR to finalize the order with."));
        }

        var opened = await OpenAsync(request.Product, ct);
        if (!opened.IsSuccess)
        {
            return new CaOutcome.Failed(opened.Error);
        }

        using var session = opened.Value;
        var definitionId = await db.Requests.AsNoTracking().Where(r => r.Id == request.RequestId).Select(r => r.DefinitionId).SingleAsync(ct);
        await using var files = await ChallengeFilesAsync(session, definitionId, ct);
        var order = await session.Client.OrderAsync(orderUrl, ct);
        if (!order.IsSuccess)
        {
            return new CaOutcome.Failed(order.Error) { Reference = orderUrl.AbsoluteUri };
        }

        return await OutcomeAsync(session, await flow.ContinueAsync(session, order.Value, csr, ct), orderUrl, ct);
    }

    public async Task<Result> RevokeAsync(CaRevokeRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Product is null)
        {
            return new Error("revoke-no-product", "The certificate's product is unknown, so CertMgr does not know which ACME CA to ask.");
        }

        var opened = await OpenAsync(request.Product, ct);
        if (!opened.IsSuccess)
        {
            return opened.Error;
        }

        using var session = opened.Value;
        return await session.Client.RevokeAsync(request.Certificate.Der, (int)request.Reason, ct);
    }

    /// <summary>Opens the product's ACME connection with its account (registered on first use and saved).</summary>
    private async Task<Result<AcmeSession>> OpenAsync(Product product, CancellationToken ct)
    {
        var connection = product.CaConnection ?? await db.CaConnections.SingleOrDefaultAsync(c => c.Id == product.CaConnectionId, ct);
        if (connection is null)
        {
            return new Error("ca-connection-missing", $"The product {product.Name} has no CA connection.");
        }

        var opened = AcmeSession.Open(connection, protector, time);
        if (!opened.IsSuccess)
        {
            return opened.Error;
        }

        var session = opened.Value;
        var account = await session.EnsureAccountAsync(false, time, ct);
        if (session.Changed)
        {
            await SaveConnectionAsync(connection, ct);
        }

        if (!account.IsSuccess)
        {
            session.Dispose();
            return account.Error;
        }

        return session;
    }

    private async Task SaveConnectionAsync(CaConnection connection, CancellationToken ct)
    {
        if (db.Entry(connection).State == EntityState.Detached)
        {
            db.CaConnections.Attach(connection);
            db.Entry(connection).Property(c => c.SettingsJson).IsModified = true;
            db.Entry(connection).Property(c => c.EncryptedSecret).IsModified = true;
        }

        await db.SaveChangesAsync(ct);
    }

    /// <summary>The ARI id of the certificate a renewal replaces, when the CA offers ARI (RFC 9773 5).</summary>
    private async Task<string?> ReplacesAsync(AcmeSession session, CaSubmitRequest request, CancellationToken ct)
    {
        var kind = await db.Requests.AsNoTracking().Where(r => r.Id == request.RequestId).Select(r => (RequestKind?)r.Kind).SingleOrDefaultAsync(ct);
        if (kind != RequestKind.Renewal || request.Definition.CurrentCertificateId is not { } currentId)
        {
            return null;
        }

        var directory = await session.Client.DirectoryAsync(ct);
        if (!directory.IsSuccess || directory.Value.RenewalInfo is null)
        {
            return null;
        }

        var der = await db.Certificates.AsNoTracking().Where(c => c.Id == currentId && c.Source == CertificateSource.Acme).Select(c => c.Der).SingleOrDefaultAsync(ct);
        if (der is null)
        {
            return null;
        }

        using var current = X509CertificateLoader.LoadCertificate(der);
        return AcmeClient.RenewalId(current);
    }

    /// <summary>
    /// HTTP-01 files on the target server over SSH when the definition's auto-install settings name a web root (the
    /// tracked settings: a host key pinned at this first login is saved with the acquisition step), else null: CertMgr's
    /// own responder answers.
    /// </summary>
    private async Task<SshChallengeFiles?> ChallengeFilesAsync(AcmeSession session, Guid definitionId, CancellationToken ct)
    {
        if (session.Settings.Challenge != AcmeChallengeType.Http01)
        {
            return null;
        }

        var settings = await db.SshInstallSettings.SingleOrDefaultAsync(s => s.DefinitionId == definitionId, ct);
        if (!SshChallengeFiles.Applies(settings))
        {
            return null;
        }

        session.Http01Files = new SshChallengeFiles(settings!, protector, time);
        return session.Http01Files;
    }

    private async Task<CaOutcome> OutcomeAsync(AcmeSession session, Result<AcmeProgress> progress, Uri? orderUrl, CancellationToken ct)
    {
        if (!progress.IsSuccess)
        {
            // Past the new order, the record keeps the order URL beside the CA's problem.
            return new CaOutcome.Failed(progress.Error) { Reference = orderUrl?.AbsoluteUri };
        }

        var p = progress.Value;
        if (p.Chain is not { } chain)
        {
            return new CaOutcome.Pending(p.Order.Url!.AbsoluteUri, p.PollAfter, p.Detail);
        }

        using (var leaf = X509CertificateLoader.LoadCertificate(chain.Certificates[0]))
        {
            // The window is advice: a CA without ARI, or one that fails to answer, leaves renewal to the lead time.
            await windows.RefreshAsync(session, leaf, ct);
        }

        return new CaOutcome.Issued(chain.Certificates[0], [.. chain.Certificates.Skip(1)], CertificateSource.Acme, p.Order.Url!.AbsoluteUri);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "ACME order {OrderUrl} placed for request {RequestId}; replaces (ARI) {Replaces}")]
    private static partial void LogOrder(ILogger logger, Guid requestId, string orderUrl, string replaces);
}
