using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertMgr.Data.Model;

namespace CertMgr.Web.ReadModels;

/// <summary>One extension, decoded for people: its name, OID, criticality and readable lines.</summary>
public sealed record ExtensionView(string Name, string Oid, bool Critical, IReadOnlyList<string> Values);

/// <summary>One certificate of the chain above the leaf.</summary>
public sealed record ChainEntryView(string Subject, string Issuer, DateTimeOffset NotBefore, DateTimeOffset NotAfter, string Sha256, bool SelfSigned);

/// <summary>"Show certificate" (guide 4.2.3): everything a person checks on a certificate, from its DER.</summary>
public sealed record CertificateView(
    Guid Id, Guid DefinitionId, string DefinitionName, bool IsCurrent, string Source, string? CommonName, string Subject,
    string Issuer, string SerialNumber, string Sha1, string Sha256, DateTimeOffset NotBefore, DateTimeOffset NotAfter,
    string KeyAlgorithm, int KeySize, bool HasPrivateKey, Guid? PrivateKeyId, string SignatureAlgorithm, int Version,
    IReadOnlyList<string> SubjectAlternativeNames, IReadOnlyList<ExtensionView> Extensions, IReadOnlyList<ChainEntryView> Chain)
{
    public static CertificateView From(Certificate c, string definitionName, bool isCurrent)
    {
        ArgumentNullException.ThrowIfNull(c);
        using var leaf = X509CertificateLoader.LoadCertificate(c.Der);
        var chain = ReadChain(c.ChainPem);
        try
        {
            return new CertificateView(
                c.Id, c.DefinitionId, definitionName, isCurrent, c.Source.ToString(), c.CommonName, c.Subject, c.Issuer,
                c.SerialNumber, c.Sha1, c.Sha256, c.NotBefore, c.NotAfter, c.KeyAlgorithm.ToString(), c.KeySize,
                c.PrivateKeyId is not null, c.PrivateKeyId, leaf.SignatureAlgorithm.FriendlyName ?? leaf.SignatureAlgorithm.Value ?? "?",
                leaf.Version, c.SubjectAlternativeNames, [.. leaf.Extensions.Select(Describe)],
                [.. chain.Select(x => new ChainEntryView(
                    x.Subject, x.Issuer, new DateTimeOffset(x.NotBefore.ToUniversalTime(), TimeSpan.Zero),
                    new DateTimeOffset(x.NotAfter.ToUniversalTime(), TimeSpan.Zero), Convert.ToHexString(x.GetCertHash(HashAlgorithmName.SHA256)),
                    x.SubjectName.RawData.AsSpan().SequenceEqual(x.IssuerName.RawData)))]);
        }
        finally
        {
            foreach (var x in chain)
            {
                x.Dispose();
            }
        }
    }

    /// <summary>The chain PEM as certificates, leaf excluded, toward the root.</summary>
    public static List<X509Certificate2> ReadChain(string? chainPem)
    {
        var list = new List<X509Certificate2>();
        if (string.IsNullOrWhiteSpace(chainPem))
        {
            return list;
        }

        var rest = chainPem.AsSpan();
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

    private static ExtensionView Describe(X509Extension e)
    {
        var oid = e.Oid?.Value ?? "";
        var name = Names.TryGetValue(oid, out var known) ? known : e.Oid?.FriendlyName ?? oid;
        string[] values;
        try
        {
            values = e switch
            {
                X509KeyUsageExtension ku => [ku.KeyUsages.ToString()],
                X509EnhancedKeyUsageExtension eku => [.. eku.EnhancedKeyUsages.Cast<Oid>().Select(o => $"{o.FriendlyName ?? "?"} ({o.Value})")],
                X509BasicConstraintsExtension bc => [bc.CertificateAuthority ? "CA: yes" : "CA: no",
                    .. bc.HasPathLengthConstraint ? new[] { $"Path length: {bc.PathLengthConstraint}" } : []],
                X509SubjectKeyIdentifierExtension ski => [ski.SubjectKeyIdentifier ?? ""],
                X509SubjectAlternativeNameExtension san => [.. san.EnumerateDnsNames().Select(d => $"DNS: {d}"),
                    .. san.EnumerateIPAddresses().Select(ip => $"IP: {ip}")],
                _ when oid == SctListOid => ["Signed Certificate Timestamps present (Certificate Transparency)"],
                _ => Lines(e.Format(multiLine: true)),
            };
        }
        catch (Exception ex) when (ex is CryptographicException or AsnContentException or FormatException)
        {
            values = ["(could not be decoded)"];
        }

        return new ExtensionView(name, oid, e.Critical, values.Length == 0 ? [Convert.ToHexString(e.RawData)] : values);
    }

    private static string[] Lines(string formatted) =>
        formatted.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private const string SctListOid = "1.3.6.1.4.1.11129.2.4.2";

    private static readonly Dictionary<string, string> Names = new()
    {
        ["2.5.29.15"] = "Key usage",
        ["2.5.29.37"] = "Extended key usage",
        ["2.5.29.19"] = "Basic constraints",
        ["2.5.29.14"] = "Subject key identifier",
        ["2.5.29.35"] = "Authority key identifier",
        ["2.5.29.17"] = "Subject alternative names",
        ["2.5.29.31"] = "CRL distribution points",
        ["1.3.6.1.5.5.7.1.1"] = "Authority information access",
        ["2.5.29.32"] = "Certificate policies",
        [SctListOid] = "Certificate Transparency SCT list",
        ["1.3.6.1.5.5.7.1.24"] = "TLS feature (OCSP must-staple)",
        ["2.5.29.30"] = "Name constraints",
    };
}
