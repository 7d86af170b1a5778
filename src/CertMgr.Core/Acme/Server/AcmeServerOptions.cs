using System.Net;
using Microsoft.Extensions.Configuration;

namespace CertMgr.Core.Acme.Server;

/// <summary>
/// The "AcmeServer" section of certmgr.json: whether the built-in CA's ACME directory at <c>/acme/directory</c> is on,
/// whether accounts need EAB credentials, the global allow-list of domains, and where validation looks (the HTTP-01
/// port, a fixed address to connect to instead of resolving names, the DNS server asked for DNS-01 TXT records).
/// </summary>
public sealed class AcmeServerOptions
{
    public bool Enabled { get; init; }
    public bool RequireEab { get; init; }
    /// <summary>Domains any account may obtain (a name matches a domain and its subdomains); empty means none.</summary>
    public IReadOnlyList<string> AllowedDomains { get; init; } = [];
    /// <summary>The port HTTP-01 validation connects to (RFC 8555 says 80; tests use a high loopback port).</summary>
    public int Http01Port { get; init; } = 80;
    /// <summary>When set, HTTP-01 validation connects here instead of to the name's resolved addresses.</summary>
    public IPAddress? ValidationAddress { get; init; }
    /// <summary>The DNS server asked for DNS-01 TXT records; null means the first nameserver of /etc/resolv.conf.</summary>
    public IPEndPoint? DnsServer { get; init; }
    public TimeSpan OrderLifetime { get; init; } = TimeSpan.FromDays(1);
    public TimeSpan AuthorizationLifetime { get; init; } = TimeSpan.FromDays(1);
    public int CertificateDays { get; init; } = 90;
    /// <summary>How long a valid authorization of an account is reused for its new orders (0: never reused).</summary>
    public int AuthorizationReuseDays { get; init; } = 30;
    /// <summary>The largest JWS body the server reads.</summary>
    public int MaxBodyBytes { get; init; } = 64 * 1024;
    /// <summary>
    /// The certificate profiles the directory offers (draft-ietf-acme-profiles); an order names one or gets the
    /// server's default validity (<see cref="CertificateDays"/>).
    /// </summary>
    public IReadOnlyList<AcmeServerProfile> Profiles { get; init; } = AcmeServerProfile.Defaults;

    /// <summary>The profile of that name, or null when the server offers none so named.</summary>
    public AcmeServerProfile? Profile(string name) => Profiles.FirstOrDefault(p => p.Name == name);

    /// <summary>The validity an order gets: its profile's, or the server's default without one.</summary>
    public int DaysOf(string? profile) => profile is not null && Profile(profile)?.Days is { } days ? days : CertificateDays;

    /// <summary>A copy with the console's overrides (<see cref="AcmeServerSettings"/>) applied where set.</summary>
    public AcmeServerOptions With(AcmeServerOverrides overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        return new AcmeServerOptions
        {
            Enabled = overrides.Enabled ?? Enabled,
            RequireEab = overrides.RequireEab ?? RequireEab,
            AllowedDomains = overrides.AllowedDomains ?? AllowedDomains,
            Http01Port = Http01Port,
            ValidationAddress = ValidationAddress,
            DnsServer = DnsServer,
            OrderLifetime = OrderLifetime,
            AuthorizationLifetime = AuthorizationLifetime,
            CertificateDays = overrides.CertificateDays ?? CertificateDays,
            AuthorizationReuseDays = overrides.AuthorizationReuseDays ?? AuthorizationReuseDays,
            MaxBodyBytes = MaxBodyBytes,
            Profiles = Profiles,
        };
    }

