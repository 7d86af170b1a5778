using CertMgr.Core.Discovery;

namespace CertMgr.Core.Tests.Discovery;

public sealed class DiscoveryTargetsTests
{
    private static DiscoveryPlan Plan(string targets, string ports = "443", string? sni = null, string? exclude = null, int max = 65_536)
    {
        var result = DiscoveryTargets.Parse(new DiscoveryInput([targets], ports, sni is null ? null : [sni], exclude is null ? null : [exclude]), max);
        Assert.True(result.IsSuccess, result.Error?.Message);
        return result.Value;
    }

    private static string Refusal(string targets, string ports = "443", string? sni = null, string? exclude = null, int max = 65_536)
    {
        var result = DiscoveryTargets.Parse(new DiscoveryInput([targets], ports, sni is null ? null : [sni], exclude is null ? null : [exclude]), max);
        Assert.False(result.IsSuccess);
        Assert.False(string.IsNullOrWhiteSpace(result.Error.Message));
        return result.Error.Code;
    }

    [Fact]
    public void Parse_Cidr24_AllAddressesInOrder()
    {
        var plan = Plan("127.0.4.0/24");

        Assert.Equal(256, plan.Hosts.Count);
        Assert.Equal("127.0.4.0", plan.Hosts[0].Text);
        Assert.Equal("127.0.4.255", plan.Hosts[^1].Text);
        Assert.Equal(256, plan.EndpointCount);
    }

    [Fact]
    public void Parse_CidrWithHostBitsSet_StartsAtTheNetwork()
    {
        var plan = Plan("127.0.4.77/30");

        Assert.Equal(["127.0.4.76", "127.0.4.77", "127.0.4.78", "127.0.4.79"], plan.Hosts.Select(h => h.Text));
    }

    [Fact]
    public void Parse_FullAndShortRanges_BothEnds()
    {
        Assert.Equal(76, Plan("127.0.2.5-127.0.2.80").Hosts.Count);
        Assert.Equal(76, Plan("127.0.2.5-80").Hosts.Count);
        Assert.Equal(["127.0.2.255", "127.0.3.0"], Plan("127.0.2.255-127.0.3.0").Hosts.Select(h => h.Text));
    }

    [Fact]
    public void Parse_Ipv6AddressRangeAndCidr_Expanded()
    {
        Assert.Equal(["::1"], Plan("::1").Hosts.Select(h => h.Text));
        Assert.Equal(["::1"], Plan("[::1]").Hosts.Select(h => h.Text));
        Assert.Equal(4, Plan("fd00::/126").Hosts.Count);
        Assert.Equal(3, Plan("fd00::1-fd00::3").Hosts.Count);
    }

    [Fact]
    public void Parse_HostNameAndMixedList_DistinctKeptInOrder()
    {
        var plan = Plan("localhost, 127.0.0.1 127.0.0.1,Example.TEST.");

        Assert.Equal(["localhost", "127.0.0.1", "example.test"], plan.Hosts.Select(h => h.Text));
        Assert.Null(plan.Hosts[0].Address);
        Assert.NotNull(plan.Hosts[1].Address);
    }

    [Fact]
    public void Parse_PortListsAndRanges_SortedDistinct()
    {
        var plan = Plan("127.0.0.1", "9443, 443,8440-8443,443");

        Assert.Equal([443, 8440, 8441, 8442, 8443, 9443], plan.Ports);
        Assert.Equal(6, plan.EndpointCount);
    }

    [Fact]
    public void Parse_Exclusions_RemoveAddressesRangesAndNames()
    {
        var plan = Plan("127.0.4.0/29 localhost", exclude: "127.0.4.0,127.0.4.6-7 localhost");

        Assert.Equal(["127.0.4.1", "127.0.4.2", "127.0.4.3", "127.0.4.4", "127.0.4.5"], plan.Hosts.Select(h => h.Text));
        Assert.Equal(4, plan.Excluded);
    }

