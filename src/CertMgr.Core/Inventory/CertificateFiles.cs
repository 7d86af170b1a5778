using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.Common;
using CertMgr.Core.PrivateCa;
using CertMgr.Core.Pki.Writing;
using CertMgr.Data.Model;
using CertMgr.Data.Secrets;

namespace CertMgr.Core.Inventory;

/// <summary>
/// A stored certificate as files: certificate-only downloads for every user, and formats with the private key only on
/// an explicit export (admin, passphrase), both through <see cref="CertificateExporter"/>.
/// </summary>
public static class CertificateFiles
{
    /// <summary>Download formats without the key, by their API name.</summary>
    public static IReadOnlyDictionary<string, ExportFormat> PublicFormats { get; } = new Dictionary<string, ExportFormat>(StringComparer.OrdinalIgnoreCase)
    {
        ["pem"] = ExportFormat.PemCertificate,
        ["der"] = ExportFormat.Der,
        ["chain"] = ExportFormat.PemChain,
        ["fullchain"] = ExportFormat.PemFullChain,
        ["p7b"] = ExportFormat.Pkcs7Der,
        ["p7b-pem"] = ExportFormat.Pkcs7Pem,
    };

    /// <summary>Formats that carry the private key, by their API name.</summary>
    public static IReadOnlyDictionary<string, ExportFormat> KeyFormats { get; } = new Dictionary<string, ExportFormat>(StringComparer.OrdinalIgnoreCase)
    {
        ["pfx"] = ExportFormat.Pkcs12,
        ["key"] = ExportFormat.PemPrivateKey,
        ["jks"] = ExportFormat.JavaPkcs12Keystore,
        ["haproxy"] = ExportFormat.HaproxyPem,
    };

    public static Result<ExportedFile> Download(Certificate certificate, string? format)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (format is null || !PublicFormats.TryGetValue(format.Trim(), out var f))
        {
            return new Error("format-invalid", $"Unknown download format '{format}'; use one of: {string.Join(", ", PublicFormats.Keys)}. Formats with the private key need POST …/export.");
        }

        return Export(certificate, f, key: null, new ExportOptions());
    }

    /// <summary>A format with the private key; <paramref name="stored"/> is the certificate's key row.</summary>
    public static Result<ExportedFile> ExportWithKey(
        Certificate certificate, PrivateKey? stored, SecretProtector protector, string? format, string? passphrase, bool allowUnencryptedKey)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(protector);
        if (format is null || !KeyFormats.TryGetValue(format.Trim(), out var f))
        {
            return new Error("format-invalid", $"Unknown export format '{format}'; use one of: {string.Join(", ", KeyFormats.Keys)}.");
        }

        if (stored is null)
        {
            return new Error("key-not-held", "CertMgr does not hold this certificate's private key; it can only be downloaded without it.");
        }

        if (f != ExportFormat.HaproxyPem && string.IsNullOrEmpty(passphrase))
        {
            return new Error("passphrase-required", "Exporting the private key needs a passphrase to protect the file.");
        }

        if (f == ExportFormat.HaproxyPem && !allowUnencryptedKey)
        {
            return new Error("unencrypted-key-not-allowed", "HAProxy's combined PEM holds the key unencrypted; confirm with allowUnencryptedKey=true.");
        }

        using var key = SealedKeys.Open(stored, protector);
        return Export(certificate, f, key, new ExportOptions
        {
            IncludeKey = true,
            Passphrase = f == ExportFormat.HaproxyPem ? null : passphrase,
            AllowUnencryptedKey = f == ExportFormat.HaproxyPem,
            FriendlyName = certificate.CommonName,
        });
    }

    private static Result<ExportedFile> Export(Certificate certificate, ExportFormat format, AsymmetricAlgorithm? key, ExportOptions options)
    {
        using var leaf = X509CertificateLoader.LoadCertificate(certificate.Der);
        var chain = ReadChain(certificate.ChainPem);
        try
        {
            return CertificateExporter.Export(leaf, chain, key, format, options);
        }
        finally
        {
            foreach (var c in chain)
            {
                c.Dispose();
            }
        }
    }

    private static List<X509Certificate2> ReadChain(string? chainPem)
    {
        var list = new List<X509Certificate2>();
        var rest = (chainPem ?? "").AsSpan();
        while (PemEncoding.TryFind(rest, out var fields))
        {
            if (rest[fields.Label].SequenceEqual("CERTIFICATE"))
            {
                list.Add(X509CertificateLoader.LoadCertificate(Convert.FromBase64String(rest[fields.Base64Data].ToString())));
            }

            rest = rest[fields.Location.End..];
        }

        return list;
    }
}
