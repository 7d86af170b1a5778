using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.Acquisition.Backends;
using CertMgr.Core.Audit;
using CertMgr.Core.Common;
using CertMgr.Core.Inventory;
using CertMgr.Core.Pki;
using CertMgr.Core.Pki.Reading;
using CertMgr.Core.PrivateCa;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Data.Secrets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using CertificateRequest = CertMgr.Data.Model.CertificateRequest;

namespace CertMgr.Core.Acquisition;

/// <summary>
/// Acquisition processes (guide 2.2, 4.3.2): New or Renewal from a definition, then key and CSR, product (submitted
/// to the product's CA backend: issued at once, pending at an automatable CA, or ordered by a person), order,
/// received certificate, switch to current. Each step is guarded by <see cref="AcquisitionFlow"/>, refused with a
/// reason, and recorded in the definition's history with the acting user.
/// </summary>
public sealed partial class AcquisitionService(
    CertMgrDbContext db,
    SecretProtector protector,
    CaBackends backends,
    TimeProvider time,
    ILogger<AcquisitionService> logger)
{
    public const int MaxOrderNumberLength = 100;
    public const int MaxNotesLength = 4000;

    /// <summary>The statuses of a process still going on.</summary>
    public static readonly RequestStatus[] OpenStatuses = AcquisitionFlow.OpenStatuses;

    /// <summary>A request with its definition, key, product, account and received certificate, tracked.</summary>
    public Task<CertificateRequest?> FindAsync(Guid requestId, CancellationToken ct) =>
        db.Requests
            .Include(r => r.Definition).ThenInclude(d => d.CurrentCertificate)
            .Include(r => r.PrivateKey)
            .Include(r => r.Product).ThenInclude(p => p!.CaConnection)
            .Include(r => r.ProviderAccount)
            .Include(r => r.Certificate)
            .AsSplitQuery()
            .SingleOrDefaultAsync(r => r.Id == requestId, ct);

    /// <summary>Starts a New or Renewal acquisition for a lifecycle-managed definition without an open one.</summary>
    public async Task<Result<CertificateRequest>> StartAsync(Guid definitionId, RequestKind kind, string actor, CancellationToken ct)
    {
        var definition = await db.Definitions.SingleOrDefaultAsync(d => d.Id == definitionId, ct);
        if (definition is null)
        {
            return Error.NotFound("definition-not-found", "No certificate definition has that id.");
        }

        if (definition.OperationMode != OperationMode.LifecycleManaged)
        {
            return new Error("definition-monitored-only", "The definition is monitored-only; switch it to lifecycle-managed to acquire certificates for it.");
        }

        if (kind == RequestKind.Renewal && definition.CurrentCertificateId is null)
        {
            return new Error("no-current-certificate", "A renewal needs a current certificate; start a New acquisition instead.");
        }

        var open = await db.Requests.AnyAsync(r => r.DefinitionId == definitionId && OpenStatuses.Contains(r.Status), ct);
        if (open)
        {
            return Error.Conflict("acquisition-open", "The definition already has an acquisition in progress; continue or cancel it first.");
        }

        var now = time.GetUtcNow();
        var request = new CertificateRequest { DefinitionId = definitionId, Kind = kind, Status = RequestStatus.Draft, CreatedAt = now, UpdatedAt = now };
        db.Requests.Add(request);
        DefinitionHistory.Record(db, now, actor, definitionId, AcquisitionActions.Start, $"{kind} acquisition {request.Id} started");
        await db.SaveChangesAsync(ct);
        LogStep(logger, definitionId, request.Id, AcquisitionActions.Start);
        request.Definition = definition;
        return request;
    }

    /// <summary>
    /// The key step: a new key of the definition's spec, the current certificate's key, or a chosen stored key of the
    /// same spec; then the CSR with the definition's DN and names, signed with it.
    /// </summary>
    public async Task<Result<CertificateRequest>> SetKeyAsync(Guid requestId, KeyChoice choice, Guid? keyId, string actor, CancellationToken ct)
    {
        var found = await FindAtAsync(requestId, AcquisitionStep.ChooseKey, ct);
        if (!found.IsSuccess)
        {
            return found.Error;
        }

        var request = found.Value;

        var definition = request.Definition;
        var spec = new KeySpec(definition.KeyAlgorithm, definition.KeySize);
        if (!IsSupported(spec))
        {
            return new Error("key-spec-invalid", $"The definition's key spec {spec.Name} is not supported; use one of {string.Join(", ", KeySpec.All.Select(s => s.Name))}.");
        }

        var now = time.GetUtcNow();
        PrivateKey stored;
        AsymmetricAlgorithm key;
        string detail;
        switch (choice)
        {
            case KeyChoice.New:
                key = spec.Generate();
                stored = SealedKeys.Seal(key, spec, PrivateKeySource.Generated, protector, now, $"{definition.CommonName} {now:yyyy-MM-dd}");
                db.PrivateKeys.Add(stored);
                detail = $"new {spec.Name} key generated";
                break;
            case KeyChoice.ReuseCurrent:
                var currentKeyId = definition.CurrentCertificate?.PrivateKeyId;
                if (currentKeyId is null)
                {
                    return new Error("current-key-missing", definition.CurrentCertificate is null
                        ? "The definition has no current certificate whose key could be reused; generate a new key."
                        : "CertMgr does not hold the current certificate's private key; generate a new key.");
                }

                return await ReuseAsync(request, currentKeyId.Value, spec, "current certificate's key reused", actor, ct);
            case KeyChoice.Reuse:
                if (keyId is null)
                {
                    return new Error("key-missing", "Choose the stored key to reuse.");
                }

                return await ReuseAsync(request, keyId.Value, spec, "stored key reused", actor, ct);
            default:
                return new Error("key-choice-invalid", "Choose new, reuse-current or reuse.");
        }

        using (key)
        {
            return await FinishKeyAsync(request, stored, key, spec, detail, actor, ct);
        }
    }

    private async Task<Result<CertificateRequest>> ReuseAsync(CertificateRequest request, Guid keyId, KeySpec spec, string detail, string actor, CancellationToken ct)
    {
        var stored = await db.PrivateKeys.SingleOrDefaultAsync(k => k.Id == keyId, ct);
        if (stored is null)
        {
            return Error.NotFound("key-not-found", "No stored private key has that id.");
        }

        if (stored.Algorithm != spec.Algorithm || stored.KeySize != spec.Size)
        {
            return new Error("key-spec-mismatch", $"The key is {new KeySpec(stored.Algorithm, stored.KeySize).Name}; the definition requires {spec.Name}.");
        }

        if (await db.PrivateCas.AnyAsync(c => c.PrivateKeyId == keyId, ct))
        {
            return new Error("key-not-allowed", "That key belongs to the private CA and cannot serve a server certificate.");
        }

        using var key = SealedKeys.Open(stored, protector);
        return await FinishKeyAsync(request, stored, key, spec, detail, actor, ct);
    }

    private async Task<Result<CertificateRequest>> FinishKeyAsync(
        CertificateRequest request, PrivateKey stored, AsymmetricAlgorithm key, KeySpec spec, string detail, string actor, CancellationToken ct)
    {
        var previous = request.PrivateKeyId;
        var now = time.GetUtcNow();
        request.PrivateKey = stored;
        request.PrivateKeyId = stored.Id;
        request.CsrDer = CsrBuilder.Build(request.Definition, key, spec);
        request.Status = AcquisitionFlow.Next(request.Status, AcquisitionStep.ChooseKey);
        request.UpdatedAt = now;
        DefinitionHistory.Record(db, now, actor, request.DefinitionId, AcquisitionActions.Key, $"{detail} ({stored.PublicKeySha256[..16]}); CSR created");
        if (previous is { } old && old != stored.Id)
        {
            await DropUnusedGeneratedKeyAsync(old, request.Id, ct);
        }

        await db.SaveChangesAsync(ct);
        LogStep(logger, request.DefinitionId, request.Id, AcquisitionActions.Key);
        return request;
    }

    // A key generated for this request and then replaced is never used; it should not linger in the key list.
    private async Task DropUnusedGeneratedKeyAsync(Guid keyId, Guid requestId, CancellationToken ct)
    {
        var key = await db.PrivateKeys.SingleOrDefaultAsync(k => k.Id == keyId && k.Source == PrivateKeySource.Generated, ct);
        if (key is null
            || await db.Certificates.AnyAsync(c => c.PrivateKeyId == keyId, ct)
            || await db.Requests.AnyAsync(r => r.PrivateKeyId == keyId && r.Id != requestId, ct)
            || await db.PrivateCas.AnyAsync(c => c.PrivateKeyId == keyId, ct))
        {
            return;
        }

        db.PrivateKeys.Remove(key);
    }

    /// <summary>The request's CSR as PEM.</summary>
    public async Task<Result<string>> CsrPemAsync(Guid requestId, CancellationToken ct)
    {
        var csr = await db.Requests.AsNoTracking().Where(r => r.Id == requestId).Select(r => new { r.CsrDer }).SingleOrDefaultAsync(ct);
        if (csr is null)
        {
            return NotFound();
        }

        return csr.CsrDer is null
            ? new Error("csr-missing", "The request has no CSR yet; choose its key first.")
            : CsrBuilder.ToPem(csr.CsrDer);
    }

    /// <summary>
    /// Chooses the product. Only a product that meets the definition's requirements is accepted; one of the built-in
    /// private CA issues at once and the process moves straight to Received.
    /// </summary>
    public async Task<Result<CertificateRequest>> ChooseProductAsync(Guid requestId, Guid productId, string actor, CancellationToken ct)
    {
        var found = await FindAtAsync(requestId, AcquisitionStep.ChooseProduct, ct);
        if (!found.IsSuccess)
        {
            return found.Error;
        }

        var request = found.Value;

        var product = await db.Products.Include(p => p.CaConnection).SingleOrDefaultAsync(p => p.Id == productId, ct);
        if (product is null)
        {
            return Error.NotFound("product-not-found", "No product has that id.");
        }

        if (ProductRequirements.WhyNot(request.Definition, product) is { } why)
        {
            return new Error("product-unsuitable", why);
        }

        var backend = backends.For(product);
        if (!backend.IsSuccess)
        {
            return backend.Error;
        }

        PublicKey publicKey;
        using (var key = SealedKeys.Open(request.PrivateKey!, protector))
        {
            publicKey = PublicKey.CreateFromSubjectPublicKeyInfo(key.ExportSubjectPublicKeyInfo(), out _);
        }

        var (submission, recovered) = await RecordSubmissionAsync(request, product, backend.Value, ct);
        var outcome = recovered ?? await backend.Value.SubmitAsync(new CaSubmitRequest(request.Id, request.Definition, request.CsrDer!, publicKey, product, actor), ct);
        if (outcome is CaOutcome.Failed failed)
        {
            // A refusal at submission changes nothing but the submission's record: the person picks another product or
            // fixes the definition.
            if (submission is not null)
            {
                submission.Status = SubmissionStatus.Failed;
                submission.ExternalId ??= failed.Reference;
                submission.Detail = failed.Error.Message;
                submission.CompletedAt = time.GetUtcNow();
                await db.SaveChangesAsync(ct);
            }

            return failed.Error;
        }

        var now = time.GetUtcNow();
        request.Product = product;
        request.ProductId = product.Id;
        request.InterruptReason = null;
        DefinitionHistory.Record(db, now, actor, request.DefinitionId, AcquisitionActions.Product, $"product {product.Provider} {product.Name} chosen");
        return await ApplyAsync(request, AcquisitionStep.ChooseProduct, outcome, actor, ct, submission);
    }

    /// <summary>
    /// Puts the submission on record (Pending) before an automatable CA is asked, so that a process killed while the CA
    /// works never asks twice: a submission left Pending without an answer by an earlier attempt is first looked up at
    /// the CA (<see cref="ICaSubmissionRecovery"/>), and the certificate it already issued for this request is taken
    /// instead of a second one. A manual product (no CA connection) has no submission.
    /// </summary>
    private async Task<(CaSubmission? Submission, CaOutcome? Recovered)> RecordSubmissionAsync(
        CertificateRequest request, Product product, ICaBackend backend, CancellationToken ct)
    {
        if (product.CaConnectionId is not { } connectionId)
        {
            return (null, null);
        }

        var now = time.GetUtcNow();
        var earlier = await db.CaSubmissions
            .Where(s => s.RequestId == request.Id && s.Status == SubmissionStatus.Pending && s.ExternalId == null)
            .OrderByDescending(s => s.SubmittedAt).FirstOrDefaultAsync(ct);
        if (earlier is not null)
        {
            if (earlier.CaConnectionId == connectionId && backend is ICaSubmissionRecovery recovery
                && await recovery.FindIssuedAsync(new CaRecoveryRequest(request.Id, request.PrivateKey!.PublicKeySha256, earlier.SubmittedAt, product), ct) is { } found)
            {
                LogRecovered(logger, request.DefinitionId, request.Id, found.Reference);
                return (earlier, found);
            }

            earlier.Status = SubmissionStatus.Failed;
            earlier.Detail = "Interrupted before the CA answered; submitted again.";
            earlier.CompletedAt = now;
        }

        var submission = new CaSubmission { RequestId = request.Id, CaConnectionId = connectionId, Status = SubmissionStatus.Pending, SubmittedAt = now };
        db.CaSubmissions.Add(submission);
        await db.SaveChangesAsync(ct); // on record before the CA is asked
        return (submission, null);
    }

    /// <summary>
    /// Stops an open process that cannot go on by itself (the unattended engine's entry point): Interrupted, with the
    /// reason a person reads. Continue it interactively, or <see cref="ResumeAsync"/> once the cause is fixed.
    /// </summary>
    public async Task<Result<CertificateRequest>> InterruptAsync(Guid requestId, string reason, string actor, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        var request = await FindAsync(requestId, ct);
        if (request is null)
        {
            return NotFound();
        }

        if (!AcquisitionFlow.IsOpen(request.Status))
        {
            return Error.Conflict("wrong-step", $"The acquisition is already {request.Status}; it cannot be interrupted.");
        }

        var now = time.GetUtcNow();
        request.Status = RequestStatus.Interrupted;
        request.InterruptReason = reason;
        request.UpdatedAt = now;
        DefinitionHistory.Record(db, now, actor, request.DefinitionId, AcquisitionActions.Interrupt, $"acquisition {request.Id} interrupted: {reason}").Outcome = "failure";
        await db.SaveChangesAsync(ct);
        LogStep(logger, request.DefinitionId, request.Id, AcquisitionActions.Interrupt);
        return request;
    }

    /// <summary>
    /// Takes an Interrupted process back to the step it stopped before: its key (no CSR yet), its product (a CSR, no
    /// certificate), or completing (a certificate received).
    /// </summary>
    public async Task<Result<CertificateRequest>> ResumeAsync(Guid requestId, string actor, CancellationToken ct)
    {
        var request = await FindAsync(requestId, ct);
        if (request is null)
        {
            return NotFound();
        }

        if (request.Status != RequestStatus.Interrupted)
        {
            return Error.Conflict("wrong-step", $"The acquisition is {request.Status}, not interrupted.");
        }

        var now = time.GetUtcNow();
        request.Status = request.Certificate is not null ? RequestStatus.Received
            : request.CsrDer is null ? RequestStatus.Draft
            : RequestStatus.KeyAndCsrReady;
        request.InterruptReason = null;
        request.UpdatedAt = now;
        DefinitionHistory.Record(db, now, actor, request.DefinitionId, AcquisitionActions.Resume, $"acquisition {request.Id} resumed at {request.Status}");
        await db.SaveChangesAsync(ct);
        LogStep(logger, request.DefinitionId, request.Id, AcquisitionActions.Resume);
        return request;
    }

    /// <summary>
    /// Follows up the order an automatable CA holds (status Ordered): issued → Received, still pending → unchanged,
    /// failed → Interrupted with the CA's reason.
    /// </summary>
    public async Task<Result<CertificateRequest>> PollAsync(Guid requestId, string actor, CancellationToken ct)
    {
        var found = await FindAtAsync(requestId, AcquisitionStep.Poll, ct);
        if (!found.IsSuccess)
        {
            return found.Error;
        }

        var request = found.Value;

        var submission = await db.CaSubmissions
            .Where(s => s.RequestId == request.Id && s.Status == SubmissionStatus.Pending && s.ExternalId != null)
            .OrderByDescending(s => s.SubmittedAt).FirstOrDefaultAsync(ct);
        if (submission is null || request.Product is null)
        {
            return Error.Conflict("nothing-pending", "No CA holds a pending order for this acquisition; record the order and upload the certificate.");
        }

        var backend = backends.For(request.Product);
        if (!backend.IsSuccess)
        {
            return backend.Error;
        }

        var outcome = await backend.Value.PollAsync(new CaPollRequest(request.Id, submission.ExternalId!, request.Product, actor), ct);
        return await ApplyAsync(request, AcquisitionStep.Poll, outcome, actor, ct);
    }

    /// <summary>Applies a CA's answer to a submission or poll: the certificate stored, the order recorded, or the reason.</summary>
    private async Task<Result<CertificateRequest>> ApplyAsync(
        CertificateRequest request, AcquisitionStep step, CaOutcome outcome, string actor, CancellationToken ct, CaSubmission? submitted = null)
    {
        var now = time.GetUtcNow();
        var connectionId = request.Product?.CaConnectionId;
        var pending = submitted ?? (connectionId is null || step == AcquisitionStep.ChooseProduct ? null : await db.CaSubmissions
            .Where(s => s.RequestId == request.Id && s.Status == SubmissionStatus.Pending)
            .OrderByDescending(s => s.SubmittedAt).FirstOrDefaultAsync(ct));
        CaSubmission Submission()
        {
            if (pending is null)
            {
                pending = new CaSubmission { RequestId = request.Id, CaConnectionId = connectionId!.Value, Status = SubmissionStatus.Pending, SubmittedAt = now };
                db.CaSubmissions.Add(pending);
            }

            return pending;
        }

        string action;
        string detail;
        switch (outcome)
        {
            case CaOutcome.Issued issued:
                var stored = StoreIssued(request, issued, now);
                if (connectionId is not null)
                {
                    var s = Submission();
                    s.Status = SubmissionStatus.Issued;
                    s.ExternalId ??= issued.Reference;
                    s.CompletedAt = now;
                }

                action = AcquisitionActions.Issued;
                detail = issued.Source == CertificateSource.IssuedByPrivateCa
                    ? $"issued by the built-in CA: serial {stored.SerialNumber}, valid until {stored.NotAfter:yyyy-MM-dd}"
                    : $"issued by {request.Product?.Provider}: serial {stored.SerialNumber}, valid until {stored.NotAfter:yyyy-MM-dd}";
                break;
            case CaOutcome.Pending { NeedsPerson: true } waiting:
                action = step == AcquisitionStep.Poll ? AcquisitionActions.Poll : AcquisitionActions.Product;
                detail = waiting.Detail;
                if (step == AcquisitionStep.ChooseProduct)
                {
                    // The product choice is already in the history; a manual product adds nothing more.
                    request.Status = AcquisitionFlow.Next(request.Status, step, outcome);
                    request.UpdatedAt = now;
                    await db.SaveChangesAsync(ct);
                    LogStep(logger, request.DefinitionId, request.Id, AcquisitionActions.Product);
                    return request;
                }

                break;
            case CaOutcome.Pending waiting:
                var order = Submission();
                order.ExternalId = waiting.OrderRef;
                order.Detail = waiting.Detail;
                action = step == AcquisitionStep.Poll ? AcquisitionActions.Poll : AcquisitionActions.Submitted;
                detail = $"order pending at the CA: {waiting.Detail}";
                break;
            case CaOutcome.Failed failed:
                if (connectionId is not null)
                {
                    var s = Submission();
                    s.Status = SubmissionStatus.Failed;
                    s.ExternalId ??= failed.Reference;
                    s.Detail = failed.Error.Message;
                    s.CompletedAt = now;
                }

                request.InterruptReason = failed.Error.Message;
                action = AcquisitionActions.Poll;
                detail = $"the CA failed the order: {failed.Error.Message}";
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "Unknown CA outcome.");
        }

        request.Status = AcquisitionFlow.Next(request.Status, step, outcome);
        request.UpdatedAt = now;
        DefinitionHistory.Record(db, now, actor, request.DefinitionId, action, detail);
        await db.SaveChangesAsync(ct);
        LogStep(logger, request.DefinitionId, request.Id, action);
        return request;
    }

    private Certificate StoreIssued(CertificateRequest request, CaOutcome.Issued issued, DateTimeOffset now)
    {
        using var leaf = X509CertificateLoader.LoadCertificate(issued.LeafDer);
        var chain = issued.ChainDer.Select(X509CertificateLoader.LoadCertificate).ToList();
        try
        {
            var certificate = InventoryRecords.NewCertificate(leaf, chain, request.DefinitionId, issued.Source, now, request.PrivateKeyId, request.Id);
            db.Certificates.Add(certificate);
            request.Certificate = certificate;
            return certificate;
        }
        finally
        {
            foreach (var c in chain)
            {
                c.Dispose();
            }
        }
    }

    /// <summary>Records the order placed with the product's provider: date, order number, account, notes.</summary>
    public async Task<Result<CertificateRequest>> RecordOrderAsync(Guid requestId, OrderDetails order, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(order);
        var found = await FindAtAsync(requestId, AcquisitionStep.RecordOrder, ct);
        if (!found.IsSuccess)
        {
            return found.Error;
        }

        var request = found.Value;

        var number = order.OrderNumber?.Trim();
        if (number is { Length: > MaxOrderNumberLength } || (number is not null && number.Any(char.IsControl)))
        {
            return new Error("order-number-invalid", $"The order number must be at most {MaxOrderNumberLength} printable characters.");
        }

        if (order.Notes is { Length: > MaxNotesLength })
        {
            return new Error("notes-too-long", $"Notes must be at most {MaxNotesLength} characters.");
        }

        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        if (order.OrderDate is { } date && (date > today.AddDays(1) || date < today.AddYears(-5)))
        {
            return new Error("order-date-invalid", "The order date must not be in the future or more than five years ago.");
        }

        if (order.ProviderAccountId is { } accountId && !await db.ProviderAccounts.AnyAsync(a => a.Id == accountId, ct))
        {
            return Error.NotFound("provider-account-not-found", "No provider account has that id.");
        }

        request.OrderDate = order.OrderDate ?? today;
        request.OrderNumber = string.IsNullOrEmpty(number) ? null : number;
        request.ProviderAccountId = order.ProviderAccountId;
        request.OrderNotes = string.IsNullOrWhiteSpace(order.Notes) ? null : order.Notes.Trim();
        request.Status = AcquisitionFlow.Next(request.Status, AcquisitionStep.RecordOrder);
        request.UpdatedAt = now;
        DefinitionHistory.Record(db, now, actor, request.DefinitionId, AcquisitionActions.Order,
            $"order recorded: {request.OrderDate:yyyy-MM-dd}{(request.OrderNumber is null ? "" : ", number " + request.OrderNumber)}");
        await db.SaveChangesAsync(ct);
        LogStep(logger, request.DefinitionId, request.Id, AcquisitionActions.Order);
        return request;
    }

    /// <summary>
    /// Receives the issued certificate and its intermediates in any format CertificateReader reads. Refused with the
    /// reason unless it carries the request's public key, covers the definition's names and is valid now.
    /// </summary>
    /// <param name="requestId">The acquisition.</param>
    /// <param name="data">The certificate file: PEM, DER, PKCS#7, PKCS#12 or JKS, with or without intermediates.</param>
    /// <param name="password">Password of a PKCS#12 or JKS file.</param>
    /// <param name="chain">Optional separate file with the intermediates.</param>
    /// <param name="actor">The acting user.</param>
    /// <param name="ct">Cancellation.</param>
    public async Task<Result<Certificate>> ReceiveAsync(Guid requestId, byte[] data, string? password, byte[]? chain, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(data);
        var found = await FindAtAsync(requestId, AcquisitionStep.Receive, ct);
        if (!found.IsSuccess)
        {
            return found.Error;
        }

        var request = found.Value;

        var read = CertificateReader.Read(data, new ReadOptions { Password = string.IsNullOrEmpty(password) ? null : password, ChainData = chain is { Length: > 0 } ? chain : null });
        if (!read.IsSuccess)
        {
            return read.Error;
        }

        using var bundle = read.Value;
        var now = time.GetUtcNow();
        var refusal = CheckReceived(request, bundle.Leaf, now);
        if (refusal is not null)
        {
            db.Record(now, actor, DefinitionHistory.ObjectType, request.DefinitionId.ToString(), AcquisitionActions.ReceiveRefused, success: false, detail: refusal.Message);
            await db.SaveChangesAsync(ct);
            return refusal;
        }

        var sha256 = Thumbprints.Sha256(bundle.Leaf);
        if (await db.Certificates.AnyAsync(c => c.DefinitionId == request.DefinitionId && c.Sha256 == sha256, ct))
        {
            return new Error("cert-already-stored", "This certificate is already stored for the definition; upload the newly issued one.");
        }

        var certificate = InventoryRecords.NewCertificate(bundle.Leaf, bundle.Chain, request.DefinitionId, CertificateSource.Received, now, request.PrivateKeyId, request.Id);
        db.Certificates.Add(certificate);
        request.Certificate = certificate;
        request.Status = AcquisitionFlow.Next(request.Status, AcquisitionStep.Receive);
        request.InterruptReason = null;
        request.UpdatedAt = now;
        DefinitionHistory.Record(db, now, actor, request.DefinitionId, AcquisitionActions.Receive,
            $"certificate received: serial {certificate.SerialNumber}, issuer {certificate.Issuer}, valid until {certificate.NotAfter:yyyy-MM-dd}");
        await db.SaveChangesAsync(ct);
        LogStep(logger, request.DefinitionId, request.Id, AcquisitionActions.Receive);
        return certificate;
    }

    /// <summary>Why a certificate does not answer the request, or null when it does.</summary>
    public static Error? CheckReceived(CertificateRequest request, X509Certificate2 leaf, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(leaf);
        if (request.PrivateKey is null)
        {
            return new Error("key-missing", "The request has no key; choose its key first.");
        }

        if (!string.Equals(Thumbprints.PublicKeySha256(leaf), request.PrivateKey.PublicKeySha256, StringComparison.Ordinal))
        {
            return new Error("cert-key-mismatch", "The certificate was not issued for this request's key: its public key differs from the CSR's. Upload the certificate issued for this CSR.");
        }

        var names = CertificateSummary.SansOf(leaf);
        if (names.Count == 0 && CertificateSummary.CommonNameOf(leaf.SubjectName) is { } cn)
        {
            names.Add(cn);
        }

        var missing = DefinitionNames.Missing(request.Definition, leaf, names);
        if (missing.Count > 0)
        {
            return new Error("cert-names-missing", $"The certificate does not cover {string.Join(", ", missing)} required by the definition.");
        }

        var notBefore = new DateTimeOffset(leaf.NotBefore.ToUniversalTime(), TimeSpan.Zero);
        var notAfter = new DateTimeOffset(leaf.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        if (now < notBefore)
        {
            return new Error("cert-not-yet-valid", $"The certificate is not valid before {notBefore:yyyy-MM-dd HH:mm} UTC.");
        }

        return now > notAfter ? new Error("cert-expired", $"The certificate expired on {notAfter:yyyy-MM-dd HH:mm} UTC.") : null;
    }

    /// <summary>Makes the received certificate the definition's current one and completes the process.</summary>
    public async Task<Result<CertificateRequest>> CompleteAsync(Guid requestId, string actor, CancellationToken ct)
    {
        var found = await FindAtAsync(requestId, AcquisitionStep.Complete, ct);
        if (!found.IsSuccess)
        {
            return found.Error;
        }

        var request = found.Value;

        var certificate = request.Certificate!;
        var now = time.GetUtcNow();
        request.Definition.CurrentCertificateId = certificate.Id;
        request.Definition.UpdatedAt = now;
        request.Status = AcquisitionFlow.Next(request.Status, AcquisitionStep.Complete);
        request.CompletedAt = now;
        request.UpdatedAt = now;
        DefinitionHistory.Record(db, now, actor, request.DefinitionId, AcquisitionActions.Complete,
            $"certificate {certificate.SerialNumber} is now current (valid until {certificate.NotAfter:yyyy-MM-dd})");
        await db.SaveChangesAsync(ct);
        LogStep(logger, request.DefinitionId, request.Id, AcquisitionActions.Complete);
        return request;
    }

    /// <summary>Cancels a process that has not completed.</summary>
    public async Task<Result<CertificateRequest>> CancelAsync(Guid requestId, string actor, CancellationToken ct)
    {
        var found = await FindAtAsync(requestId, AcquisitionStep.Cancel, ct);
        if (!found.IsSuccess)
        {
            return found.Error;
        }

        var request = found.Value;

        var now = time.GetUtcNow();
        request.Status = AcquisitionFlow.Next(request.Status, AcquisitionStep.Cancel);
        request.UpdatedAt = now;
        request.CompletedAt = now;
        DefinitionHistory.Record(db, now, actor, request.DefinitionId, AcquisitionActions.Cancel, $"{request.Kind} acquisition cancelled");
        await db.SaveChangesAsync(ct);
        LogStep(logger, request.DefinitionId, request.Id, AcquisitionActions.Cancel);
        return request;
    }

    /// <summary>The stored keys a request may reuse: the definition's key spec, not the CA's.</summary>
    public Task<List<PrivateKey>> ReusableKeysAsync(CertificateDefinition definition, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var caKeys = db.PrivateCas.Select(c => c.PrivateKeyId);
        return db.PrivateKeys.AsNoTracking()
            .Where(k => k.Algorithm == definition.KeyAlgorithm && k.KeySize == definition.KeySize && !caKeys.Contains(k.Id))
            .Where(k => db.Certificates.Any(c => c.DefinitionId == definition.Id && c.PrivateKeyId == k.Id)
                || db.Requests.Any(r => r.DefinitionId == definition.Id && r.PrivateKeyId == k.Id))
            .OrderByDescending(k => k.CreatedAt).Take(50).ToListAsync(ct);
    }

    private static bool IsSupported(KeySpec spec) =>
        KeySpec.All.Contains(spec) || spec == new KeySpec(KeyAlgorithm.Ecdsa, 521);

    private static Error NotFound() => Error.NotFound("request-not-found", "No acquisition process has that id.");

    /// <summary>The request, when it exists and the step may be taken in its status.</summary>
    private async Task<Result<CertificateRequest>> FindAtAsync(Guid requestId, AcquisitionStep step, CancellationToken ct)
    {
        var request = await FindAsync(requestId, ct);
        if (request is null)
        {
            return NotFound();
        }

        if (AcquisitionFlow.Guard(request.Status, step) is { } wrong)
        {
            return wrong;
        }

        return request;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Acquisition {RequestId} of definition {DefinitionId}: the CA had already issued {Reference} for an interrupted submission; taken instead of a second certificate")]
    private static partial void LogRecovered(ILogger logger, Guid definitionId, Guid requestId, string reference);

    [LoggerMessage(Level = LogLevel.Information, Message = "Acquisition {RequestId} of definition {DefinitionId}: {Step}")]
    private static partial void LogStep(ILogger logger, Guid definitionId, Guid requestId, string step);
}
