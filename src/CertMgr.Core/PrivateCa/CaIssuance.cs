using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.Audit;
using CertMgr.Core.Common;
using CertMgr.Core.Inventory;
using CertMgr.Core.Pki;
using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace CertMgr.Core.PrivateCa;

/// <summary>
/// Issuance with the current CA, safe the way public CAs make it safe: the request is checked against policy, then the
/// serial and the intended certificate are committed to the ledger as Pending, then the certificate is signed, then
/// its DER is stored and the row marked Valid. Nothing signed is ever off the record; a Pending row without DER is a
/// signing that was interrupted.
/// </summary>
public sealed partial class CaIssuance(
    CertMgrDbContext db,
    PrivateCaService ca,
    CaSignerCache signers,
    PrivateCaOptions options,
    TimeProvider time,
    ILogger<CaIssuance> logger)
{
    /// <summary>The largest batch one call (or one API request) issues.</summary>
    public const int MaxBatch = 1000;

    /// <summary>Checks, records, signs and completes one certificate with the current CA.</summary>
    public async Task<Result<X509Certificate2>> IssueAsync(IssuanceRequest request, string actor, CancellationToken ct)
    {
        var signer = await signers.GetAsync(db, ca, ct);
        return signer.IsSuccess ? await IssueAsync(signer.Value, request, actor, ct) : signer.Error;
    }

    /// <summary>The same, with a signer the caller keeps open across many certificates (two writes per certificate).</summary>
    public async Task<Result<X509Certificate2>> IssueAsync(CaSigner signer, IssuanceRequest request, string actor, CancellationToken ct)
    {
        var der = await IssueDerAsync(signer, request, actor, ct);
        return der.IsSuccess ? X509CertificateLoader.LoadCertificate(der.Value) : der.Error;
    }

    /// <summary>
    /// The issuance path itself, returning the certificate's DER: policy check, ledger row (Pending) committed,
    /// signature, DER stored and row marked Valid.
    /// </summary>
    public async Task<Result<byte[]>> IssueDerAsync(CaSigner signer, IssuanceRequest request, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        return (await IssueDerManyAsync(signer, [Result<IssuanceRequest>.Success(request)], actor, ct))[0];
    }

    /// <summary>
    /// The same for many requests at once, the way <c>openssl ca -infiles</c> works through a batch: every request is
    /// checked against policy (a refused one gets its error and no ledger row), the accepted ones are committed to the
    /// ledger as Pending in one transaction, then signed, then their DER stored in a second transaction. The results
    /// are in the order of the requests. Single issuance is this path with one request.
    /// </summary>
    public async Task<IReadOnlyList<Result<byte[]>>> IssueDerManyAsync(
        CaSigner signer, IReadOnlyList<Result<IssuanceRequest>> requests, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(signer);
        ArgumentNullException.ThrowIfNull(requests);
        var now = time.GetUtcNow();
        var results = new Result<byte[]>[requests.Count];
        var accepted = new List<(int Index, IssuanceRequest Request, IssuancePlan Plan, IssuedCertificate Row)>(requests.Count);
        for (var i = 0; i < requests.Count; i++)
        {
            var read = requests[i];
            if (!read.IsSuccess)
            {
                results[i] = read.Error;
                continue;
            }

            var request = read.Value;
            var checkedPlan = IssuancePolicy.Check(request, options, signer.Certificate, now);
            if (!checkedPlan.IsSuccess)
            {
                LogRefused(logger, request.Profile.ToString(), checkedPlan.Error.Code);
                results[i] = checkedPlan.Error;
                continue;
            }

            var plan = checkedPlan.Value;
            var row = new IssuedCertificate
            {
                PrivateCaId = signer.Record.Id,
                SerialNumber = plan.SerialHex,
                Profile = request.Profile,
                Subject = request.Subject.Name,
                Names = [.. request.Names],
                PublicKeySha256 = plan.PublicKeySha256,
                NotBefore = plan.NotBefore,
                NotAfter = plan.NotAfter,
                Status = IssuedCertificateStatus.Pending,
                IssuedBy = actor,
                IssuedAt = now,
            };
            db.IssuedCertificates.Add(row);
            db.Record(now, actor, "IssuedCertificate", row.SerialNumber, "issue", detail: $"{request.Profile}: {request.Subject.Name}");
            accepted.Add((i, request, plan, row));
        }

        if (accepted.Count == 0)
        {
            return results;
        }

        await db.SaveChangesAsync(ct); // on record before any signature exists

        var context = signer.ContextFor(CaExtensionUrls.From(options));
        foreach (var (index, request, plan, row) in accepted)
        {
            var der = CertificateIssuer.SignDer(context, request, plan);
            row.Der = der;
            row.Sha256 = Convert.ToHexString(SHA256.HashData(der));
            row.Status = IssuedCertificateStatus.Valid;
            results[index] = der;
        }

        await db.SaveChangesAsync(ct);
        foreach (var (_, request, _, row) in accepted)
        {
            LogIssued(logger, row.SerialNumber, request.Profile.ToString(), row.Subject);
        }

        return results;
    }

    /// <summary>A server certificate for a PKCS#10 request (PEM or DER) whose signature verifies.</summary>
    public async Task<Result<X509Certificate2>> IssueForCsrAsync(byte[] csr, int? days, string actor, CancellationToken ct)
    {
        var der = await IssueDerForCsrAsync(csr, days, actor, ct);
        return der.IsSuccess ? X509CertificateLoader.LoadCertificate(der.Value) : der.Error;
    }

    /// <summary>The same, returning the DER (the REST API's path: no certificate object is needed to answer).</summary>
    public async Task<Result<byte[]>> IssueDerForCsrAsync(byte[] csr, int? days, string actor, CancellationToken ct)
    {
        var issued = await IssueDerForCsrsAsync([csr], days, actor, ct);
        return issued.IsSuccess ? issued.Value[0] : issued.Error;
    }

    /// <summary>
    /// Server certificates for many PKCS#10 requests in one batch (the REST API's batch endpoint and
    /// <c>certmgr ca issue</c> with several CSRs); a CSR that cannot be read or is refused gets its error, the others
    /// are issued.
    /// </summary>
    public async Task<Result<IReadOnlyList<Result<byte[]>>>> IssueDerForCsrsAsync(IReadOnlyList<byte[]> csrs, int? days, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(csrs);
        if (csrs.Count > MaxBatch)
        {
            return Error.TooLarge("batch-too-large", $"At most {MaxBatch} CSRs per batch; this one has {csrs.Count}.");
        }

        var validity = TimeSpan.FromDays(days ?? options.MaxServerValidityDays);
        var requests = new Result<IssuanceRequest>[csrs.Count];
        for (var i = 0; i < csrs.Count; i++)
        {
            requests[i] = CsrReader.Read(csrs[i], IssuedCertificateProfile.Server, validity);
        }

        var signer = await signers.GetAsync(db, ca, ct);
        if (!signer.IsSuccess)
        {
            return signer.Error;
        }

        return Result<IReadOnlyList<Result<byte[]>>>.Success(await IssueDerManyAsync(signer.Value, requests, actor, ct));
    }

    /// <summary>A server certificate for a definition's subject and names, for a key made elsewhere.</summary>
    public async Task<Result<X509Certificate2>> IssueForDefinitionAsync(Guid definitionId, PublicKey publicKey, int? days, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        var definition = await db.Definitions.AsNoTracking().SingleOrDefaultAsync(d => d.Id == definitionId, ct);
        if (definition is null)
        {
            return Error.NotFound("definition-not-found", "No certificate definition has that id.");
        }

        var request = new IssuanceRequest(DefinitionNames.SubjectOf(definition), publicKey, [.. DefinitionNames.Of(definition)],
            IssuedCertificateProfile.Server, TimeSpan.FromDays(days ?? options.MaxServerValidityDays));
        return await IssueAsync(request, actor, ct);
    }

    /// <summary>A client-authentication certificate with a new P-256 key, returned with the key (for PKCS#12 export).</summary>
    public async Task<Result<X509Certificate2>> IssueClientAsync(string commonName, int? days, string actor, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(commonName) || commonName.Length > 64 || commonName.Any(char.IsControl))
        {
            return new Error("name-invalid", "The client name must be 1 to 64 printable characters.");
        }

        using var key = KeySpec.EcP256.Generate();
        var dn = new X500DistinguishedNameBuilder();
        dn.AddCommonName(commonName.Trim());
        var publicKey = PublicKey.CreateFromSubjectPublicKeyInfo(key.ExportSubjectPublicKeyInfo(), out _);
        var request = new IssuanceRequest(dn.Build(), publicKey, [], IssuedCertificateProfile.Client,
            TimeSpan.FromDays(days ?? options.MaxClientValidityDays));
        var issued = await IssueAsync(request, actor, ct);
        if (!issued.IsSuccess)
        {
            return issued.Error;
        }

        using var certificate = issued.Value;
        return certificate.CopyWithPrivateKey((ECDsa)key);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Private CA issued serial {SerialNumber} ({Profile}) to {Subject}")]
    private static partial void LogIssued(ILogger logger, string serialNumber, string profile, string subject);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Private CA refused a {Profile} request: {Reason}")]
    private static partial void LogRefused(ILogger logger, string profile, string reason);
}
