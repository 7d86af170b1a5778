using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using CertMgr.Core.Audit;
using CertMgr.Core.Pki;
using CertMgr.Core.Pki.Reading;
using CertMgr.Data;
using CertMgr.Data.Model;

namespace CertMgr.Core.Inventory;

/// <summary>
/// The one place inventory rows are made from certificates, so that import, acquisition and seeding store the same
/// facts the same way (thumbprints upper-case hex, dates UTC, SANs as DNS names then IP addresses).
/// </summary>
public static class InventoryRecords
{
    /// <summary>A <see cref="Certificate"/> row for a leaf and its chain (leaf excluded, ordered toward the root).</summary>
    public static Certificate NewCertificate(
        X509Certificate2 leaf, IEnumerable<X509Certificate2> chain, Guid definitionId, CertificateSource source, DateTimeOffset now,
        Guid? privateKeyId = null, Guid? requestId = null)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        ArgumentNullException.ThrowIfNull(chain);
        var spec = KeySpecs.Of(leaf);
        var chainPem = new StringBuilder();
        foreach (var c in chain)
        {
            chainPem.Append(PemEncoding.WriteString("CERTIFICATE", c.RawData)).Append('\n');
        }

        return new Certificate
        {
            DefinitionId = definitionId,
            RequestId = requestId,
            PrivateKeyId = privateKeyId,
            Source = source,
            Der = leaf.RawData,
            ChainPem = chainPem.Length == 0 ? null : chainPem.ToString(),
            Sha1 = Thumbprints.Sha1(leaf),
            Sha256 = Thumbprints.Sha256(leaf),
            Subject = leaf.Subject,
            Issuer = leaf.Issuer,
            SerialNumber = leaf.SerialNumber,
            CommonName = CertificateSummary.CommonNameOf(leaf.SubjectName),
            NotBefore = new DateTimeOffset(leaf.NotBefore.ToUniversalTime(), TimeSpan.Zero),
            NotAfter = new DateTimeOffset(leaf.NotAfter.ToUniversalTime(), TimeSpan.Zero),
            SubjectAlternativeNames = CertificateSummary.SansOf(leaf),
            KeyAlgorithm = spec.Algorithm,
            KeySize = spec.Size,
            CreatedAt = now,
        };
    }

    /// <summary>
    /// A definition describing an existing certificate (guide 2.7): DN parts, SANs and key spec from the certificate,
    /// the target server from its common name (or first SAN). Name, CommonName and dates are set; the caller adds the rest.
    /// </summary>
    public static CertificateDefinition NewDefinitionFrom(X509Certificate2 leaf, OperationMode mode, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        var sans = CertificateSummary.SansOf(leaf);
        var cn = CertificateSummary.CommonNameOf(leaf.SubjectName) ?? sans.FirstOrDefault() ?? leaf.SerialNumber;
        var spec = KeySpecs.Of(leaf);
        string? Part(string oid) => leaf.SubjectName.EnumerateRelativeDistinguishedNames()
            .Where(r => r.GetSingleElementType().Value == oid).Select(r => r.GetSingleElementValue()).LastOrDefault();
        var target = cn.StartsWith("*.", StringComparison.Ordinal) ? cn[2..] : cn;
        return new CertificateDefinition
        {
            Name = cn,
            CommonName = cn,
            OperationMode = mode,
            Organization = Part("2.5.4.10"),
            OrganizationalUnit = Part("2.5.4.11"),
            Locality = Part("2.5.4.7"),
            State = Part("2.5.4.8"),
            Country = Part("2.5.4.6"),
            SubjectAlternativeNames = sans,
            KeyAlgorithm = spec.Algorithm,
            KeySize = spec.Size,
            TargetServerName = target,
            CreatedAt = now,
            UpdatedAt = now,
        };
    }
}

/// <summary>
/// A definition's history is its audit trail: every event recorded with this object type and the definition's id.
/// Record steps with <see cref="Record"/> so the definition page and the audit log show the same thing.
/// </summary>
public static class DefinitionHistory
{
    public const string ObjectType = "CertificateDefinition";

    public static AuditEvent Record(CertMgrDbContext db, DateTimeOffset now, string actor, Guid definitionId, string action, string? detail = null) =>
        db.Record(now, actor, ObjectType, definitionId.ToString(), action, detail: detail);
}
