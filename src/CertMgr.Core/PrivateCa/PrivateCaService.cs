using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.Audit;
using CertMgr.Core.Common;
using CertMgr.Core.Pki;
using CertMgr.Core.Setup;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Data.Secrets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using PrivateCaEntity = CertMgr.Data.Model.PrivateCa;
using X509Request = System.Security.Cryptography.X509Certificates.CertificateRequest;

namespace CertMgr.Core.PrivateCa;

/// <summary>A CA certificate with its opened key, ready to sign. Dispose it to drop the key from memory.</summary>
public sealed class CaSigner(PrivateCaEntity record, X509Certificate2 certificate, AsymmetricAlgorithm key) : IDisposable
{
    public PrivateCaEntity Record { get; } = record;
    public X509Certificate2 Certificate { get; } = certificate;
    public AsymmetricAlgorithm Key { get; } = key;

    private CaSigningContext? _context;

    /// <summary>The CA's constant encodings, made once per open signer (the extension URLs come from configuration).</summary>
    public CaSigningContext ContextFor(CaExtensionUrls urls)
    {
        ArgumentNullException.ThrowIfNull(urls);
        return _context ??= new CaSigningContext(Certificate, Key, urls.ToExtensions());
    }

    public void Dispose()
    {
        Key.Dispose();
        Certificate.Dispose();
    }
}