    public static AcmeServerOptions From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var s = configuration.GetSection("AcmeServer");
        return new AcmeServerOptions
        {
            Enabled = s.GetValue("Enabled", false),
            RequireEab = s.GetValue("RequireEab", false),
            AllowedDomains = s.GetSection("AllowedDomains").Get<string[]>()?.Select(AcmeNames.Normalize).ToArray() ?? [],
            Http01Port = s.GetValue("Http01Port", 80),
            ValidationAddress = s["ValidationAddress"] is { Length: > 0 } a ? IPAddress.Parse(a) : null,
            DnsServer = s["DnsServer"] is { Length: > 0 } d ? IPEndPoint.Parse(d.Contains(':', StringComparison.Ordinal) ? d : d + ":53") : null,
            CertificateDays = s.GetValue("CertificateDays", 90),
            AuthorizationReuseDays = s.GetValue("AuthorizationReuseDays", 30),
            Profiles = AcmeServerProfile.From(s.GetSection("Profiles")),
        };
    }
}

/// <summary>
/// A certificate profile of the ACME server (draft-ietf-acme-profiles): a name clients put in <c>newOrder</c>, the
/// description the directory shows, and the validity in days (null: the server's <c>CertificateDays</c>).
/// </summary>
public sealed record AcmeServerProfile(string Name, string Description, int? Days)
{
    /// <summary>What the server offers unless certmgr.json lists its own: the usual server certificate and a 7-day one.</summary>
    public static IReadOnlyList<AcmeServerProfile> Defaults { get; } =
    [
        new("tlsserver", "TLS server certificate with the server's default validity", null),
        new("shortlived", "Short-lived TLS server certificate, valid 7 days", 7),
    ];

    /// <summary>
    /// Profiles from certmgr.json: <c>"Profiles": { "name": { "Description": "...", "Days": 30 } }</c>; no section keeps
    /// the defaults, and <c>"Profiles": { "Enabled": false }</c> offers none. A malformed entry stops the start with
    /// the reason, so a typo never silently changes what clients get.
    /// </summary>
    public static IReadOnlyList<AcmeServerProfile> From(IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        var children = section.GetChildren().ToList();
        if (children.Count == 0)
        {
            return Defaults;
        }

        if (section["Enabled"] is { } enabled)
        {
            return bool.TryParse(enabled, out var on) && !on
                ? []
                : throw new InvalidOperationException("AcmeServer:Profiles:Enabled may only be false (to offer no profiles); list profiles by name to offer them.");
        }

        var list = new List<AcmeServerProfile>();
        foreach (var child in children)
        {
            var name = child.Key;
            if (!IsValidName(name))
            {
                throw new InvalidOperationException($"AcmeServer:Profiles: \"{name}\" is not a valid profile name (1 to 64 of a-z, 0-9, '-', '_', '.').");
            }

            int? days = null;
            if (child["Days"] is { Length: > 0 } text)
            {
                days = int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var d) && d >= 1
                    ? d
                    : throw new InvalidOperationException($"AcmeServer:Profiles:{name}:Days must be a whole number of days, 1 or more; it is \"{text}\".");
            }

            var description = child["Description"] is { Length: > 0 } given ? given.Trim()
                : days is null ? "TLS server certificate with the server's default validity" : $"TLS server certificate, valid {days} days";
            list.Add(new AcmeServerProfile(name, description, days));
        }

        return list;
    }

    /// <summary>Profile names as the draft's examples use them: short lower-case tokens.</summary>
    public static bool IsValidName(string? name) =>
        name is { Length: > 0 and <= 64 } && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.');
}

/// <summary>Identifier rules: lower-case DNS names, and the allow-list match (the domain itself and its subdomains).</summary>
public static class AcmeNames
{
    public static string Normalize(string name) => (name ?? "").Trim().TrimEnd('.').ToLowerInvariant();

    public static bool IsAllowed(string name, IEnumerable<string> domains)
    {
        var bare = name.StartsWith("*.", StringComparison.Ordinal) ? name[2..] : name;
        return domains.Any(d => bare == d || bare.EndsWith("." + d, StringComparison.Ordinal));
    }

    /// <summary>A DNS name (optionally a leading wildcard label) as the CA's issuance policy accepts.</summary>
    public static bool IsValid(string name)
    {
        var bare = name.StartsWith("*.", StringComparison.Ordinal) ? name[2..] : name;
        return bare.Length is > 0 and <= 253 && PrivateCa.IssuancePolicy.IsDnsName(bare) && !bare.Contains('*', StringComparison.Ordinal);
    }
}
