using System.Text.Json;
using CertMgr.Data.Model;
using CertMgr.Data.Secrets;

namespace CertMgr.Core.Acme.Client;

/// <summary>Which challenge an ACME connection answers.</summary>
public enum AcmeChallengeType
{
    /// <summary>HTTP-01 by CertMgr's own responder.</summary>
    Http01,

    /// <summary>DNS-01 by an RFC 2136 dynamic update with TSIG.</summary>
    Dns01,
}

/// <summary>
/// An ACME connection's non-secret settings, stored as the connection's SettingsJson: account state, trust for the
/// directory's TLS, and how challenges are answered.
/// </summary>
public sealed record AcmeConnectionSettings
{
    public bool TermsOfServiceAgreed { get; init; }
    public string? EabKeyId { get; init; }
    public string? AccountUrl { get; init; }
    public string? AccountStatus { get; init; }
    public DateTimeOffset? AccountCheckedAt { get; init; }

    /// <summary>PEM bundle trusted for the directory's TLS instead of the system store (private or test CAs).</summary>
    public string? CaBundlePem { get; init; }
    public AcmeChallengeType Challenge { get; init; }

    /// <summary>Where CertMgr's HTTP-01 responder listens, e.g. 0.0.0.0:80.</summary>
    public string? Http01Address { get; init; }

    /// <summary>The zone's authoritative DNS server (address:port) for RFC 2136 updates.</summary>
    public string? DnsServer { get; init; }
    public string? DnsZone { get; init; }
    public string? TsigKeyName { get; init; }
    public string? TsigAlgorithm { get; init; }

    /// <summary>The profiles the directory listed at the last account check.</summary>
    public List<string> Profiles { get; init; } = [];

    public static AcmeConnectionSettings Of(CaConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return string.IsNullOrEmpty(connection.SettingsJson)
            ? new AcmeConnectionSettings()
            : JsonSerializer.Deserialize<AcmeConnectionSettings>(connection.SettingsJson, Json) ?? new AcmeConnectionSettings();
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };
}

/// <summary>
/// An ACME connection's secrets, sealed together in the connection's EncryptedSecret (purpose "ca-connection"): the
/// account key (PKCS#8), the EAB HMAC key and the TSIG secret. Never in a response, log or error.
/// </summary>
public sealed record AcmeConnectionSecrets
{
    public const string Purpose = "ca-connection";

    public byte[]? AccountKey { get; init; }
    public byte[]? EabHmacKey { get; init; }
    public byte[]? TsigSecret { get; init; }

    public static AcmeConnectionSecrets Open(CaConnection connection, SecretProtector protector)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(protector);
        return connection.EncryptedSecret is null
            ? new AcmeConnectionSecrets()
            : JsonSerializer.Deserialize<AcmeConnectionSecrets>(protector.Unprotect(connection.EncryptedSecret, Purpose)) ?? new AcmeConnectionSecrets();
    }

    public byte[] Seal(SecretProtector protector)
    {
        ArgumentNullException.ThrowIfNull(protector);
        return protector.Protect(JsonSerializer.SerializeToUtf8Bytes(this), Purpose);
    }
}
