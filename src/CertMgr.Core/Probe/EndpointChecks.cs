using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.Pki;
using CertMgr.Core.Pki.Reading;
using CertMgr.Data.Model;

namespace CertMgr.Core.Probe;

/// <summary>What a check expects of an endpoint. Unset expectations are not checked.</summary>
public sealed record CheckExpectations
{
    /// <summary>The name the certificate must be valid for (RFC 6125: SANs only, wildcard in the left-most label, IPs against IP SANs).</summary>
    public string? NameToCheck { get; init; }

    /// <summary>The current certificate's thumbprints (lifecycle-managed), upper-case hex.</summary>
    public string? ExpectedSha1 { get; init; }
    public string? ExpectedSha256 { get; init; }

    /// <summary>The trust anchors for path validation (a Trusted CA Set); never the OS store.</summary>
    public X509Certificate2Collection? TrustAnchors { get; init; }

    /// <summary>DN parts the leaf's subject must carry (monitored-only), compared case-insensitively.</summary>
    public string? CommonName { get; init; }
    public string? Organization { get; init; }
    public string? Country { get; init; }

    /// <summary>NG when fewer days than this remain.</summary>
    public int ThresholdDays { get; init; } = 30;
}

/// <summary>One check's verdict, e.g. <c>{name: "validity", ok: false, detail: "expires in 5 days (threshold 30)"}</c>.</summary>
public sealed record CheckItem(string Name, bool Ok, string Detail);

/// <summary>The verdict on one endpoint and the facts it rests on.</summary>
public sealed record CheckReport(
    CheckStatus Status,
    string Target,
    string? Reason,
    string? Sha1,
    string? Sha256,
    string? Subject,
    string? Issuer,
    DateTimeOffset? NotAfter,
    int? DaysRemaining,
    int ChainLength,
    string? Protocol,
    string? CipherSuite,
    IReadOnlyList<CheckItem> Checks,
    ProbeTimings Timings)
{
    /// <summary>The failed checks' details, or the network reason: what a person needs to read first.</summary>
    public string Summary => Status switch
    {
        CheckStatus.Ok => "OK",
        CheckStatus.Unreachable => Reason ?? "unreachable",
        _ => string.Join("; ", Checks.Where(c => !c.Ok).Select(c => $"{c.Name}: {c.Detail}")),
    };
}

/// <summary>The deploy-check and monitoring verdicts (guide Appendix A): plain rules over a probe result.</summary>
public static class EndpointChecks
{
    public const string Thumbprint = "thumbprint";
    public const string Chain = "chain";
    public const string Name = "name";
    public const string Dn = "dn";
    public const string Validity = "validity";

    public static CheckReport Evaluate(ProbeResult probe, CheckExpectations expect, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(expect);
        if (!probe.Completed)
        {
            return new CheckReport(CheckStatus.Unreachable, probe.Target, probe.Failure, null, null, null, null, null, null, 0, null, null, [], probe.Timings);
        }

        var leaf = probe.Leaf;
        var sha1 = Thumbprints.Sha1(leaf);
        var sha256 = Thumbprints.Sha256(leaf);
        var notBefore = new DateTimeOffset(leaf.NotBefore.ToUniversalTime(), TimeSpan.Zero);
        var notAfter = new DateTimeOffset(leaf.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        var days = (int)Math.Floor((notAfter - now).TotalDays);
        var checks = new List<CheckItem>();

        if (expect.ExpectedSha1 is not null || expect.ExpectedSha256 is not null)
        {
            var sha1Ok = expect.ExpectedSha1 is null || string.Equals(expect.ExpectedSha1, sha1, StringComparison.OrdinalIgnoreCase);
            var sha256Ok = expect.ExpectedSha256 is null || string.Equals(expect.ExpectedSha256, sha256, StringComparison.OrdinalIgnoreCase);
            checks.Add(sha1Ok && sha256Ok
                ? new CheckItem(Thumbprint, true, $"served certificate is the expected one (SHA-1 {sha1})")
                : new CheckItem(Thumbprint, false, $"served certificate SHA-1 {sha1} is not the expected {expect.ExpectedSha1 ?? expect.ExpectedSha256} (another certificate is installed)"));
        }

        if (expect.TrustAnchors is not null)
        {
            var verdict = probe.PathValidation ?? PathVerdicts.Build(probe, expect.TrustAnchors, now);
            checks.Add(new CheckItem(Chain, verdict.Valid, verdict.Detail));
        }

        if (expect.NameToCheck is { Length: > 0 } name)
        {
            var matches = MatchesName(leaf, name);
            checks.Add(new CheckItem(Name, matches, matches
                ? $"valid for {name}"
                : $"not valid for {name}; it names {Names(leaf)}"));
        }

        if (expect.CommonName is not null || expect.Organization is not null || expect.Country is not null)
        {
            checks.Add(DnCheck(leaf, expect));
        }

        checks.Add(now < notBefore
            ? new CheckItem(Validity, false, $"not valid before {Iso(notBefore)}")
            : now >= notAfter
                ? new CheckItem(Validity, false, $"expired on {Iso(notAfter)}")
                : days < expect.ThresholdDays
                    ? new CheckItem(Validity, false, $"expires in {days} days on {Iso(notAfter)} (threshold {expect.ThresholdDays})")
                    : new CheckItem(Validity, true, $"{days} days remaining, until {Iso(notAfter)}"));

        var status = checks.TrueForAll(c => c.Ok) ? CheckStatus.Ok : CheckStatus.Ng;
        return new CheckReport(status, probe.Target, null, sha1, sha256, leaf.Subject, leaf.Issuer, notAfter, days, probe.ServedDer.Count,
            probe.Protocol.ToString(), probe.CipherSuite?.ToString(), checks, probe.Timings);
    }

    /// <summary>RFC 6125 as .NET implements it: SANs only (the CN is not consulted), wildcard as the whole left-most label.</summary>
    public static bool MatchesName(X509Certificate2 leaf, string name)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        ArgumentNullException.ThrowIfNull(name);
        try
        {
            return leaf.MatchesHostname(name.TrimEnd('.'), allowWildcards: true, allowCommonName: false);
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static CheckItem DnCheck(X509Certificate2 leaf, CheckExpectations expect)
    {
        var problems = new List<string>();
        void Compare(string label, string oid, string? expected)
        {
            if (expected is null)
            {
                return;
            }

            var actual = leaf.SubjectName.EnumerateRelativeDistinguishedNames()
                .Where(r => r.GetSingleElementType().Value == oid).Select(r => r.GetSingleElementValue()).LastOrDefault();
            if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"{label} is '{actual ?? "(none)"}', expected '{expected}'");
            }
        }

        Compare("CN", "2.5.4.3", expect.CommonName);
        Compare("O", "2.5.4.10", expect.Organization);
        Compare("C", "2.5.4.6", expect.Country);
        return problems.Count == 0
            ? new CheckItem(Dn, true, $"subject matches ({leaf.Subject})")
            : new CheckItem(Dn, false, string.Join("; ", problems));
    }

    private static string Names(X509Certificate2 leaf)
    {
        var sans = CertificateSummary.SansOf(leaf);
        return sans.Count == 0 ? "no subject alternative names" : string.Join(", ", sans.Take(10)) + (sans.Count > 10 ? $" and {sans.Count - 10} more" : "");
    }

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
