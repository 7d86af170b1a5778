using System.Diagnostics;
using CertMgr.Core.Common;
using CertMgr.Core.Discovery;

namespace CertMgr.Core.Tests.Discovery;

public sealed class DiscoveryNetworkFixture : IAsyncLifetime
{
    internal DiscoveryNetwork Network { get; private set; } = null!;

    public async Task InitializeAsync() => Network = await DiscoveryNetwork.StartAsync("127.0.77");

    public async Task DisposeAsync() => await Network.DisposeAsync();
}

/// <summary>The scanner and the analysis against nginx and hostile servers on 127.0.77.0/28.</summary>
public sealed class DiscoveryScannerTests(DiscoveryNetworkFixture fixture) : IClassFixture<DiscoveryNetworkFixture>
{
    private static readonly ScanOptions Fast = new() { ConnectTimeout = TimeSpan.FromSeconds(1), HandshakeTimeout = TimeSpan.FromSeconds(1.5) };
    private readonly DiscoveryNetwork _net = fixture.Network;

    private DiscoveryPlan Plan(string targets, string? sni = null)
    {
        var plan = DiscoveryTargets.Parse(new DiscoveryInput([targets], $"{_net.PortA},{_net.PortB}", sni is null ? null : [sni]), 10_000);
        Assert.True(plan.IsSuccess, plan.Error?.Message);
        return plan.Value;
    }

    private async Task<(DiscoveryReport Report, ScanProgress Progress, TimeSpan Elapsed)> ScanAsync(DiscoveryPlan plan)
    {
        var progress = new ScanProgress();
        var clock = Stopwatch.StartNew();
        var observations = await DiscoveryScanner.ScanAsync(plan, Fast, progress, CancellationToken.None);
        clock.Stop();
        using var analyzer = new FindingAnalyzer(_net.Pki.Anchors, CertificatePolicy.Default, TimeProvider.System.GetUtcNow());
        return (DiscoveryReport.From(plan, observations, analyzer, progress), progress, clock.Elapsed);
    }

    [Fact]
    public async Task Scan_Block_FindsExactlyTheTlsEndpointsWithinTheTimeoutBound()
    {
        var plan = Plan($"{_net.Block}.0/28");

        var (report, progress, elapsed) = await ScanAsync(plan);

        string[] expected = [$"{_net.A(1)}:{_net.PortA}", $"{_net.A(1)}:{_net.PortB}", $"{_net.A(2)}:{_net.PortA}", $"{_net.A(3)}:{_net.PortA}", $"{_net.A(3)}:{_net.PortB}", $"{_net.A(4)}:{_net.PortA}"];
        Assert.Equal(expected.Order(StringComparer.Ordinal), report.Found.Select(f => f.Endpoint).Order(StringComparer.Ordinal));
        Assert.Equal(32, progress.Done);
        Assert.Equal(32, report.Targets);
        Assert.Equal(6, progress.Found);
        Assert.Equal(20, progress.Unreachable); // closed ports: 32 - 6 TLS - 6 others
        Assert.Equal(2, report.NonTls);
        Assert.Equal(20 + 4, report.Unreachable);
        // The silent server costs its handshake timeout; nothing else adds up (connects and handshakes run in parallel).
        Assert.True(elapsed < Fast.EndpointBound(0) + TimeSpan.FromSeconds(3), $"took {elapsed}");
    }

