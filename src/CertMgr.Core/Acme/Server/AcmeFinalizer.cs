using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.Acme.Client;
using CertMgr.Core.Common;
using CertMgr.Core.Inventory;
using CertMgr.Core.PrivateCa;
using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace CertMgr.Core.Acme.Server;

/// <summary>
/// finalize (RFC 8555 7.4): the CSR is checked (names equal to the order's, an acceptable key that is not the account
/// key); a refused CSR is badCSR and changes nothing. Then issuance by the built-in CA and the record in the inventory
/// are one step: the order ends valid with its certificate, or on any failure invalid with a problem document (and the
/// exception logged), never left processing.
/// </summary>
public sealed partial class AcmeFinalizer(
    CertMgrDbContext db, AcmeOrders orders, CaIssuance issuance, AcmeInventory inventory, AcmeServerSettings settings, TimeProvider time, ILogger<AcmeFinalizer> logger)
{
    public async Task<Result<AcmeReply>> FinalizeAsync(AcmeUrls urls, AcmeRequest request, Guid orderId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(urls);
        ArgumentNullException.ThrowIfNull(request);
        var loaded = await orders.LoadOrderAsync(request, orderId, ct);
        if (!loaded.IsSuccess)
        {
            return loaded.Error;
        }

        var order = loaded.Value;
        await orders.RefreshAsync(order, ct);
        if (order.Status != AcmeServerStatus.Ready)
        {
            return AcmeProblems.OrderNotReady($"The order is {AcmeRender.StatusName(order.Status)}, not ready.");
        }

        var payload = request.Message.PayloadObject();
        if (!payload.IsSuccess)
        {
            return payload.Error;
        }

        byte[] der;
        try
        {
            der = Base64Url.Decode((string?)payload.Value["csr"] ?? throw new FormatException());
        }
        catch (FormatException)
        {
            return AcmeProblems.Malformed("csr must be a base64url DER PKCS#10 request.");
        }

        // The order's profile sets the validity (within the CA's maximum for server certificates).
        var days = Math.Min((await settings.EffectiveAsync(ct)).DaysOf(order.Profile), settings.MaxCertificateDays);
        var read = CsrReader.Read(der, IssuedCertificateProfile.Server, TimeSpan.FromDays(days));
        if (!read.IsSuccess)
        {
            return AcmeProblems.BadCsr(read.Error!.Message);
        }

        var checkedCsr = Check(read.Value, order, request.Key);
        if (!checkedCsr.IsSuccess)
        {
            return checkedCsr.Error;
        }

        var outcome = await IssueAndRecordAsync(order, checkedCsr.Value, request.Account!, ct);
        if (!outcome.IsSuccess)
        {
            return outcome.Error;
        }

        return new AcmeReply(200, AcmeRender.Order(urls, outcome.Value), urls.Order(order.Id));
    }

    private static Result<IssuanceRequest> Check(IssuanceRequest csr, AcmeServerOrder order, AcmeJwk accountKey)
    {
        var names = new SortedSet<string>(csr.Names.Select(AcmeNames.Normalize), StringComparer.Ordinal);
        if (!names.SetEquals(order.Identifiers))
        {
            return AcmeProblems.BadCsr($"The CSR names ({string.Join(", ", names)}) are not the order's ({string.Join(", ", order.Identifiers)}).");
        }

        var cn = csr.Subject.EnumerateRelativeDistinguishedNames().Where(r => r.GetSingleElementType().Value == "2.5.4.3")
            .Select(r => AcmeNames.Normalize(r.GetSingleElementValue() ?? "")).LastOrDefault();
        if (cn is not null && !names.Contains(cn))
        {
            return AcmeProblems.BadCsr($"The CSR's common name {cn} is not one of the order's names.");
        }

        var keyProblem = KeyProblem(csr.PublicKey);
        if (keyProblem is not null)
        {
            return AcmeProblems.BadCsr(keyProblem);
        }

        if (csr.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(accountKey.SubjectPublicKeyInfo))
        {
            return AcmeProblems.BadCsr("The CSR's key is the account key; use another key for the certificate.");
        }

        // The subject is made here, not copied: CN = the CSR's CN when it is an order name, else the first name.
        var dn = new X500DistinguishedNameBuilder();
        dn.AddCommonName(cn ?? order.Identifiers.FirstOrDefault(n => !n.StartsWith("*.", StringComparison.Ordinal)) ?? order.Identifiers[0]);
        return csr with { Subject = dn.Build(), Names = [.. order.Identifiers] };
    }

    private static string? KeyProblem(PublicKey key)
    {
        using var rsa = key.GetRSAPublicKey();
        if (rsa is not null)
        {
            return rsa.KeySize is < 2048 or > 8192 ? $"An RSA key of {rsa.KeySize} bits is not acceptable (2048 to 8192)." : null;
        }

        using var ec = key.GetECDsaPublicKey();
        if (ec is not null)
        {
            return ec.KeySize is 256 or 384 ? null : $"An EC key of {ec.KeySize} bits is not acceptable (P-256 or P-384).";
        }

        return "Only RSA and EC keys are acceptable.";
    }

    private async Task<Result<AcmeServerOrder>> IssueAndRecordAsync(AcmeServerOrder order, IssuanceRequest request, AcmeServerAccount account, CancellationToken ct)
    {
        var actor = $"acme:{account.Id:N}";
        try
        {
            // Saved together with the ledger row by the issuance; the catch below ends it either way.
            order.Status = AcmeServerStatus.Processing;
            order.UpdatedAt = time.GetUtcNow();
            var issued = await issuance.IssueAsync(request, actor, ct);
            if (!issued.IsSuccess)
            {
                if (issued.Error!.Kind == ErrorKind.Validation)
                {
                    // A policy refusal is before the ledger: nothing was signed or saved.
                    order.Status = AcmeServerStatus.Ready;
                    return AcmeProblems.BadCsr(issued.Error.Message);
                }

                return await FailAsync(order.Id, AcmeProblems.ServerInternal("The CA could not issue: " + issued.Error.Message), null, ct);
            }

            using var leaf = issued.Value;
            await inventory.RecordAsync(order, leaf, account, actor, ct);
            LogIssued(logger, order.Id, leaf.SerialNumber);
            return order;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return await FailAsync(order.Id, AcmeProblems.ServerInternal("Issuance failed; the order is invalid. Place a new order."), ex, CancellationToken.None);
        }
    }

    private async Task<Result<AcmeServerOrder>> FailAsync(Guid orderId, Error problem, Exception? ex, CancellationToken ct)
    {
        LogFailed(logger, orderId, problem.Message, ex);
        db.ChangeTracker.Clear();
        var order = await db.AcmeServerOrders.Include(o => o.Authorizations).ThenInclude(a => a.Challenges).SingleAsync(o => o.Id == orderId, ct);
        order.Status = AcmeServerStatus.Invalid;
        order.ErrorJson = AcmeProblems.Document(problem).ToJsonString();
        order.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return order;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "ACME server: order {OrderId} issued serial {SerialNumber}")]
    private static partial void LogIssued(ILogger logger, Guid orderId, string serialNumber);

    [LoggerMessage(Level = LogLevel.Error, Message = "ACME server: finalize of order {OrderId} failed, order invalid: {Reason}")]
    private static partial void LogFailed(ILogger logger, Guid orderId, string reason, Exception? exception);
}

