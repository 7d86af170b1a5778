using CertMgr.Core.Pki;
using CertMgr.Core.Probe;
using CertMgr.Data.Model;

namespace CertMgr.Core.Tests.Probe;

public sealed class EndpointChecksTests : IDisposable
{
    private static readonly ProbeOptions Quick = new() { HandshakeTimeout = TimeSpan.FromSeconds(15), TotalTimeout = TimeSpan.FromSeconds(20) };
    private readonly TestPki _pki = new();

    public void Dispose() => _pki.Dispose();

    private async Task<ProbeResult> ServeAsync(System.Security.Cryptography.X509Certificates.X509Certificate2 leaf, bool withIntermediate = true)
    {
        await using var server = LoopbackServer.Tls(leaf, withIntermediate ? [_pki.Intermediate] : []);
        return await EndpointProbe.ProbeAsync("127.0.0.1", server.Port, "svc.check.test", Quick, CancellationToken.None);
    }

    [Fact]
    public async Task Evaluate_CorrectCertificate_AllChecksOk()
    {
        using var leaf = _pki.Leaf("svc.check.test", ["svc.check.test"], subject: "CN=svc.check.test, O=Example, C=DE");
        var probe = await ServeAsync(leaf);

        var report = EndpointChecks.Evaluate(probe, new CheckExpectations
        {
            NameToCheck = "svc.check.test", ExpectedSha1 = Thumbprints.Sha1(leaf), TrustAnchors = _pki.Anchors,
            CommonName = "svc.check.test", Organization = "example", Country = "DE",
        }, TimeProvider.System.GetUtcNow());

        Assert.Equal(CheckStatus.Ok, report.Status);
        Assert.Equal(["thumbprint", "chain", "name", "dn", "validity"], report.Checks.Select(c => c.Name));
        Assert.All(report.Checks, c => Assert.True(c.Ok, c.Detail));
        Assert.Equal(2, report.ChainLength);
        Assert.InRange(report.DaysRemaining ?? 0, 87, 89);
    }

    [Fact]
    public async Task Evaluate_ExpiredAndNearExpiry_ValidityNgWithDates()
    {
        using var expired = _pki.Leaf("svc.check.test", ["svc.check.test"], TimeSpan.FromDays(10), TimeProvider.System.GetUtcNow().AddDays(-20));
        using var soon = _pki.Leaf("svc.check.test", ["svc.check.test"], TimeSpan.FromDays(6), TimeProvider.System.GetUtcNow().AddDays(-1));

        var expiredReport = EndpointChecks.Evaluate(await ServeAsync(expired), new CheckExpectations { TrustAnchors = _pki.Anchors }, TimeProvider.System.GetUtcNow());
        var soonReport = EndpointChecks.Evaluate(await ServeAsync(soon), new CheckExpectations(), TimeProvider.System.GetUtcNow());

        Assert.Equal(CheckStatus.Ng, expiredReport.Status);
        Assert.StartsWith("expired on", expiredReport.Checks.Single(c => c.Name == "validity").Detail, StringComparison.Ordinal);
        Assert.True(expiredReport.Checks.Single(c => c.Name == "chain").Ok, "an expired leaf is the validity check's finding, not the chain's");
        Assert.Contains("threshold 30", soonReport.Checks.Single(c => c.Name == "validity").Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("*.check.test", "svc.check.test", true)]
    [InlineData("*.check.test", "check.test", false)]
    [InlineData("*.check.test", "a.svc.check.test", false)]
    [InlineData("svc.check.test", "SVC.Check.Test", true)]
    [InlineData("127.0.0.1", "127.0.0.1", true)]
    [InlineData("127.0.0.1", "127.0.0.2", false)]
    public void MatchesName_Rfc6125(string san, string name, bool expected)
    {
        using var leaf = _pki.Leaf("x", [san]);

        Assert.Equal(expected, EndpointChecks.MatchesName(leaf, name));
    }

    [Fact]
    public void MatchesName_CommonNameOnly_NotMatched()
    {
        using var leaf = _pki.Leaf("cn-only.check.test", ["other.check.test"]);

        Assert.False(EndpointChecks.MatchesName(leaf, "cn-only.check.test"));
    }

}
