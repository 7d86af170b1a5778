using System.Text.Json;
using System.Text.Json.Serialization;

namespace CertMgr.Core.Acme.Client;

/// <summary>An ACME server's directory (RFC 8555 7.1.1), with ARI's renewalInfo (RFC 9773) and profiles where offered.</summary>
public sealed record AcmeDirectory
{
    public Uri? NewNonce { get; init; }
    public Uri? NewAccount { get; init; }
    public Uri? NewOrder { get; init; }
    public Uri? RevokeCert { get; init; }
    public Uri? KeyChange { get; init; }
    public Uri? RenewalInfo { get; init; }
    public AcmeDirectoryMeta? Meta { get; init; }
}

public sealed record AcmeDirectoryMeta
{
    public string? TermsOfService { get; init; }
    public Uri? Website { get; init; }
    public bool ExternalAccountRequired { get; init; }

    /// <summary>Certificate profiles the CA offers: name → description.</summary>
    public Dictionary<string, string>? Profiles { get; init; }
}

public sealed record AcmeIdentifier(string Type, string Value);

/// <summary>An account object, with its URL (the kid of later requests).</summary>
public sealed record AcmeAccount
{
    public string? Status { get; init; }
    public List<string>? Contact { get; init; }
    [JsonIgnore]
    public Uri? Url { get; init; }
}

/// <summary>An order object, with its URL.</summary>
public sealed record AcmeOrder
{
    public string? Status { get; init; }
    public List<AcmeIdentifier> Identifiers { get; init; } = [];
    public List<Uri> Authorizations { get; init; } = [];
    public Uri? Finalize { get; init; }
    public Uri? Certificate { get; init; }
    public AcmeProblem? Error { get; init; }
    public string? Profile { get; init; }
    public string? Replaces { get; init; }
    [JsonIgnore]
    public Uri? Url { get; init; }
    [JsonIgnore]
    public TimeSpan? RetryAfter { get; init; }
}

public sealed record AcmeAuthorization
{
    public string? Status { get; init; }
    public AcmeIdentifier? Identifier { get; init; }
    public List<AcmeChallenge> Challenges { get; init; } = [];
    public bool Wildcard { get; init; }
    [JsonIgnore]
    public TimeSpan? RetryAfter { get; init; }
}

public sealed record AcmeChallenge
{
    public string? Type { get; init; }
    public Uri? Url { get; init; }
    public string? Status { get; init; }
    public string? Token { get; init; }
    public AcmeProblem? Error { get; init; }
}

/// <summary>An RFC 7807 problem document as ACME sends it (RFC 8555 6.7).</summary>
public sealed record AcmeProblem
{
    public string? Type { get; init; }
    public string? Detail { get; init; }
    public int? Status { get; init; }
    public List<AcmeProblem>? Subproblems { get; init; }
}

/// <summary>ARI's suggested renewal window (RFC 9773 4.2).</summary>
public sealed record AcmeRenewalInfo
{
    public AcmeRenewalWindow? SuggestedWindow { get; init; }
    public Uri? ExplanationUrl { get; init; }
    [JsonIgnore]
    public TimeSpan? RetryAfter { get; init; }
}

public sealed record AcmeRenewalWindow(DateTimeOffset Start, DateTimeOffset End);

/// <summary>A downloaded certificate chain (leaf first, DER) and the URLs of alternate chains (Link rel="alternate").</summary>
public sealed record AcmeCertificateChain(IReadOnlyList<byte[]> Certificates, IReadOnlyList<Uri> Alternates);

internal static class AcmeJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