/// <summary>
/// Issued certificates in the inventory: a definition (monitored only, tagged <c>acme-issued</c>) per set of names, the
/// certificate its new current one, in one transaction with the order becoming valid.
/// </summary>
public sealed class AcmeInventory(CertMgrDbContext db, CaSignerCache signers, PrivateCaService ca, TimeProvider time)
{
    public const string Tag = "acme-issued";

    public async Task RecordAsync(AcmeServerOrder order, X509Certificate2 leaf, AcmeServerAccount account, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(leaf);
        ArgumentNullException.ThrowIfNull(account);
        var signer = await signers.GetAsync(db, ca, ct);
        var chain = signer.IsSuccess ? new[] { signer.Value.Certificate } : [];
        var now = time.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var sans = new SortedSet<string>(order.Identifiers, StringComparer.OrdinalIgnoreCase);
        var cn = CertMgr.Core.Pki.Reading.CertificateSummary.CommonNameOf(leaf.SubjectName) ?? order.Identifiers[0];
        var candidates = await db.Definitions.Where(d => d.CommonName == cn).ToListAsync(ct);
        var definition = candidates.FirstOrDefault(d => d.Tags.Contains(Tag) && sans.SetEquals(d.SubjectAlternativeNames));
        var created = definition is null;
        if (definition is null)
        {
            definition = InventoryRecords.NewDefinitionFrom(leaf, OperationMode.MonitoredOnly, now);
            definition.Tags = [Tag];
            definition.MonitoringEnabled = false;
            definition.Notes = $"Issued by CertMgr's ACME server to account {account.Id:N}.";
            db.Definitions.Add(definition);
        }

        var row = InventoryRecords.NewCertificate(leaf, chain, definition.Id, CertificateSource.Acme, now);
        db.Certificates.Add(row);
        DefinitionHistory.Record(db, now, actor, definition.Id, created ? "acme-issued" : "acme-renewed", $"serial {leaf.SerialNumber}");
        await db.SaveChangesAsync(ct);
        definition.CurrentCertificateId = row.Id;
        definition.UpdatedAt = now;
        order.CertificateId = row.Id;
        order.CertificateSerial = leaf.SerialNumber;
        order.DefinitionId = definition.Id;
        order.Status = AcmeServerStatus.Valid;
        order.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }
}
