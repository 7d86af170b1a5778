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
        };
    }
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