    [Fact]
    public async Task Scan_LibsslPath_CapturesExactlyWhatTheSslStreamPathCaptures()
    {
        Assert.True(CertMgr.Core.Probe.OpenSslHandshake.IsAvailable, "libssl.so.3 should load on Linux: the scan would fall back to SslStream");
        var plan = Plan($"{_net.Block}.0/28");

        var native = await DiscoveryScanner.ScanAsync(plan, Fast, new ScanProgress(), CancellationToken.None);
        var managed = await DiscoveryScanner.ScanAsync(plan, Fast with { UseSslStream = true }, new ScanProgress(), CancellationToken.None);

        static string Describe(EndpointObservation o) =>
            // The record header only: the two clients offer different extensions, so the ServerHello lengths differ.
            $"{o.Probe.Target} {o.Kind} {o.Probe.Protocol} {o.Probe.CipherSuite} first={Convert.ToHexString([.. o.Probe.FirstBytes.Take(3)])} "
            + string.Join(",", o.Probe.ServedDer.Select(d => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(d))[..16]));
        var differences = managed.Select(Describe).Zip(native.Select(Describe)).Where(p => p.First != p.Second).Select(p => $"SslStream {p.First}\n   libssl {p.Second}");
        Assert.Equal(managed.Count, native.Count);
        Assert.True(!differences.Any(), string.Join("\n", differences));
        Assert.Contains(native, o => o.Kind == EndpointKind.Tls && o.Probe.ServedDer.Count > 1); // chains, not only leaves
        Assert.Contains(native, o => o.Kind == EndpointKind.NonTls);
    }

    [Fact]
    public async Task Scan_HostileAndPlainServers_RecordedByKindNotAsCertificates()
    {
        var (report, _, _) = await ScanAsync(Plan($"{_net.Block}.0/28"));

        var others = report.Others.ToDictionary(o => $"{o.Address}:{o.Port}");
        Assert.Equal(6, others.Count);
        Assert.Equal(EndpointKind.NonTls, others[$"{_net.A(2)}:{_net.PortB}"].Kind);
        Assert.Contains("HTTP", others[$"{_net.A(2)}:{_net.PortB}"].Reason, StringComparison.Ordinal);
        Assert.Equal(EndpointKind.NonTls, others[$"{_net.A(11)}:{_net.PortA}"].Kind);
        Assert.Contains("DEADBEEF", others[$"{_net.A(11)}:{_net.PortA}"].Reason, StringComparison.Ordinal);
        Assert.Equal(EndpointKind.Timeout, others[$"{_net.A(10)}:{_net.PortA}"].Kind);
        Assert.Equal(EndpointKind.HandshakeFailed, others[$"{_net.A(12)}:{_net.PortA}"].Kind);
        Assert.Equal(EndpointKind.HandshakeFailed, others[$"{_net.A(13)}:{_net.PortA}"].Kind);
        Assert.Equal(EndpointKind.HandshakeFailed, others[$"{_net.A(5)}:{_net.PortA}"].Kind);
        // OpenSSL refuses a certificate list over 100 KiB even before the probe's own byte limit.
        Assert.Matches("KiB|excessive message size", others[$"{_net.A(5)}:{_net.PortA}"].Reason);
    }

    [Fact]
    public async Task Scan_Certificates_ClassifiedByTrustExpiryNameAndSigner()
    {
        var (report, _, _) = await ScanAsync(Plan($"{_net.Block}.0/28"));
        var at = report.Found.ToDictionary(f => f.Endpoint);

        var good = at[$"{_net.A(1)}:{_net.PortA}"];
        Assert.True(good.Trusted, good.TrustDetail);
        Assert.True(good.HostnameMatch);
        Assert.False(good.Expired || good.Expiring || good.SelfSigned || good.WeakKey || good.WeakSignature);
        Assert.Equal(2, good.ChainLength);
        Assert.Equal(("EC", 256), (good.KeyAlgorithm, good.KeySize));
        Assert.Equal("ecdsa-with-SHA256", good.SignatureAlgorithm);
        Assert.Empty(good.Problems);

        var expired = at[$"{_net.A(2)}:{_net.PortA}"];
        Assert.True(expired.Expired);
        Assert.True(expired.Trusted, expired.TrustDetail);
        Assert.Contains(expired.Problems, p => p.StartsWith("expired", StringComparison.Ordinal));

        var untrusted = at[$"{_net.A(3)}:{_net.PortA}"];
        Assert.False(untrusted.Trusted);
        Assert.Contains("incomplete chain", untrusted.TrustDetail, StringComparison.Ordinal);

        var self = at[$"{_net.A(3)}:{_net.PortB}"];
        Assert.True(self.SelfSigned);
        Assert.False(self.Trusted);
        Assert.Equal(1, self.ChainLength);

        var named = at[$"{_net.A(4)}:{_net.PortA}"];
        Assert.False(named.HostnameMatch); // scanned by address, and the certificate names only www.disc.test
        Assert.True(named.Trusted, named.TrustDetail);

        var group = Assert.Single(report.Groups(), g => g.Findings.Count > 1);
        Assert.Equal(good.Sha256, group.Sha256);
        Assert.Equal(2, group.Findings.Count);
    }

    [Fact]
    public async Task Scan_ExtraSniName_SecondHandshakeMatchesTheName()
    {
        var (report, _, _) = await ScanAsync(Plan(_net.A(4), "www.disc.test"));

        Assert.Equal(2, report.Found.Count);
        Assert.False(Assert.Single(report.Found, f => f.Sni is null).HostnameMatch);
        Assert.True(Assert.Single(report.Found, f => f.Sni == "www.disc.test").HostnameMatch);
    }

    [Fact]
    public async Task Scan_Cancelled_StopsPromptly()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(150));
        var clock = Stopwatch.StartNew();
        var slow = new ScanOptions { ConnectTimeout = TimeSpan.FromSeconds(1), HandshakeTimeout = TimeSpan.FromSeconds(30) };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => DiscoveryScanner.ScanAsync(Plan(_net.A(10)), slow, new ScanProgress(), cancel.Token));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    [Fact]
    public void Export_Csv_QuotesAndNeutralisesFormulas()
    {
        Assert.Equal("\"a,b\"", CsvText.Cell("a,b"));
        Assert.Equal("'=cmd()", CsvText.Cell("=cmd()"));
        Assert.Equal("\"say \"\"hi\"\"\"", CsvText.Cell("say \"hi\""));
    }

    [Fact]
    public async Task Export_JsonAndCsv_OneRowPerFinding()
    {
        var (report, _, _) = await ScanAsync(Plan($"{_net.Block}.0/29"));

        using var json = System.Text.Json.JsonDocument.Parse(DiscoveryExport.ToJson(report));
        Assert.Equal(16, json.RootElement.GetProperty("targets").GetInt32());
        Assert.Equal(report.Found.Count, json.RootElement.GetProperty("found").GetArrayLength());
        var csv = DiscoveryExport.ToCsv(report.Found).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(report.Found.Count + 1, csv.Length);
        Assert.StartsWith("address,port,sni,sha1,sha256", csv[0], StringComparison.Ordinal);
    }
}