/// <summary>
/// The built-in private CA's own lifecycle: the root made at first start, a new root or subordinate on request (the
/// old CA backed up and retired), the parent's certificate installed for a subordinate.
/// </summary>
public sealed partial class PrivateCaService(
    CertMgrDbContext db,
    SecretProtector protector,
    DataDirectory home,
    TimeProvider time,
    ILogger<PrivateCaService> logger)
{
    public const string DefaultOrganization = "CertMgr Built-in Private CA";
    public static readonly KeySpec DefaultKey = KeySpec.EcP384;
    public static readonly TimeSpan RootValidity = TimeSpan.FromDays(3652);

    /// <summary>The default DN: O=CertMgr Built-in Private CA, CN=CertMgr Auto-Generated CA &lt;UTC timestamp&gt;.</summary>
    public static X500DistinguishedName DefaultSubject(DateTimeOffset now)
    {
        var dn = new X500DistinguishedNameBuilder();
        dn.AddOrganizationName(DefaultOrganization);
        dn.AddCommonName($"CertMgr Auto-Generated CA {now.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}");
        return dn.Build();
    }

    public Task<PrivateCaEntity?> FindCurrentAsync(CancellationToken ct) =>
        db.PrivateCas.SingleOrDefaultAsync(c => c.IsCurrent, ct);

    /// <summary>The newest subordinate CA that waits for its parent's certificate, if any.</summary>
    public Task<PrivateCaEntity?> FindAwaitingAsync(CancellationToken ct) =>
        db.PrivateCas.Where(c => c.Status == PrivateCaStatus.AwaitingParentCertificate)
            .OrderByDescending(c => c.CreatedAt).FirstOrDefaultAsync(ct);

    /// <summary>Creates the root CA when none exists; never replaces an existing one.</summary>
    /// <returns>The current CA, and whether it was created now.</returns>
    public async Task<(PrivateCaEntity Ca, bool Created)> EnsureRootAsync(CancellationToken ct)
    {
        var existing = await FindCurrentAsync(ct);
        if (existing is not null)
        {
            WriteCertificateFiles(existing);
            return (existing, false);
        }

        var created = await CreateRootAsync(null, DefaultKey, AuditLog.System, ct);
        return (created, true);
    }

    /// <summary>
    /// A new root CA. Refused when a CA exists, unless <paramref name="force"/>: then the old CA is backed up to
    /// <c>ca/backup-&lt;timestamp&gt;/</c> (certificate, chain, sealed key) and stays on record as Retired.
    /// </summary>
    public async Task<Result<PrivateCaEntity>> SetupRootAsync(X500DistinguishedName? subject, KeySpec keySpec, bool force, string actor, CancellationToken ct)
    {
        var guard = await GuardReplaceAsync(force, ct);
        return guard.IsSuccess ? await CreateRootAsync(subject, keySpec, actor, ct) : guard.Error;
    }

    /// <summary>Creates a self-signed root and makes it current. The caller decides whether replacing is allowed.</summary>
    public async Task<PrivateCaEntity> CreateRootAsync(X500DistinguishedName? subject, KeySpec keySpec, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(keySpec);
        var now = time.GetUtcNow();
        subject ??= DefaultSubject(now);
        using var key = keySpec.Generate();
        var request = CaRequest(subject, key, keySpec);
        var ski = request.CertificateExtensions.OfType<X509SubjectKeyIdentifierExtension>().Single();
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(ski));

        using var certificate = request.CreateSelfSigned(now - CertificateIssuer.ClockSkew, now + RootValidity);
        var ca = new PrivateCaEntity
        {
            Mode = PrivateCaMode.Root,
            Status = PrivateCaStatus.Active,
            Subject = certificate.Subject,
            PrivateKey = SealedKeys.Seal(key, keySpec, PrivateKeySource.Generated, protector, now, "Private CA key"),
            CreatedAt = now,
        };
        SetCertificate(ca, certificate);
        await MakeCurrentAsync(ca, isNew: true, actor, "create-root", $"{certificate.Subject} ({keySpec})", ct);
        LogCreated(logger, certificate.Subject, ca.Sha256, keySpec.Name);
        return ca;
    }

    /// <summary>
    /// A subordinate CA: a new key (sealed) and a CSR for the parent CA. The record waits as AwaitingParentCertificate;
    /// the current CA keeps issuing until <see cref="InstallParentCertificateAsync"/>.
    /// </summary>
    /// <returns>The waiting record and its CSR as PEM.</returns>
    public async Task<Result<(PrivateCaEntity Ca, string CsrPem)>> SetupSubordinateAsync(X500DistinguishedName? subject, KeySpec keySpec, bool force, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(keySpec);
        var guard = await GuardReplaceAsync(force, ct);
        if (!guard.IsSuccess)
        {
            return guard.Error;
        }

        var now = time.GetUtcNow();
        subject ??= DefaultSubject(now);
        using var key = keySpec.Generate();
        var csr = CaRequest(subject, key, keySpec).CreateSigningRequest();
        foreach (var stale in await db.PrivateCas.Where(c => c.Status == PrivateCaStatus.AwaitingParentCertificate).ToListAsync(ct))
        {
            stale.Status = PrivateCaStatus.Retired; // superseded requests never get installed
        }

        var ca = new PrivateCaEntity
        {
            Mode = PrivateCaMode.Subordinate,
            Status = PrivateCaStatus.AwaitingParentCertificate,
            Subject = subject.Name,
            PrivateKey = SealedKeys.Seal(key, keySpec, PrivateKeySource.Generated, protector, now, "Private CA key"),
            CsrDer = csr,
            CreatedAt = now,
        };
        db.PrivateCas.Add(ca);
        db.Record(now, actor, "PrivateCa", ca.Id.ToString(), "create-subordinate-request", detail: $"{subject.Name} ({keySpec})");
        await db.SaveChangesAsync(ct);
        var pem = PemEncoding.WriteString("CERTIFICATE REQUEST", csr) + "\n";
        await File.WriteAllTextAsync(Path.Combine(home.CaDirectory, "subordinate-ca.csr"), pem, ct);
        return (ca, pem);
    }

    /// <summary>
    /// Installs the parent-signed certificate of the waiting subordinate CA from a PEM bundle holding it and its chain
    /// up to the root. The certificate must carry the CA's key, be a CA certificate allowed to sign certificates, and
    /// chain to a root in the bundle. The subordinate then becomes current; the previous CA is retired.
    /// </summary>
    public async Task<Result<PrivateCaEntity>> InstallParentCertificateAsync(string pemBundle, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(pemBundle);
        var ca = await db.PrivateCas.Include(c => c.PrivateKey)
            .Where(c => c.Status == PrivateCaStatus.AwaitingParentCertificate).OrderByDescending(c => c.CreatedAt).FirstOrDefaultAsync(ct);
        if (ca is null)
        {
            return new Error("no-pending-subordinate", "No subordinate CA waits for a certificate; run 'certmgr ca setup --subordinate' first.");
        }

        var bundle = new X509Certificate2Collection();
        try
        {
            bundle.ImportFromPem(pemBundle);
        }
        catch (CryptographicException)
        {
            return new Error("bundle-invalid", "The file is not a PEM bundle of certificates.");
        }

        try
        {
            var check = CheckParentCertificate(ca, bundle, time.GetUtcNow());
            if (!check.IsSuccess)
            {
                return check.Error;
            }

            var (certificate, chain) = check.Value;
            SetCertificate(ca, certificate);
            ca.Subject = certificate.Subject;
            ca.ChainPem = string.Concat(chain.Select(c => PemEncoding.WriteString("CERTIFICATE", c.RawData) + "\n"));
            ca.Status = PrivateCaStatus.Active;
            await MakeCurrentAsync(ca, isNew: false, actor, "install-parent-certificate", $"{certificate.Subject} issued by {certificate.Issuer}", ct);
            LogCreated(logger, certificate.Subject, ca.Sha256, "subordinate");
            return ca;
        }
        finally
        {
            foreach (var c in bundle)
            {
                c.Dispose();
            }
        }
    }

    /// <summary>Opens the current CA for signing.</summary>
    public async Task<Result<CaSigner>> OpenSignerAsync(CancellationToken ct)
    {
        var ca = await db.PrivateCas.Include(c => c.PrivateKey).SingleOrDefaultAsync(c => c.IsCurrent, ct);
        if (ca is null)
        {
            return Error.NotFound("ca-missing", "No private CA exists yet; run 'certmgr ca setup'.");
        }

        if (ca.Status != PrivateCaStatus.Active || ca.CertificateDer is null)
        {
            return new Error("ca-not-active", "The private CA is not active (a subordinate CA waits for its parent's certificate).");
        }

        var certificate = X509CertificateLoader.LoadCertificate(ca.CertificateDer);
        return new CaSigner(ca, certificate, SealedKeys.Open(ca.PrivateKey, protector));
    }

    private static Result<(X509Certificate2 Certificate, List<X509Certificate2> Chain)> CheckParentCertificate(
        PrivateCaEntity ca, X509Certificate2Collection bundle, DateTimeOffset now)
    {
        var spki = Convert.FromHexString(ca.PrivateKey.PublicKeySha256);
        var certificate = bundle.FirstOrDefault(c => SHA256.HashData(c.PublicKey.ExportSubjectPublicKeyInfo()).AsSpan().SequenceEqual(spki));
        if (certificate is null)
        {
            return new Error("cert-key-mismatch", "No certificate in the file carries the subordinate CA's public key.");
        }

        var bc = certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
        var ku = certificate.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault();
        if (bc is not { CertificateAuthority: true })
        {
            return new Error("cert-not-ca", "The certificate is not a CA certificate (basicConstraints CA:TRUE is missing).");
        }

        if (ku is not null && !ku.KeyUsages.HasFlag(X509KeyUsageFlags.KeyCertSign))
        {
            return new Error("cert-not-ca", "The certificate's key usage does not allow signing certificates (keyCertSign).");
        }

        if (certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData))
        {
            return new Error("cert-self-signed", "The certificate is self-signed; a subordinate CA needs its parent's signature.");
        }

        var others = bundle.Where(c => !ReferenceEquals(c, certificate)).ToList();
        var roots = others.Where(c => c.SubjectName.RawData.AsSpan().SequenceEqual(c.IssuerName.RawData)).ToList();
        if (roots.Count == 0)
        {
            return new Error("chain-no-root", "The file holds no root certificate; include the parent chain up to its root.");
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots.ToArray());
        chain.ChainPolicy.ExtraStore.AddRange(others.ToArray());
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        if (!chain.Build(certificate))
        {
            var why = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
            return new Error("chain-invalid", $"The certificate does not chain to the root in the file: {why}");
        }

        var path = chain.ChainElements.Skip(1).Select(e => others.First(o => o.RawData.AsSpan().SequenceEqual(e.Certificate.RawData))).ToList();
        return (certificate, path);
    }

    private static X509Request CaRequest(X500DistinguishedName subject, AsymmetricAlgorithm key, KeySpec keySpec)
    {
        var request = key switch
        {
            ECDsa ec => new X509Request(subject, ec, keySpec.SignatureHash),
            RSA rsa => new X509Request(subject, rsa, keySpec.SignatureHash, RSASignaturePadding.Pkcs1),
            _ => throw new NotSupportedException(),
        };
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request;
    }

    private static void SetCertificate(PrivateCaEntity ca, X509Certificate2 certificate)
    {
        ca.CertificateDer = certificate.RawData;
        ca.Sha256 = Thumbprints.Sha256(certificate);
        ca.NotBefore = certificate.NotBefore.ToUniversalTime();
        ca.NotAfter = certificate.NotAfter.ToUniversalTime();
    }

    private async Task<Result> GuardReplaceAsync(bool force, CancellationToken ct)
    {
        var current = await db.PrivateCas.Include(c => c.PrivateKey).SingleOrDefaultAsync(c => c.IsCurrent, ct);
        if (current is null)
        {
            return Result.Success();
        }

        if (!force)
        {
            return Error.Conflict("ca-exists", $"A private CA already exists ({current.Subject}); use --force to replace it (the old one is backed up and retired).");
        }

        Backup(current);
        return Result.Success();
    }

    /// <summary>Certificate, chain and sealed key (still encrypted by the master key) of a CA about to be replaced.</summary>
    private void Backup(PrivateCaEntity ca)
    {
        var now = time.GetUtcNow();
        var dir = Path.Combine(home.CaDirectory, $"backup-{now.UtcDateTime:yyyyMMdd'T'HHmmssfff'Z'}");
        Directory.CreateDirectory(dir);
        if (ca.CertificateDer is not null)
        {
            File.WriteAllText(Path.Combine(dir, "ca-cert.pem"), PemEncoding.WriteString("CERTIFICATE", ca.CertificateDer) + "\n");
        }

        if (ca.ChainPem is not null)
        {
            File.WriteAllText(Path.Combine(dir, "ca-chain.pem"), ca.ChainPem);
        }

        var keyPath = Path.Combine(dir, "ca-key.sealed");
        File.WriteAllBytes(keyPath, ca.PrivateKey.EncryptedPkcs8);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.WriteAllText(Path.Combine(dir, "README.txt"),
            $"Backup of the private CA {ca.Subject} (id {ca.Id}, SHA-256 {ca.Sha256}) taken {now:O}.\n" +
            "ca-key.sealed is the CA's PKCS#8 key sealed by this data directory's master.key (AES-256-GCM).\n");
        LogBackedUp(logger, ca.Subject, dir);
    }

    private async Task MakeCurrentAsync(PrivateCaEntity ca, bool isNew, string actor, string action, string detail, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        foreach (var old in await db.PrivateCas.Where(c => c.IsCurrent && c.Id != ca.Id).ToListAsync(ct))
        {
            old.IsCurrent = false;
            old.Status = PrivateCaStatus.Retired;
        }

        // Retire first: at most one CA may be current at any moment (unique index).
        await db.SaveChangesAsync(ct);
        ca.IsCurrent = true;
        if (isNew)
        {
            db.PrivateCas.Add(ca);
        }

        db.Record(now, actor, "PrivateCa", ca.Id.ToString(), action, detail: detail);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        WriteCertificateFiles(ca);
    }

    private void WriteCertificateFiles(PrivateCaEntity ca)
    {
        if (ca.CertificateDer is null)
        {
            return;
        }

        var pem = PemEncoding.WriteString("CERTIFICATE", ca.CertificateDer) + "\n";
        foreach (var path in new[] { home.CaCertificatePath, home.CaSystemListPath })
        {
            WriteIfChanged(path, pem);
        }

        var chainPath = Path.Combine(home.CaDirectory, "ca-chain.pem");
        if (ca.ChainPem is not null)
        {
            WriteIfChanged(chainPath, pem + ca.ChainPem);
        }
        else if (File.Exists(chainPath))
        {
            File.Delete(chainPath);
        }
    }

    private static void WriteIfChanged(string path, string text)
    {
        if (!File.Exists(path) || File.ReadAllText(path) != text)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the built-in private CA {Subject} (SHA-256 {Thumbprint}, key {KeySpec})")]
    private static partial void LogCreated(ILogger logger, string subject, string? thumbprint, string keySpec);

    [LoggerMessage(Level = LogLevel.Information, Message = "Backed up the private CA {Subject} to {Directory}")]
    private static partial void LogBackedUp(ILogger logger, string subject, string directory);
}