    [Fact]
    public void Parse_ExclusionInsideHugeRange_CountsTowardTheMaximum()
    {
        // A /16 is 65,536 addresses; excluding a /17 leaves 32,768 × 2 ports = 65,536: exactly the maximum.
        var plan = Plan("10.0.0.0/16", "443,8443", exclude: "10.0.128.0/17");

        Assert.Equal(65_536, plan.EndpointCount);
    }

    [Fact]
    public void Parse_SniNames_NormalisedAndDistinct()
    {
        var plan = Plan("127.0.0.1", sni: "www.example.test, WWW.example.test,api.example.test.");

        Assert.Equal(["www.example.test", "api.example.test"], plan.SniNames);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1.2.3")]
    [InlineData("10.1")]
    [InlineData("300.1.1.1")]
    [InlineData("127.0.0.1/33")]
    [InlineData("::1/129")]
    [InlineData("127.0.0.1/x")]
    [InlineData("127.0.0.9-127.0.0.1")]
    [InlineData("127.0.0.1-::1")]
    [InlineData("127.0.0.1-256")]
    [InlineData("*.example.test")]
    [InlineData("exa mple!")]
    [InlineData("-")]
    [InlineData("http://example.test")]
    public void Parse_BadTarget_RefusedAsTargetsInvalid(string target) =>
        Assert.Equal(DiscoveryTargets.TargetsInvalid, Refusal(target));

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("65536")]
    [InlineData("-1")]
    [InlineData("443-")]
    [InlineData("9010-9000")]
    [InlineData("https")]
    [InlineData("44 3x")]
    [InlineData("+443")]
    public void Parse_BadPorts_RefusedAsPortsInvalid(string ports) =>
        Assert.Equal(DiscoveryTargets.PortsInvalid, Refusal("127.0.0.1", ports));

    [Theory]
    [InlineData("*.example.test")]
    [InlineData("127.0.0.1")]
    [InlineData("bad_name!")]
    public void Parse_BadSni_RefusedAsSniInvalid(string sni) =>
        Assert.Equal(DiscoveryTargets.SniInvalid, Refusal("127.0.0.1", sni: sni));

    [Fact]
    public void Parse_BadExclusion_RefusedAsExcludeInvalid() =>
        Assert.Equal(DiscoveryTargets.ExcludeInvalid, Refusal("127.0.0.1", exclude: "10.0.0.0/99"));

    [Fact]
    public void Parse_ExclusionsCoverEverything_Refused() =>
        Assert.Equal(DiscoveryTargets.ExcludeInvalid, Refusal("127.0.0.0/30", exclude: "127.0.0.0-127.0.0.3"));

    [Fact]
    public void Parse_TooManyEndpoints_RefusedWithTheCountAndTheSetting()
    {
        var result = DiscoveryTargets.Parse(new DiscoveryInput(["127.0.0.0/24"], "443,8443"), 500);

        Assert.False(result.IsSuccess);
        Assert.Equal(DiscoveryTargets.TooManyTargets, result.Error.Code);
        Assert.Contains("512", result.Error.Message, StringComparison.Ordinal);
        Assert.Contains("Discovery:MaxTargets", result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_HugeIpv6Range_RefusedWithoutEnumerating()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();

        Assert.Equal(DiscoveryTargets.TooManyTargets, Refusal("fd00::/64"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2));
    }

    [Fact]
    public void Parse_NoTargets_Refused()
    {
        var result = DiscoveryTargets.Parse(new DiscoveryInput([" ", ","], "443"), 100);

        Assert.Equal(DiscoveryTargets.TargetsInvalid, result.Error?.Code);
    }

    [Fact]
    public void FieldErrors_EveryBadField_OneErrorEach()
    {
        var errors = DiscoveryTargets.FieldErrors(new DiscoveryInput(["1.2.3"], "0", ["*.bad"], ["10.0.0.0/99"]));

        Assert.Equal([DiscoveryTargets.TargetsInvalid, DiscoveryTargets.PortsInvalid, DiscoveryTargets.SniInvalid, DiscoveryTargets.ExcludeInvalid], errors.Select(e => e.Code));
        Assert.Empty(DiscoveryTargets.FieldErrors(new DiscoveryInput(["10.0.0.0/8"], "443", ["www.example.test"], ["10.0.0.1"])));
    }
}
