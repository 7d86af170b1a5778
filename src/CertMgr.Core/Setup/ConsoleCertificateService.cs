using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.Audit;
using CertMgr.Core.Pki;
using CertMgr.Core.PrivateCa;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Data.Secrets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace CertMgr.Core.Setup;

/// <summary>
/// The console's own TLS certificate, issued by the built-in CA at first start and reused afterwards. It is
/// reissued only when it no longer fits: another CA, a missing name, or less than 30 days left.
/// </summary>
public sealed partial class ConsoleCertificateService(
    CertMgrDbContext db,
    SecretProtector protector,
    PrivateCaService ca,
    CaIssuance issuance,
    TimeProvider time,
    ILogger<ConsoleCertificateService> logger)
{
    public const string CertificateKey = "console.tls.certificate";
    public const string KeyKey = "console.tls.key";
    /// <summary>Set when the console certificate was installed into this CertMgr (auto-install), not issued by its CA.</summary>
    public const string InstalledKey = "console.tls.installed";
    public static readonly TimeSpan Validity = TimeSpan.FromDays(397);
    public static readonly TimeSpan RenewBefore = TimeSpan.FromDays(30);

    /// <summary>localhost, 127.0.0.1, ::1, this host's name, and every host named in the listen URLs.</summary>
    public static IReadOnlyList<string> RequiredNames(IEnumerable<Uri> urls)
    {
        var names = new List<string> { "localhost", "127.0.0.1", "::1" };
        var hostName = Dns.GetHostName();
        if (!string.IsNullOrWhiteSpace(hostName) && IssuancePolicy.IsDnsName(hostName, allowWildcard: false))
        {
            names.Add(hostName.ToLowerInvariant());
        }

        foreach (var url in urls)
        {
            var host = url.IdnHost.Trim('[', ']');
            if (host is "0.0.0.0" or "::" or "*" or "+" || string.IsNullOrEmpty(host))
            {
                continue;
            }

            var name = IPAddress.TryParse(host, out var ip) ? ip.ToString() : host.ToLowerInvariant();
            if (IssuancePolicy.IsIpAddress(name) || IssuancePolicy.IsDnsName(name, allowWildcard: false))
            {
                names.Add(name);
            }
        }

        return names.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }

    /// <summary>Returns the console certificate with its key, issuing one when the stored one does not fit.</summary>
    public async Task<X509Certificate2> EnsureAsync(IReadOnlyList<string> names, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(names);
        var current = await ca.FindCurrentAsync(ct) ?? throw new InvalidOperationException("No private CA exists yet.");
        var stored = await LoadAsync(ct);
        if (stored is not null)
        {
            // An installed certificate is kept as it is until it expires: it was chosen on purpose, from another CA.
            var installed = await db.Settings.AnyAsync(s => s.Key == InstalledKey && s.Value == "true", ct);
            var reason = installed
                ? stored.NotAfter.ToUniversalTime() <= time.GetUtcNow().UtcDateTime ? "the installed certificate has expired" : null
                : WhyUnfit(stored, current, names, time.GetUtcNow());
            if (reason is null)
            {
                return stored;
            }

            LogReissue(logger, reason);
            stored.Dispose();
        }

        return await IssueAsync(names, ct);
    }

    private static string? WhyUnfit(X509Certificate2 certificate, Data.Model.PrivateCa current, IReadOnlyList<string> names, DateTimeOffset now)
    {
        if (current.CertificateDer is null)
        {
            return "the private CA has no certificate";
        }

        using var caCert = X509CertificateLoader.LoadCertificate(current.CertificateDer);
        if (certificate.IssuerName.RawData.AsSpan().SequenceEqual(caCert.SubjectName.RawData) is false || !SignedBy(certificate, caCert, current.ChainPem))
        {
            return "it was issued by another CA";
        }

        if (certificate.NotAfter.ToUniversalTime() - now.UtcDateTime < RenewBefore)
        {
            return "it expires within 30 days";
        }

        var missing = names.FirstOrDefault(n => !certificate.MatchesHostname(n, allowWildcards: false, allowCommonName: false));
        return missing is null ? null : $"it does not cover {missing}";
    }

    /// <summary>Whether the issuer signed it; a subordinate CA is checked through its parent chain up to the root.</summary>
    private static bool SignedBy(X509Certificate2 certificate, X509Certificate2 issuer, string? parentChainPem)
    {
        var parents = new X509Certificate2Collection();
        if (parentChainPem is not null)
        {
            parents.ImportFromPem(parentChainPem);
        }

        try
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            var roots = parents.Where(p => p.SubjectName.RawData.AsSpan().SequenceEqual(p.IssuerName.RawData)).ToArray();
            if (roots.Length == 0)
            {
                chain.ChainPolicy.CustomTrustStore.Add(issuer);
            }
            else
            {
                chain.ChainPolicy.CustomTrustStore.AddRange(roots);
                chain.ChainPolicy.ExtraStore.Add(issuer);
                chain.ChainPolicy.ExtraStore.AddRange(parents);
            }

            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.VerificationFlags = X509VerificationFlags.IgnoreNotTimeValid;
            return chain.Build(certificate) && chain.ChainElements.Count > 1 &&
                chain.ChainElements[1].Certificate.RawData.AsSpan().SequenceEqual(issuer.RawData);
        }
        finally
        {
            foreach (var parent in parents)
            {
                parent.Dispose();
            }
        }
    }

    private async Task<X509Certificate2?> LoadAsync(CancellationToken ct)
    {
        var settings = await db.Settings.Where(s => s.Key == CertificateKey || s.Key == KeyKey).ToDictionaryAsync(s => s.Key, ct);
        if (!settings.TryGetValue(CertificateKey, out var certSetting) || certSetting.Value is null ||
            !settings.TryGetValue(KeyKey, out var keySetting) || keySetting.ProtectedValue is null)
        {
            return null;
        }

        using var certificate = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(certSetting.Value));
        var pkcs8 = protector.Unprotect(keySetting.ProtectedValue, SecretPurposes.PrivateKey);
        try
        {
            using AsymmetricAlgorithm key = certificate.GetKeyAlgorithm() == "1.2.840.113549.1.1.1" ? RSA.Create() : ECDsa.Create();
            key.ImportPkcs8PrivateKey(pkcs8, out _);
            return SealedKeys.WithKey(certificate, key);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    private async Task<X509Certificate2> IssueAsync(IReadOnlyList<string> names, CancellationToken ct)
    {
        using var key = KeySpec.EcP256.Generate();
        var dn = new X500DistinguishedNameBuilder();
        dn.AddOrganizationName("CertMgr");
        dn.AddCommonName(names.FirstOrDefault(n => n != "localhost" && !IPAddress.TryParse(n, out _)) ?? "localhost");
        var publicKey = PublicKey.CreateFromSubjectPublicKeyInfo(key.ExportSubjectPublicKeyInfo(), out _);
        var issued = await issuance.IssueAsync(
            new IssuanceRequest(dn.Build(), publicKey, names, IssuedCertificateProfile.Console, Validity), AuditLog.System, ct);
        if (!issued.IsSuccess)
        {
            throw new InvalidOperationException($"The private CA refused the console certificate: {issued.Error}");
        }

        using var certificate = issued.Value;

        var pkcs8 = key.ExportPkcs8PrivateKey();
        try
        {
            await UpsertAsync(CertificateKey, value: Convert.ToBase64String(certificate.RawData), sealedValue: null, ct);
            await UpsertAsync(KeyKey, value: null, sealedValue: protector.Protect(pkcs8, SecretPurposes.PrivateKey), ct);
            await UpsertAsync(InstalledKey, value: null, sealedValue: null, ct);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }

        await db.SaveChangesAsync(ct);
        LogIssued(logger, Thumbprints.Sha1(certificate), string.Join(", ", names));
        return SealedKeys.WithKey(certificate, key);
    }

    /// <summary>
    /// Makes <paramref name="certificate"/> with <paramref name="key"/> the console certificate (stored, kept over restarts
    /// until it expires) and returns it bound to its key, for the holder Kestrel reads. The caller saves the changes.
    /// </summary>
    public async Task<X509Certificate2> InstallAsync(X509Certificate2 certificate, AsymmetricAlgorithm key, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(key);
        var pkcs8 = key.ExportPkcs8PrivateKey();
        try
        {
            await UpsertAsync(CertificateKey, value: Convert.ToBase64String(certificate.RawData), sealedValue: null, ct);
            await UpsertAsync(KeyKey, value: null, sealedValue: protector.Protect(pkcs8, SecretPurposes.PrivateKey), ct);
            await UpsertAsync(InstalledKey, value: "true", sealedValue: null, ct);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }

        // Bound afresh from the bytes: the caller's copy may already carry a key.
        using var bare = X509CertificateLoader.LoadCertificate(certificate.RawData);
        return SealedKeys.WithKey(bare, key);
    }

    private async Task UpsertAsync(string key, string? value, byte[]? sealedValue, CancellationToken ct)
    {
        var setting = await db.Settings.SingleOrDefaultAsync(s => s.Key == key, ct);
        if (setting is null)
        {
            setting = new Setting { Key = key };
            db.Settings.Add(setting);
        }

        setting.Value = value;
        setting.ProtectedValue = sealedValue;
        setting.UpdatedAt = time.GetUtcNow();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Issued the console TLS certificate {Thumbprint} for {Names}")]
    private static partial void LogIssued(ILogger logger, string thumbprint, string names);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reissuing the console TLS certificate: {Reason}")]
    private static partial void LogReissue(ILogger logger, string reason);
}
