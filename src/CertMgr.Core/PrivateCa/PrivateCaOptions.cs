using CertMgr.Core.Setup;
using Microsoft.Extensions.Configuration;

namespace CertMgr.Core.PrivateCa;

/// <summary>
/// The private CA's configuration, section <c>PrivateCa</c> of <c>certmgr.json</c>: URLs put in every issued
/// certificate (CRL distribution points, caIssuers, OCSP), validity limits and the CRL's lifetime. When
/// <c>PkiHttpUrl</c> is set and no URLs are given, the CRL and caIssuers URLs point at CertMgr's own
/// <c>/pki/ca.crl</c> and <c>/pki/ca.crt</c> there.
/// </summary>
public sealed record PrivateCaOptions
{
    public const string SectionName = "PrivateCa";
    public const string PkiHttpUrlKey = "PkiHttpUrl";
    public const int DefaultMaxServerValidityDays = 397;
    public const int DefaultCrlValidityDays = 7;

    public IReadOnlyList<Uri> CrlDistributionPoints { get; init; } = [];
    public IReadOnlyList<Uri> CaIssuersUrls { get; init; } = [];
    public IReadOnlyList<Uri> OcspUrls { get; init; } = [];
    public int MaxServerValidityDays { get; init; } = DefaultMaxServerValidityDays;
    public int MaxClientValidityDays { get; init; } = DefaultMaxServerValidityDays;
    public int CrlValidityDays { get; init; } = DefaultCrlValidityDays;

    /// <exception cref="SettingsException">A value CertMgr cannot use.</exception>
    public static PrivateCaOptions From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(SectionName);
        var pkiBase = configuration[PkiHttpUrlKey] is { Length: > 0 } text ? ParseUrl(PkiHttpUrlKey, text) : null;

        var cdp = Urls(section, "CrlDistributionPoints");
        var issuers = Urls(section, "CaIssuersUrls");
        if (pkiBase is not null)
        {
            cdp = cdp.Count > 0 ? cdp : [new Uri(pkiBase, "/pki/ca.crl")];
            issuers = issuers.Count > 0 ? issuers : [new Uri(pkiBase, "/pki/ca.crt")];
        }

        return new PrivateCaOptions
        {
            CrlDistributionPoints = cdp,
            CaIssuersUrls = issuers,
            OcspUrls = Urls(section, "OcspUrls"),
            MaxServerValidityDays = Days(section, "MaxServerValidityDays", DefaultMaxServerValidityDays),
            MaxClientValidityDays = Days(section, "MaxClientValidityDays", DefaultMaxServerValidityDays),
            CrlValidityDays = Days(section, "CrlValidityDays", DefaultCrlValidityDays),
        };
    }

    private static List<Uri> Urls(IConfigurationSection section, string key) =>
        [.. section.GetSection(key).GetChildren()
            .Where(c => !string.IsNullOrWhiteSpace(c.Value))
            .Select(c => ParseUrl($"{SectionName}:{key}", c.Value!))];

    private static Uri ParseUrl(string key, string text)
    {
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) ||
            (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != "ldap"))
        {
            throw new SettingsException($"{key}: '{text}' is not an absolute http, https or ldap URL.");
        }

        return uri;
    }

    private static int Days(IConfigurationSection section, string key, int fallback)
    {
        var text = section[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        return int.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var days) && days is > 0 and <= 36500
            ? days
            : throw new SettingsException($"{SectionName}:{key}: '{text}' is not a number of days between 1 and 36500.");
    }
}
