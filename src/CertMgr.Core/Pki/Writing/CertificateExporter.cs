using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using CertMgr.Core.Common;

namespace CertMgr.Core.Pki.Writing;

/// <summary>
/// Writes a certificate, its chain and (only on explicit request) its private key in the formats servers read.
/// Pure: no I/O, no clock. Every refusal is an <see cref="Error"/> whose message never holds key material.
/// </summary>
public static class CertificateExporter
{
    private const string PemContentType = "application/x-pem-file";

    /// <summary>Exports <paramref name="leaf"/> with <paramref name="chain"/> (leaf excluded, toward the root).</summary>
    /// <param name="leaf">The end-entity certificate.</param>
    /// <param name="chain">Issuers of the leaf, nearest first; the root may be included or left out.</param>
    /// <param name="key">The leaf's private key; needed only by formats that carry it.</param>
    /// <param name="format">The file format.</param>
    /// <param name="options">Passphrase and the explicit key requests.</param>
    public static Result<ExportedFile> Export(
        X509Certificate2 leaf,
        IReadOnlyList<X509Certificate2> chain,
        AsymmetricAlgorithm? key,
        ExportFormat format,
        ExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(options);

        if ((CheckChain(leaf, chain) ?? CheckRequest(leaf, key, format, options)) is { } error)
        {
            return error;
        }

        var stem = FileStem(leaf);
        try
        {
            return format switch
            {
                ExportFormat.PemCertificate => Pem(Certificates([leaf]), $"{stem}.crt"),
                ExportFormat.PemChain => chain.Count == 0
                    ? new Error("chain-empty", "The certificate has no chain to export; export the certificate alone.")
                    : Pem(Certificates(chain), $"{stem}.chain.pem"),
                ExportFormat.PemFullChain => Pem(Certificates([leaf, .. chain]), $"{stem}.fullchain.pem"),
                ExportFormat.PemPrivateKey => PrivateKeyPem(key!, options, stem),
                ExportFormat.Der => new ExportedFile(leaf.RawData, $"{stem}.cer", "application/pkix-cert"),
                ExportFormat.Pkcs7Der => new ExportedFile(
                    Pkcs7CertificatesOnly.Encode([leaf, .. chain]), $"{stem}.p7b", "application/pkcs7-mime"),
                ExportFormat.Pkcs7Pem => Pem(
                    PemEncoding.WriteString("PKCS7", Pkcs7CertificatesOnly.Encode([leaf, .. chain])) + "\n",
                    $"{stem}.p7b.pem"),
                ExportFormat.Pkcs12 => Pkcs12(leaf, chain, options.IncludeKey ? key : null, options, stem, $"{stem}.p12"),
                ExportFormat.JavaPkcs12Keystore => Pkcs12(leaf, chain, key, options, stem, $"{stem}.keystore.p12"),
                ExportFormat.HaproxyPem => Pem(
                    Certificates([leaf, .. chain]) + key!.ExportPkcs8PrivateKeyPem() + "\n",
                    $"{stem}.haproxy.pem",
                    containsUnencryptedKey: true),
                _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown export format."),
            };
        }
        catch (CryptographicException)
        {
            // The exception text may describe the key; say only what a person can act on.
            return new Error("key-not-exportable", "The private key cannot be exported (it is not marked exportable or its type is not supported).");
        }
    }

    private enum KeyUse
    {
        Never,
        Optional,
        Required,
    }

    private static KeyUse KeyUseOf(ExportFormat format) => format switch
    {
        ExportFormat.PemPrivateKey or ExportFormat.JavaPkcs12Keystore or ExportFormat.HaproxyPem => KeyUse.Required,
        ExportFormat.Pkcs12 => KeyUse.Optional,
        _ => KeyUse.Never,
    };

    private static Error? CheckRequest(X509Certificate2 leaf, AsymmetricAlgorithm? key, ExportFormat format, ExportOptions options)
    {
        var keyUse = KeyUseOf(format);
        if (keyUse == KeyUse.Never)
        {
            return options.IncludeKey
                ? new Error("key-not-supported", $"The {format} format never carries a private key; export {nameof(ExportFormat.PemPrivateKey)} or {nameof(ExportFormat.Pkcs12)} for the key.")
                : null;
        }

        if (format is ExportFormat.Pkcs12 or ExportFormat.JavaPkcs12Keystore
            && (CheckPassphrase(options.Passphrase, "A PKCS#12 file") ?? CheckIterations(options)) is { } pkcs12Error)
        {
            return pkcs12Error;
        }

        if (keyUse == KeyUse.Optional && !options.IncludeKey)
        {
            return null;
        }

        if (!options.IncludeKey)
        {
            return new Error("key-not-requested", $"The {format} format carries the private key; request it explicitly ({nameof(ExportOptions.IncludeKey)}).");
        }

        if (key is null)
        {
            return new Error("key-required", $"The {format} format needs the certificate's private key, and none was given.");
        }

        var formatError = format switch
        {
            ExportFormat.HaproxyPem when !options.AllowUnencryptedKey => new Error(
                "unencrypted-key-not-allowed",
                "HAProxy cannot read an encrypted key, so its combined PEM holds the key in the clear; allow an unencrypted key explicitly."),
            ExportFormat.PemPrivateKey when options.Passphrase is null => options.AllowUnencryptedKey
                ? null
                : new Error("passphrase-required", "Exporting the private key needs a passphrase to encrypt it (or an explicit request for an unencrypted key)."),
            ExportFormat.PemPrivateKey => CheckPassphrase(options.Passphrase, "An encrypted private key") ?? CheckIterations(options),
            _ => null,
        };
        if (formatError is not null)
        {
            return formatError;
        }

        return KeyMatches(leaf, key)
            ? null
            : new Error("key-mismatch", "The private key does not belong to the certificate (their public keys differ).");
    }

