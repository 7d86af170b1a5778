using System.Security.Cryptography;
using System.Text;
using CertMgr.Core.Audit;
using CertMgr.Core.Common;
using CertMgr.Core.Pki.Writing;
using CertMgr.Core.PrivateCa;
using CertMgr.Data;
using CertMgr.Data.Secrets;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Core.Inventory;

/// <summary>Who asks for a private key: the name recorded in the audit, and whether they are an administrator.</summary>
public sealed record KeyExporter(string Name, bool IsAdmin);

/// <summary>
/// The one place private keys leave CertMgr (REST API, console, CLI): administrators only, always encrypted under a
/// passphrase (HAProxy's combined PEM only on explicit confirmation), never the private CA's key, and every export on
/// the record (the definition's history, or the key's audit trail when no certificate uses it).
/// </summary>
public sealed class KeyExportService(CertMgrDbContext db, SecretProtector protector, TimeProvider time)
{
    public const string HistoryAction = "export-private-key";

    /// <summary>A stored certificate with its private key, in a key format of <see cref="CertificateFiles.KeyFormats"/>.</summary>
    public async Task<Result<ExportedFile>> ExportCertificateAsync(
        Guid certificateId, string? format, string? passphrase, bool allowUnencryptedKey, KeyExporter who, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(who);
        if (!who.IsAdmin)
        {
            return AdminOnly();
        }

        var certificate = await db.Certificates.AsNoTracking().Include(c => c.PrivateKey).SingleOrDefaultAsync(c => c.Id == certificateId, ct);
        if (certificate is null)
        {
            return Error.NotFound("certificate-not-found", "No such certificate.");
        }

        var file = CertificateFiles.ExportWithKey(certificate, certificate.PrivateKey, protector, format, passphrase, allowUnencryptedKey);
        if (!file.IsSuccess)
        {
            return file.Error;
        }

        DefinitionHistory.Record(db, time.GetUtcNow(), who.Name, certificate.DefinitionId, HistoryAction,
            $"Certificate {certificate.Sha1[..16]}… exported with its private key as {format!.Trim().ToLowerInvariant()}");
        await db.SaveChangesAsync(ct);
        return file;
    }

    /// <summary>
    /// A stored key as encrypted PKCS#8 PEM (<c>pem</c>) or as PKCS#12 with its newest certificate (<c>pfx</c>); the
    /// passphrase is required and at least <see cref="ExportOptions.MinimumPassphraseLength"/> characters.
    /// </summary>
    public async Task<Result<ExportedFile>> ExportKeyAsync(Guid keyId, string? format, string? passphrase, KeyExporter who, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(who);
        if (!who.IsAdmin)
        {
            return AdminOnly();
        }

        format = format?.Trim().ToLowerInvariant();
        if (format is not ("pem" or "pfx"))
        {
            return new Error("format-invalid", "format must be pem (encrypted PKCS#8) or pfx (PKCS#12 with the certificate).");
        }

        if (string.IsNullOrEmpty(passphrase))
        {
            return new Error("passphrase-required", "Exporting a private key needs a passphrase to encrypt it.");
        }

        if (passphrase.Length < ExportOptions.MinimumPassphraseLength)
        {
            return new Error("passphrase-too-short", $"The passphrase must be at least {ExportOptions.MinimumPassphraseLength} characters long.");
        }

        // A private CA's key is not an inventory key and never leaves this way.
        var stored = await db.PrivateKeys.AsNoTracking().SingleOrDefaultAsync(k => k.Id == keyId && !db.PrivateCas.Any(ca => ca.PrivateKeyId == k.Id), ct);
        if (stored is null)
        {
            return Error.NotFound("key-not-found", "No such private key.");
        }

        var certificate = await db.Certificates.AsNoTracking().Where(c => c.PrivateKeyId == keyId).OrderByDescending(c => c.NotAfter).FirstOrDefaultAsync(ct);
        Result<ExportedFile> file;
        if (format == "pfx")
        {
            if (certificate is null)
            {
                return new Error("certificate-missing", "No certificate uses this key yet; export it as pem.");
            }

            file = CertificateFiles.ExportWithKey(certificate, stored, protector, "pfx", passphrase, allowUnencryptedKey: false);
        }
        else
        {
            using var key = SealedKeys.Open(stored, protector);
            var pem = key.ExportEncryptedPkcs8PrivateKeyPem(passphrase,
                new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, ExportOptions.DefaultKdfIterations));
            file = new ExportedFile(Encoding.ASCII.GetBytes(pem + "\n"), $"key-{stored.PublicKeySha256[..12].ToLowerInvariant()}.key.pem", "application/x-pem-file");
        }

        if (!file.IsSuccess)
        {
            return file.Error;
        }

        var now = time.GetUtcNow();
        var detail = $"Private key {stored.PublicKeySha256[..16]}… exported as {format}";
        if (certificate is not null)
        {
            DefinitionHistory.Record(db, now, who.Name, certificate.DefinitionId, HistoryAction, detail);
        }
        else
        {
            AuditLog.Record(db, now, who.Name, "PrivateKey", stored.Id.ToString(), "export", detail: detail);
        }

        await db.SaveChangesAsync(ct);
        return file;
    }

    private static Error AdminOnly() => Error.Forbidden("admin-required", "Only administrators may export private keys.");
}
