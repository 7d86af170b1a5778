using System.Net;
using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.PrivateCa;
using CertMgr.Data.Model;

namespace CertMgr.Core.Inventory;

/// <summary>
/// The subject and names a definition's certificate must carry, and whether a certificate carries them: the one rule
/// for CSRs, private-CA issuance, product fit and the receive check.
/// </summary>
public static class DefinitionNames
{
    /// <summary>The definition's DN: C, ST, L, O, OU when set, then CN.</summary>
    public static X500DistinguishedName SubjectOf(CertificateDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var dn = new X500DistinguishedNameBuilder();
        AddIf(definition.Country, v => dn.AddCountryOrRegion(v));
        AddIf(definition.State, v => dn.AddStateOrProvinceName(v));
        AddIf(definition.Locality, v => dn.AddLocalityName(v));
        AddIf(definition.Organization, v => dn.AddOrganizationName(v));
        AddIf(definition.OrganizationalUnit, v => dn.AddOrganizationalUnitName(v));
        dn.AddCommonName(definition.CommonName);
        return dn.Build();
    }

    /// <summary>The common name (when it is a DNS name or IP address) then the SANs, without duplicates.</summary>
    public static IReadOnlyList<string> Of(CertificateDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var names = new List<string>();
        if (IssuancePolicy.IsDnsName(definition.CommonName) || IssuancePolicy.IsIpAddress(definition.CommonName))
        {
            names.Add(definition.CommonName);
        }

        names.AddRange(definition.SubjectAlternativeNames.Where(n => !string.IsNullOrWhiteSpace(n)).Select(n => n.Trim()));
        return names.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }

    /// <summary>Whether any required name is a wildcard (<c>*.</c> first).</summary>
    public static bool NeedsWildcard(CertificateDefinition definition) =>
        definition.RequireWildcard || Of(definition).Any(n => n.StartsWith("*.", StringComparison.Ordinal));

    /// <summary>The required names the certificate does not cover (its SANs, or its CN when it has none).</summary>
    public static IReadOnlyList<string> Missing(CertificateDefinition definition, X509Certificate2 certificate, IReadOnlyList<string> certificateNames)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(certificateNames);
        return Of(definition).Where(n => !certificateNames.Any(c => Covers(c, n))).ToList();
    }

    /// <summary>An exact match (case-insensitive), or a wildcard name covering exactly one more label.</summary>
    public static bool Covers(string certificateName, string required)
    {
        ArgumentNullException.ThrowIfNull(certificateName);
        ArgumentNullException.ThrowIfNull(required);
        if (string.Equals(certificateName, required, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (IPAddress.TryParse(required, out _) || !certificateName.StartsWith("*.", StringComparison.Ordinal) || required.StartsWith("*.", StringComparison.Ordinal))
        {
            return false;
        }

        var dot = required.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && string.Equals(required[(dot + 1)..], certificateName[2..], StringComparison.OrdinalIgnoreCase);
    }

    private static void AddIf(string? value, Action<string> add)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            add(value.Trim());
        }
    }
}
