using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using CertMgr.Core.Common;

namespace CertMgr.Core.Discovery;

/// <summary>An endpoint that answered without giving a certificate: non-TLS, silent, or a failed handshake.</summary>
public sealed record EndpointNote(string Address, string Host, int Port, EndpointKind Kind, string Reason);

/// <summary>One certificate and every endpoint that served it.</summary>
public sealed record CertificateGroup(string Sha256, DiscoveredCertificate First, IReadOnlyList<DiscoveredCertificate> Findings);

/// <summary>The outcome of a scan: the certificates found, the other answers, the counts.</summary>
public sealed record DiscoveryReport(
    int Targets, IReadOnlyList<DiscoveredCertificate> Found, IReadOnlyList<EndpointNote> Others, int Closed, TimeSpan Elapsed)
{
    public int NonTls => Others.Count(o => o.Kind == EndpointKind.NonTls);

    /// <summary>Endpoints with no handshake: closed or filtered ports, silent servers, failed handshakes.</summary>
    public int Unreachable => Closed + Others.Count(o => o.Kind != EndpointKind.NonTls);

    /// <summary>Identical certificates (by SHA-256) found on several endpoints, together; most endpoints first.</summary>
    public IReadOnlyList<CertificateGroup> Groups() =>
        [.. Found.GroupBy(f => f.Sha256, StringComparer.Ordinal).Select(g => new CertificateGroup(g.Key, g.First(), [.. g]))
            .OrderByDescending(g => g.Findings.Count).ThenBy(g => g.First.CommonName, StringComparer.Ordinal)];

    /// <summary>Builds the report from the scanner's observations.</summary>
    public static DiscoveryReport From(DiscoveryPlan plan, IReadOnlyList<EndpointObservation> observations, FindingAnalyzer analyzer, ScanProgress progress)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(observations);
        ArgumentNullException.ThrowIfNull(analyzer);
        ArgumentNullException.ThrowIfNull(progress);
        var found = new DiscoveredCertificate[observations.Count(o => o.Kind == EndpointKind.Tls)];
        var tls = observations.Where(o => o.Kind == EndpointKind.Tls).ToList();
        Parallel.For(0, tls.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i => found[i] = analyzer.Analyze(tls[i].Probe));
        var others = observations.Where(o => o.Kind != EndpointKind.Tls)
            .Select(o => new EndpointNote(o.Probe.Address?.ToString() ?? o.Probe.Host, o.Probe.Host, o.Probe.Port, o.Kind, Describe(o)))
            .ToList();
        return new DiscoveryReport(plan.EndpointCount, found, others, progress.Unreachable, progress.Elapsed);
    }

    private static string Describe(EndpointObservation o)
    {
        if (o.Kind != EndpointKind.NonTls)
        {
            return o.Probe.Failure ?? o.Kind.ToString();
        }

        var first = o.Probe.FirstBytes.ToArray();
        var text = Encoding.ASCII.GetString(first);
        return text.StartsWith("HTTP/", StringComparison.Ordinal) ? "plain HTTP (answered the TLS hello with an HTTP response)"
            : text.StartsWith("SSH-", StringComparison.Ordinal) ? "SSH"
            : first.Length > 0 && first.All(b => b is >= 0x20 and < 0x7f or (byte)'\r' or (byte)'\n') ? $"not TLS: a text banner ('{text.TrimEnd()}')"
            : $"not TLS: unrecognised bytes {Convert.ToHexString(first)}";
    }
}

/// <summary>The report as JSON (the <c>certmgr discover --json</c> shape) and as CSV.</summary>
public static class DiscoveryExport
{
    private static readonly JsonSerializerOptions Json = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    private static readonly string[] CsvColumns =
    [
        "address", "port", "sni", "sha1", "sha256", "subject", "commonName", "issuer", "notAfter", "daysRemaining", "trusted", "trustDetail",
        "selfSigned", "expired", "expiring", "hostnameMatch", "keyAlgorithm", "keySize", "signatureAlgorithm", "weakKey", "weakSignature",
        "chainLength", "managed", "endpointsWithSameCertificate", "problems",
    ];

    /// <summary>One finding in the JSON shape of issue 10 (plus <c>problems</c> when <paramref name="detailed"/>).</summary>
    public static Dictionary<string, object?> Row(DiscoveredCertificate f, bool detailed = false)
    {
        ArgumentNullException.ThrowIfNull(f);
        var row = new Dictionary<string, object?>
        {
            ["address"] = f.Address,
            ["port"] = f.Port,
            ["sni"] = f.Sni,
            ["sha1"] = f.Sha1,
            ["sha256"] = f.Sha256,
            ["subject"] = f.Subject,
            ["commonName"] = f.CommonName,
            ["issuer"] = f.Issuer,
            ["notAfter"] = Iso(f.NotAfter),
            ["selfSigned"] = f.SelfSigned,
            ["trusted"] = f.Trusted,
            ["hostnameMatch"] = f.HostnameMatch,
            ["keyAlgorithm"] = f.KeyAlgorithm,
            ["keySize"] = f.KeySize,
            ["signatureAlgorithm"] = f.SignatureAlgorithm,
            ["chainLength"] = f.ChainLength,
            ["managed"] = f.Managed,
        };
        if (detailed)
        {
            row["trustDetail"] = f.TrustDetail;
            row["expired"] = f.Expired;
            row["expiring"] = f.Expiring;
            row["weakKey"] = f.WeakKey;
            row["weakSignature"] = f.WeakSignature;
            row["problems"] = f.Problems;
        }

        return row;
    }

    public static string ToJson(DiscoveryReport report, bool detailed = false)
    {
        ArgumentNullException.ThrowIfNull(report);
        return JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["targets"] = report.Targets,
            ["found"] = report.Found.Select(f => Row(f, detailed)),
            ["nonTls"] = report.NonTls,
            ["unreachable"] = report.Unreachable,
            ["seconds"] = Math.Round(report.Elapsed.TotalSeconds, 3),
        }, Json);
    }

    public static string ToCsv(IEnumerable<DiscoveredCertificate> findings)
    {
        ArgumentNullException.ThrowIfNull(findings);
        var list = findings.ToList();
        var counts = list.GroupBy(f => f.Sha256, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var csv = new StringBuilder().AppendJoin(',', CsvColumns).Append("\r\n");
        foreach (var f in list)
        {
            string?[] cells =
            [
                f.Address, Num(f.Port), f.Sni, f.Sha1, f.Sha256, f.Subject, f.CommonName, f.Issuer, Iso(f.NotAfter), Num(f.DaysRemaining), Bool(f.Trusted),
                f.TrustDetail, Bool(f.SelfSigned), Bool(f.Expired), Bool(f.Expiring), Bool(f.HostnameMatch), f.KeyAlgorithm, Num(f.KeySize),
                f.SignatureAlgorithm, Bool(f.WeakKey), Bool(f.WeakSignature), Num(f.ChainLength), Bool(f.Managed), Num(counts[f.Sha256]),
                string.Join("; ", f.Problems),
            ];
            CsvText.AppendRow(csv, cells);
        }

        return csv.ToString();
    }

    private static string Num(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Bool(bool b) => b ? "true" : "false";

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
