using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace CertMgr.Core.Pki.Reading;

/// <summary>
/// What <c>certmgr inspect</c> and <c>POST /api/v1/inspect</c> report about a bundle. Serialised with
/// <see cref="JsonOptions"/> it is the documented JSON object (camelCase, dates ISO-8601 UTC).
/// </summary>
public sealed record CertificateSummary(
    string Format,
    string Subject,
    string? CommonName,
    string Issuer,
    string SerialNumber,
    DateTime NotBefore,
    DateTime NotAfter,
    IReadOnlyList<string> Sans,
    string KeyAlgorithm,
    int KeySize,
    string Sha1,
    string Sha256,
    int ChainLength,
    bool HasPrivateKey)
{
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web);

    public static CertificateSummary From(CertificateBundle bundle)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        var leaf = bundle.Leaf;
        return new CertificateSummary(
            FormatName(bundle.Format),
            leaf.Subject,
            CommonNameOf(leaf.SubjectName),
            leaf.Issuer,
            leaf.SerialNumber,
            leaf.NotBefore.ToUniversalTime(),
            leaf.NotAfter.ToUniversalTime(),
            SansOf(leaf),
            bundle.KeySpec.Algorithm == Data.Model.KeyAlgorithm.Ecdsa ? "EC" : "RSA",
            bundle.KeySpec.Size,
            Thumbprints.Sha1(leaf),
            Thumbprints.Sha256(leaf),
            1 + bundle.Chain.Count,
            bundle.PrivateKey is not null);
    }

    public static string FormatName(CertificateFormat format) => format switch
    {
        CertificateFormat.Pem => "PEM",
        CertificateFormat.Der => "DER",
        CertificateFormat.Pkcs7 => "PKCS#7",
        CertificateFormat.Pkcs12 => "PKCS#12",
        CertificateFormat.Jks => "JKS",
        _ => format.ToString(),
    };

    /// <summary>Dates as the JSON shows them: ISO-8601, UTC, to the second.</summary>
    public static string IsoUtc(DateTime value) => value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string? CommonNameOf(X500DistinguishedName name) =>
        name.EnumerateRelativeDistinguishedNames()
            .Where(rdn => rdn.GetSingleElementType().Value == "2.5.4.3")
            .Select(rdn => rdn.GetSingleElementValue())
            .LastOrDefault();

    public static List<string> SansOf(X509Certificate2 certificate)
    {
        var extension = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        if (extension is null)
        {
            return [];
        }

        return [.. extension.EnumerateDnsNames(), .. extension.EnumerateIPAddresses().Select(ip => ip.ToString())];
    }
}
