using System.Net;
using CertMgr.Core.Security;
using CertMgr.Core.Setup;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CertMgr.Core.Tests.Security;

public class IpAccessListTests
{
    private static IPAddress Ip(string text) => IPAddress.Parse(text);

    [Fact]
    public void Parse_CidrsAddressesAndComments_AllowsExactlyThoseNetworks()
    {
        var list = IpAccessList.Parse("""
            # office
            10.1.0.0/16   # LAN
            192.0.2.7
            2001:db8::/32

            ::1
            """);

        Assert.Empty(list.Problems);
        Assert.False(list.AllowAll);
        Assert.False(list.LoopbackFallback);
        Assert.Equal(4, list.Networks.Count);
        Assert.True(list.Allows(Ip("10.1.200.3")));
        Assert.False(list.Allows(Ip("10.2.0.1")));
        Assert.True(list.Allows(Ip("192.0.2.7")));
        Assert.False(list.Allows(Ip("192.0.2.8")));
        Assert.True(list.Allows(Ip("2001:db8:1::5")));
        Assert.False(list.Allows(Ip("2001:db9::1")));
        Assert.True(list.Allows(Ip("::1")));
        Assert.False(list.Allows(Ip("127.0.0.1")));
        Assert.True(list.Allows(Ip("::ffff:10.1.0.9")));
        Assert.False(list.Allows(null));
    }

    [Theory]
    [InlineData("10.0.0.1/8", "bits set")]
    [InlineData("10.0.0.0/33", "prefix length")]
    [InlineData("10.0.0.0/x", "prefix length")]
    [InlineData("10.0.0.0/-1", "prefix length")]
    [InlineData("300.1.1.1", "not an IPv4 or IPv6")]
    [InlineData("10.1", "not an IPv4 or IPv6")]
    [InlineData("example.com", "not an IPv4 or IPv6")]
    [InlineData("10.0.0.0/8/8", "prefix length")]
    [InlineData("2001:db8::/129", "prefix length")]
    [InlineData("fe80::1%2", "zone")]
    [InlineData("10.0.0.0 /8", "without spaces")]
    public void Parse_MalformedLine_IsReportedWithItsNumberAndAllowsNobody(string bad, string reason)
    {
        var list = IpAccessList.Parse($"192.0.2.0/24\n{bad}\n");

        var problem = Assert.Single(list.Problems);
        Assert.Equal(2, problem.LineNumber);
        Assert.Equal(bad, problem.Line);
        Assert.Contains(reason, problem.Reason, StringComparison.Ordinal);
        Assert.Single(list.Networks);
        Assert.False(list.Allows(Ip("10.0.0.1")));
        Assert.False(list.Allows(Ip("10.0.0.0")));
        Assert.True(list.Allows(Ip("192.0.2.1")));
    }

    [Theory]
    [InlineData("0.0.0.0/33\nnonsense\n")]
    [InlineData("# only comments\n\n")]
    [InlineData("")]
    public void Parse_NoValidEntry_AllowsLoopbackOnly(string text)
    {
        var list = IpAccessList.Parse(text);

        Assert.True(list.LoopbackFallback);
        Assert.False(list.AllowAll);
        Assert.True(list.Allows(Ip("127.0.0.1")));
        Assert.True(list.Allows(Ip("127.0.0.2")));
        Assert.True(list.Allows(Ip("::1")));
        Assert.False(list.Allows(Ip("10.0.0.1")));
        Assert.False(list.Allows(Ip("0.0.0.0")));
    }

    [Fact]
    public void Parse_WholeInternet_IsAnOrdinaryEntry()
    {
        var list = IpAccessList.Parse("0.0.0.0/0\r\n::/0\r\n");

        Assert.Empty(list.Problems);
        Assert.True(list.Allows(Ip("203.0.113.9")));
        Assert.True(list.Allows(Ip("2001:db8::9")));
    }

    [Fact]
    public void Current_FileAddedChangedAndRemoved_TakesEffectWithoutRestart()
    {
        var root = Directory.CreateTempSubdirectory("certmgr-acl-").FullName;
        try
        {
            var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
            var file = new IpAccessListFile(new DataDirectory(root), time, NullLogger<IpAccessListFile>.Instance);
            Assert.True(file.Current.AllowAll);

            File.WriteAllText(file.Path, "10.0.0.0/8\n");
            time.Advance(TimeSpan.FromSeconds(2));
            Assert.False(file.Current.Allows(Ip("192.0.2.1")));
            Assert.True(file.Current.Allows(Ip("10.9.9.9")));

            File.WriteAllText(file.Path, "192.0.2.0/24\n");
            File.SetLastWriteTimeUtc(file.Path, File.GetLastWriteTimeUtc(file.Path).AddMinutes(1));
            time.Advance(TimeSpan.FromSeconds(2));
            Assert.True(file.Current.Allows(Ip("192.0.2.1")));
            Assert.False(file.Current.Allows(Ip("10.9.9.9")));

            File.Delete(file.Path);
            time.Advance(TimeSpan.FromSeconds(2));
            Assert.True(file.Current.AllowAll);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
