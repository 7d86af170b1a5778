using System.Diagnostics;
using System.Net;
using CertMgr.Core.Probe;
using CertMgr.Data.Model;

namespace CertMgr.Core.Tests.Probe;

public sealed class EndpointProbeTests : IDisposable
{
    private static readonly ProbeOptions Quick = new()
    {
        ConnectTimeout = TimeSpan.FromSeconds(2),
        HandshakeTimeout = TimeSpan.FromSeconds(1),
        TotalTimeout = TimeSpan.FromSeconds(4),
    };

    // Success paths get room for a loaded CI machine; the failure paths use the short timeouts above.
    private static readonly ProbeOptions Generous = new() { HandshakeTimeout = TimeSpan.FromSeconds(15), TotalTimeout = TimeSpan.FromSeconds(20) };

    private readonly TestPki _pki = new();

    public void Dispose() => _pki.Dispose();

    [Fact]
    public async Task Probe_TlsServerWithIntermediate_CapturesLeafThenChainAsSentAndValidates()
    {
        using var leaf = _pki.Leaf("www.probe.test", ["www.probe.test"]);
        await using var server = LoopbackServer.Tls(leaf, [_pki.Intermediate]);

        var result = await EndpointProbe.ProbeAsync("127.0.0.1", server.Port, "www.probe.test", Generous with { TrustAnchors = _pki.Anchors }, CancellationToken.None);

        Assert.True(result.Completed, result.Failure);
        Assert.Equal(2, result.ServedDer.Count);
        Assert.Equal(leaf.RawData, result.ServedDer[0]);
        Assert.Equal(_pki.Intermediate.RawData, result.ServedDer[1]);
        Assert.Equal(IPAddress.Loopback, result.Address);
        Assert.NotNull(result.CipherSuite);
        Assert.True(result.PathValidation?.Valid, result.PathValidation?.Detail);
        Assert.True(result.Timings.Total >= result.Timings.Handshake);
    }

    [Fact]
    public async Task Probe_LeafWithoutIntermediate_PathValidationNamesTheMissingIssuer()
    {
        using var leaf = _pki.Leaf("bare.probe.test", ["bare.probe.test"]);
        await using var server = LoopbackServer.Tls(leaf, []);

        var result = await EndpointProbe.ProbeAsync("127.0.0.1", server.Port, "bare.probe.test", Generous with { TrustAnchors = _pki.Anchors }, CancellationToken.None);

        Assert.True(result.Completed, result.Failure);
        Assert.Single(result.ServedDer);
        Assert.False(result.PathValidation?.Valid);
        Assert.Contains("Probe Test Intermediate", result.PathValidation!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probe_Ipv6Loopback_Works()
    {
        using var leaf = _pki.Leaf("v6.probe.test", ["v6.probe.test"]);
        await using var server = LoopbackServer.Tls(leaf, [_pki.Intermediate], IPAddress.IPv6Loopback);

        var result = await EndpointProbe.ProbeAsync("::1", server.Port, "v6.probe.test", Generous, CancellationToken.None);

        Assert.True(result.Completed, result.Failure);
        Assert.Equal(IPAddress.IPv6Loopback, result.Address);
    }

    [Fact]
    public async Task Probe_ClosedPort_UnreachableConnectionRefused()
    {
        int port;
        port = TestPorts.Next();

        var result = await EndpointProbe.ProbeAsync("127.0.0.1", port, null, Quick, CancellationToken.None);

        Assert.False(result.Completed);
        Assert.Equal(ProbeStage.Connect, result.FailedStage);
        Assert.Contains("refused", result.Failure, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(CheckStatus.Unreachable, EndpointChecks.Evaluate(result, new CheckExpectations(), TimeProvider.System.GetUtcNow()).Status);
    }

    [Fact]
    public async Task Probe_SilentServer_EndsAtTheHandshakeTimeoutWithReason()
    {
        await using var server = LoopbackServer.Silent();
        var clock = Stopwatch.StartNew();

        var result = await EndpointProbe.ProbeAsync("127.0.0.1", server.Port, "silent.test", Quick, CancellationToken.None);

        Assert.False(result.Completed);
        Assert.Equal(ProbeStage.Handshake, result.FailedStage);
        Assert.Contains("Timed out after 1 s", result.Failure, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task Probe_GarbageServer_HandshakeFailureNotTls()
    {
        await using var server = LoopbackServer.Garbage();

        var result = await EndpointProbe.ProbeAsync("127.0.0.1", server.Port, "garbage.test", Quick, CancellationToken.None);

        Assert.False(result.Completed);
        Assert.Equal(ProbeStage.Handshake, result.FailedStage);
        Assert.StartsWith("TLS handshake failed", result.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probe_FloodingServer_StopsWithinTheTimeouts()
    {
        await using var server = LoopbackServer.Flood();
        var clock = Stopwatch.StartNew();

        var result = await EndpointProbe.ProbeAsync("127.0.0.1", server.Port, "flood.test", Quick with { MaxHandshakeBytes = 64 * 1024 }, CancellationToken.None);

        Assert.False(result.Completed);
        Assert.Equal(ProbeStage.Handshake, result.FailedStage);
        Assert.True(clock.Elapsed < Quick.TotalTimeout, $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Probe_UnresolvableName_UnreachableAtResolve()
    {
        var result = await EndpointProbe.ProbeAsync("no-such-host.invalid", 443, null, Quick, CancellationToken.None);

        Assert.False(result.Completed);
        Assert.Equal(ProbeStage.Resolve, result.FailedStage);
    }

    [Theory]
    [InlineData("example.test:8443", "example.test", 8443)]
    [InlineData("example.test", "example.test", 443)]
    [InlineData("127.0.0.1:10443", "127.0.0.1", 10443)]
    [InlineData("[::1]:9443", "::1", 9443)]
    [InlineData("::1", "::1", 443)]
    public void TryParseEndpoint_Forms(string text, string host, int port)
    {
        Assert.True(EndpointProbe.TryParseEndpoint(text, 443, out var h, out var p));
        Assert.Equal(host, h);
        Assert.Equal(port, p);
    }

    [Theory]
    [InlineData("")]
    [InlineData("host:0")]
    [InlineData("host:70000")]
    [InlineData("host:abc")]
    [InlineData("[::1")]
    [InlineData("bad host")]
    public void TryParseEndpoint_Bad_Refused(string text) => Assert.False(EndpointProbe.TryParseEndpoint(text, 443, out _, out _));
}
