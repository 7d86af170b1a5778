using System.Globalization;
using CertMgr.Core.Setup;
using Microsoft.Extensions.Configuration;

namespace CertMgr.Core.Discovery;

/// <summary>
/// What a found certificate is judged against (guide 4.5): key sizes, forbidden signature hashes, the longest
/// acceptable validity, and how early an approaching expiry is flagged. Defaults here, overridable in certmgr.json
/// under <c>Discovery:Policy</c>.
/// </summary>
public sealed record CertificatePolicy
{
    public static readonly CertificatePolicy Default = new();

    public int MinRsaBits { get; init; } = 2048;
    public int MinEcBits { get; init; } = 256;

    /// <summary>Hash names (upper case, e.g. <c>SHA1</c>, <c>MD5</c>) whose signatures count as weak.</summary>
    public IReadOnlyList<string> ForbiddenSignatureHashes { get; init; } = ["MD2", "MD5", "SHA1"];

    /// <summary>Validity (not before → not after) longer than this is flagged (398 days: the CA/Browser Forum limit).</summary>
    public int MaxValidityDays { get; init; } = 398;

    /// <summary>A certificate expiring within this many days is "expiring".</summary>
    public int ExpiryWarningDays { get; init; } = 30;
}

/// <summary>Discovery's settings: the largest scan allowed and the certificate policy (<c>Discovery</c> in certmgr.json).</summary>
public sealed record DiscoveryOptions
{
    public const string SectionName = "Discovery";

    /// <summary>Endpoints (addresses × ports) one scan may cover.</summary>
    public int MaxTargets { get; init; } = 65_536;

    public CertificatePolicy Policy { get; init; } = CertificatePolicy.Default;

    public static DiscoveryOptions From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(SectionName);
        var policy = section.GetSection("Policy");
        var forbidden = policy.GetSection("ForbiddenSignatureHashes").GetChildren().Select(c => c.Value?.Trim().ToUpperInvariant()).OfType<string>().ToList();
        return new DiscoveryOptions
        {
            MaxTargets = Number(section, "MaxTargets", 65_536, 1, 16_777_216),
            Policy = new CertificatePolicy
            {
                MinRsaBits = Number(policy, "MinRsaBits", CertificatePolicy.Default.MinRsaBits, 512, 16384),
                MinEcBits = Number(policy, "MinEcBits", CertificatePolicy.Default.MinEcBits, 160, 521),
                MaxValidityDays = Number(policy, "MaxValidityDays", CertificatePolicy.Default.MaxValidityDays, 1, 36500),
                ExpiryWarningDays = Number(policy, "ExpiryWarningDays", CertificatePolicy.Default.ExpiryWarningDays, 0, 3650),
                ForbiddenSignatureHashes = forbidden.Count > 0 ? forbidden : CertificatePolicy.Default.ForbiddenSignatureHashes,
            },
        };
    }

    private static int Number(IConfigurationSection section, string key, int fallback, int min, int max)
    {
        var text = section[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new SettingsException($"{section.Path}:{key}: '{text}' is not a number from {min} to {max}.");
    }
}
