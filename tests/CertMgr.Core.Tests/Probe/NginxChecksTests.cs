using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.Pki;
using CertMgr.Core.Probe;
using CertMgr.Data.Model;

namespace CertMgr.Core.Tests.Probe;

/// <summary>
/// The deploy-check and monitoring verdicts against a real nginx serving each case on its own loopback port, plus a
/// closed port and a TCP listener that never speaks.
/// </summary>
public sealed class NginxChecksTests : IAsyncLifetime
{
    private const string Name = "www.nginx-check.test";
    private static readonly ProbeOptions Options = new() { ConnectTimeout = TimeSpan.FromSeconds(3), HandshakeTimeout = TimeSpan.FromSeconds(2), TotalTimeout = TimeSpan.FromSeconds(6) };

    private readonly TestPki _pki = new();
    private readonly TestPki _untrusted = new("CN=Untrusted Root");
    private readonly Dictionary<string, int> _ports = [];
    private X509Certificate2 _current = null!;
    private readonly List<X509Certificate2> _certs = [];
    private NginxServer _nginx = null!;
    private TcpListener _silent = null!;

    public async Task InitializeAsync()
    {
        var now = TimeProvider.System.GetUtcNow();
        _current = _pki.Leaf(Name, [Name], subject: $"CN={Name}, O=Example, C=DE");
        var different = _pki.Leaf(Name, [Name], subject: $"CN={Name}, O=Example, C=DE");
        var expired = _pki.Leaf(Name, [Name], TimeSpan.FromDays(30), now.AddDays(-40), subject: $"CN={Name}, O=Example, C=DE");
        var untrusted = _untrusted.Leaf(Name, [Name], subject: $"CN={Name}, O=Example, C=DE");
        var wrongDn = _pki.Leaf(Name, [Name], subject: $"CN={Name}, O=Someone Else, C=US");
        _certs.AddRange([_current, different, expired, untrusted, wrongDn]);
        var servers = new (string Case, X509Certificate2 Leaf, X509Certificate2[] Chain)[]
        {
            ("correct", _current, [_pki.Intermediate]),
            ("different", different, [_pki.Intermediate]),
            ("no-intermediate", _current, []),
            ("expired", expired, [_pki.Intermediate]),
            ("untrusted", untrusted, [_untrusted.Intermediate]),
            ("wrong-dn", wrongDn, [_pki.Intermediate]),
        };
        foreach (var (c, _, _) in servers)
        {
            _ports[c] = TestPorts.Next();
        }

        _nginx = await NginxServer.StartAsync([.. servers.Select(s => (_ports[s.Case], s.Leaf, s.Chain))]);
        _silent = new TcpListener(IPAddress.Loopback, 0);
        _silent.Start(); // accepts (the kernel completes the handshake) and never says a word
        _ports["silent"] = ((IPEndPoint)_silent.LocalEndpoint).Port;
        _ports["closed"] = TestPorts.Next();
    }

    public async Task DisposeAsync()
    {
        await _nginx.DisposeAsync();
        _silent.Stop();
        _certs.ForEach(c => c.Dispose());
        _pki.Dispose();
        _untrusted.Dispose();
    }

    private async Task<CheckReport> CheckAsync(string @case, bool managed)
    {
        var probe = await EndpointProbe.ProbeAsync("127.0.0.1", _ports[@case], Name, Options with { TrustAnchors = _pki.Anchors }, CancellationToken.None);
        var expect = managed
            ? new CheckExpectations { NameToCheck = Name, ExpectedSha1 = Thumbprints.Sha1(_current), ExpectedSha256 = Thumbprints.Sha256(_current), TrustAnchors = _pki.Anchors }
            : new CheckExpectations { NameToCheck = Name, TrustAnchors = _pki.Anchors, CommonName = Name, Organization = "Example", Country = "DE" };
        return EndpointChecks.Evaluate(probe, expect, TimeProvider.System.GetUtcNow());
    }

    private static CheckItem Failed(CheckReport report) => Assert.Single(report.Checks, c => !c.Ok);

    [Fact]
    public async Task Correct_LifecycleManagedAndMonitoredOnly_Ok()
    {
        var managed = await CheckAsync("correct", managed: true);
        var monitored = await CheckAsync("correct", managed: false);

        Assert.Equal(CheckStatus.Ok, managed.Status);
        Assert.Equal(CheckStatus.Ok, monitored.Status);
        Assert.Equal(2, managed.ChainLength);
    }

    [Fact]
    public async Task DifferentCertificate_ThumbprintNg()
    {
        var report = await CheckAsync("different", managed: true);

        Assert.Equal(CheckStatus.Ng, report.Status);
        Assert.Equal("thumbprint", Failed(report).Name);
    }

    [Fact]
    public async Task LeafWithoutIntermediate_ChainNgNamingTheMissingIssuer()
    {
        var report = await CheckAsync("no-intermediate", managed: true);

        Assert.Equal(CheckStatus.Ng, report.Status);
        var failed = Failed(report);
        Assert.Equal("chain", failed.Name);
        Assert.Contains("Probe Test Intermediate", failed.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Expired_ValidityNg()
    {
        var report = await CheckAsync("expired", managed: false);

        Assert.Equal(CheckStatus.Ng, report.Status);
        Assert.StartsWith("expired on", Failed(report).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UntrustedCa_ChainNg()
    {
        var report = await CheckAsync("untrusted", managed: false);

        Assert.Equal(CheckStatus.Ng, report.Status);
        Assert.Equal("chain", Failed(report).Name);
    }

    [Fact]
    public async Task DnMismatch_DnNg()
    {
        var report = await CheckAsync("wrong-dn", managed: false);

        Assert.Equal(CheckStatus.Ng, report.Status);
        var failed = Failed(report);
        Assert.Equal("dn", failed.Name);
        Assert.Contains("Someone Else", failed.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClosedPort_UnreachableRefused()
    {
        var report = await CheckAsync("closed", managed: false);

        Assert.Equal(CheckStatus.Unreachable, report.Status);
        Assert.Contains("refused", report.Reason, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task SilentListener_UnreachableWithinTheHandshakeTimeout()
    {
        var report = await CheckAsync("silent", managed: false);

        Assert.Equal(CheckStatus.Unreachable, report.Status);
        Assert.Contains("Timed out after 2 s", report.Reason, StringComparison.Ordinal);
        Assert.True(report.Timings.Total < Options.TotalTimeout);
    }
}
