using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using X509Request = System.Security.Cryptography.X509Certificates.CertificateRequest;
using CertMgr.Core.Audit;
using CertMgr.Core.Pki;
using CertMgr.Core.Setup;
using CertMgr.Data;
using CertMgr.Data.Model;
using PrivateCaEntity = CertMgr.Data.Model.PrivateCa;
using CertMgr.Data.Secrets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace CertMgr.Core.PrivateCa;

/// <summary>A CA certificate with its opened key, ready to sign. Dispose it to drop the key from memory.</summary>
public sealed class CaSigner(PrivateCaEntity record, X509Certificate2 certificate, AsymmetricAlgorithm key) : IDisposable
{
    public PrivateCaEntity Record { get; } = record;
    public X509Certificate2 Certificate { get; } = certificate;
    public AsymmetricAlgorithm Key { get; } = key;

    public void Dispose()
    {
        Key.Dispose();
        Certificate.Dispose();
    }
}

/// <summary>The built-in private CA: creation at first start, and issuance recorded in its ledger.</summary>
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

    /// <summary>Creates a self-signed root and makes it current. The caller decides whether replacing is allowed.</summary>
    public async Task<PrivateCaEntity> CreateRootAsync(X500DistinguishedName? subject, KeySpec keySpec, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(keySpec);
        var now = time.GetUtcNow();
        subject ??= DefaultSubject(now);
        using var key = keySpec.Generate();

        var request = key switch
        {
            ECDsa ec => new X509Request(subject, ec, keySpec.SignatureHash),
            RSA rsa => new X509Request(subject, rsa, keySpec.SignatureHash, RSASignaturePadding.Pkcs1),
            _ => throw new NotSupportedException(),
        };
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        var ski = new X509SubjectKeyIdentifierExtension(request.PublicKey, false);
        request.CertificateExtensions.Add(ski);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(ski));

        using var certificate = request.CreateSelfSigned(now - CertificateIssuer.ClockSkew, now + RootValidity);
        var sealedKey = SealedKeys.Seal(key, keySpec, PrivateKeySource.Generated, protector, now, "Private CA key");

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        foreach (var old in await db.PrivateCas.Where(c => c.IsCurrent).ToListAsync(ct))
        {
            old.IsCurrent = false;
            old.Status = PrivateCaStatus.Retired;
        }

        // Retire first: at most one CA may be current at any moment (unique index).
        await db.SaveChangesAsync(ct);

        var ca = new PrivateCaEntity
        {
            Mode = PrivateCaMode.Root,
            Status = PrivateCaStatus.Active,
            IsCurrent = true,
            Subject = certificate.Subject,
            PrivateKey = sealedKey,
            CertificateDer = certificate.RawData,
            Sha256 = Thumbprints.Sha256(certificate),
            NotBefore = certificate.NotBefore.ToUniversalTime(),
            NotAfter = certificate.NotAfter.ToUniversalTime(),
            CreatedAt = now,
        };
        db.PrivateCas.Add(ca);
        db.Record(now, actor, "PrivateCa", ca.Id.ToString(), "create-root", detail: $"{certificate.Subject} ({keySpec})");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);

        WriteCertificateFiles(ca);
        LogCreated(logger, certificate.Subject, ca.Sha256, keySpec.Name);
        return ca;
    }

    /// <summary>Opens the current CA for signing.</summary>
    public async Task<CaSigner> OpenSignerAsync(CancellationToken ct)
    {
        var ca = await db.PrivateCas.Include(c => c.PrivateKey).SingleOrDefaultAsync(c => c.IsCurrent, ct)
            ?? throw new InvalidOperationException("No private CA exists yet.");
        if (ca.Status != PrivateCaStatus.Active || ca.CertificateDer is null)
        {
            throw new InvalidOperationException("The private CA is not active (a subordinate CA waits for its parent's certificate).");
        }

        var certificate = X509CertificateLoader.LoadCertificate(ca.CertificateDer);
        return new CaSigner(ca, certificate, SealedKeys.Open(ca.PrivateKey, protector));
    }

    /// <summary>Issues a certificate with the current CA and records it in the CA's ledger.</summary>
    public async Task<X509Certificate2> IssueAsync(IssuanceRequest request, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var signer = await OpenSignerAsync(ct);
        var now = time.GetUtcNow();
        var issued = CertificateIssuer.Issue(signer.Certificate, signer.Key, request, now);
        db.IssuedCertificates.Add(new IssuedCertificate
        {
            PrivateCaId = signer.Record.Id,
            SerialNumber = issued.SerialNumber,
            Profile = request.Profile,
            Subject = issued.Subject,
            Der = issued.RawData,
            Sha256 = Thumbprints.Sha256(issued),
            NotBefore = issued.NotBefore.ToUniversalTime(),
            NotAfter = issued.NotAfter.ToUniversalTime(),
            IssuedBy = actor,
            IssuedAt = now,
        });
        db.Record(now, actor, "IssuedCertificate", issued.SerialNumber, "issue", detail: $"{request.Profile}: {issued.Subject}");
        await db.SaveChangesAsync(ct);
        LogIssued(logger, issued.SerialNumber, request.Profile.ToString(), issued.Subject);
        return issued;
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
            if (!File.Exists(path) || File.ReadAllText(path) != pem)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, pem);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the built-in private CA {Subject} (SHA-256 {Thumbprint}, key {KeySpec})")]
    private static partial void LogCreated(ILogger logger, string subject, string? thumbprint, string keySpec);

    [LoggerMessage(Level = LogLevel.Information, Message = "Private CA issued serial {SerialNumber} ({Profile}) to {Subject}")]
    private static partial void LogIssued(ILogger logger, string serialNumber, string profile, string subject);
}