    private static Error? CheckPassphrase(string? passphrase, string what) => passphrase switch
    {
        null => new Error("passphrase-required", $"{what} is protected by a passphrase; none was given."),
        "" => new Error("passphrase-required", $"{what} needs a passphrase; an empty passphrase is refused."),
        { Length: < ExportOptions.MinimumPassphraseLength } => new Error(
            "passphrase-too-short", $"The passphrase must be at least {ExportOptions.MinimumPassphraseLength} characters long."),
        _ => null,
    };

    private static Error? CheckIterations(ExportOptions options) =>
        options.KdfIterations is < ExportOptions.MinimumKdfIterations or > ExportOptions.MaximumKdfIterations
            ? new Error("kdf-iterations-out-of-range", $"KDF iterations must be between {ExportOptions.MinimumKdfIterations} and {ExportOptions.MaximumKdfIterations}.")
            : null;

    private static Error? CheckChain(X509Certificate2 leaf, IReadOnlyList<X509Certificate2> chain)
    {
        var child = leaf;
        for (var i = 0; i < chain.Count; i++)
        {
            var issuer = chain[i] ?? throw new ArgumentException("The chain holds a null certificate.", nameof(chain));
            if (!child.IssuerName.RawData.AsSpan().SequenceEqual(issuer.SubjectName.RawData))
            {
                return new Error("chain-out-of-order", $"Chain certificate {i + 1} ({issuer.Subject}) is not the issuer of {child.Subject}; give the chain nearest issuer first.");
            }

            child = issuer;
        }

        return null;
    }

    /// <summary>True when the key's public half is the leaf's SubjectPublicKeyInfo.</summary>
    internal static bool KeyMatches(X509Certificate2 leaf, AsymmetricAlgorithm key)
    {
        var expected = leaf.PublicKey.ExportSubjectPublicKeyInfo();
        if (key.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(expected))
        {
            return true;
        }

        // The same key can be encoded two ways (e.g. RSA parameters NULL or absent): compare the numbers too.
        return key switch
        {
            RSA rsa when leaf.GetRSAPublicKey() is { } certRsa => SameRsa(rsa.ExportParameters(false), certRsa.ExportParameters(false)),
            ECDsa ec when leaf.GetECDsaPublicKey() is { } certEc => SameEc(ec.ExportParameters(false), certEc.ExportParameters(false)),
            _ => false,
        };
    }

    private static bool SameRsa(RSAParameters a, RSAParameters b) =>
        a.Modulus.AsSpan().SequenceEqual(b.Modulus) && a.Exponent.AsSpan().SequenceEqual(b.Exponent);

    private static bool SameEc(ECParameters a, ECParameters b) =>
        a.Q.X.AsSpan().SequenceEqual(b.Q.X) && a.Q.Y.AsSpan().SequenceEqual(b.Q.Y)
        && a.Curve.Oid?.Value == b.Curve.Oid?.Value;

    private static string Certificates(IEnumerable<X509Certificate2> certificates)
    {
        var pem = new StringBuilder();
        foreach (var certificate in certificates)
        {
            pem.Append(PemEncoding.Write("CERTIFICATE", certificate.RawData)).Append('\n');
        }

        return pem.ToString();
    }

    private static ExportedFile Pem(string text, string fileName, bool containsUnencryptedKey = false) =>
        new(Encoding.ASCII.GetBytes(text), fileName, PemContentType) { ContainsUnencryptedKey = containsUnencryptedKey };

    private static ExportedFile PrivateKeyPem(AsymmetricAlgorithm key, ExportOptions options, string stem)
    {
        if (options.Passphrase is null)
        {
            return Pem(key.ExportPkcs8PrivateKeyPem() + "\n", $"{stem}.key", containsUnencryptedKey: true);
        }

        var pem = key.ExportEncryptedPkcs8PrivateKeyPem(options.Passphrase, Pbe(options));
        return Pem(pem + "\n", $"{stem}.key");
    }

    private static PbeParameters Pbe(ExportOptions options) =>
        new(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, options.KdfIterations);

    private static ExportedFile Pkcs12(
        X509Certificate2 leaf, IReadOnlyList<X509Certificate2> chain, AsymmetricAlgorithm? key, ExportOptions options, string stem, string fileName)
    {
        var bytes = Pkcs12Writer.Write(leaf, chain, key, options.Passphrase!, options.FriendlyName ?? stem, Pbe(options));
        return new ExportedFile(bytes, fileName, "application/x-pkcs12");
    }

    /// <summary>A file-name stem from the subject's common name (<c>*.example.com</c> → <c>wildcard.example.com</c>).</summary>
    internal static string FileStem(X509Certificate2 leaf)
    {
        var name = leaf.GetNameInfo(X509NameType.SimpleName, forIssuer: false).Trim();
        if (name.StartsWith("*.", StringComparison.Ordinal))
        {
            name = "wildcard" + name[1..];
        }

        var stem = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            stem.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_');
        }

        var text = stem.ToString().Trim('.', '_');
        return text.Length == 0 ? Thumbprints.Sha256(leaf)[..16].ToLowerInvariant() : text;
    }
}
