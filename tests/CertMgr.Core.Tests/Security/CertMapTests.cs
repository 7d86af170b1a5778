using CertMgr.Core.Security;

namespace CertMgr.Core.Tests.Security;

public class CertMapTests
{
    private const string GuideLine = "* Hash_SHA1 2c 74 2e 10 b8 c0 7f d5 8e 2a ad 2d a9 7b 7f 1a ba e4 f6 dc";
    private const string GuideThumbprint = "2C742E10B8C07FD58E2AAD2DA97B7F1ABAE4F6DC";

    [Fact]
    public void Parse_GuideFormat_AllowsThatThumbprintForAnyUser()
    {
        var map = CertMap.Parse($"# allowed client certificates\n{GuideLine}\r\n");

        Assert.Empty(map.Problems);
        var entry = Assert.Single(map.Entries);
        Assert.Equal("*", entry.User);
        Assert.Equal(GuideThumbprint, entry.Sha1);
        Assert.True(map.Allows(GuideThumbprint));
        Assert.True(map.Allows(GuideThumbprint.ToLowerInvariant(), "anyone"));
        Assert.False(map.Allows("0000000000000000000000000000000000000000"));
    }

    [Fact]
    public void Parse_JoinedOrColonHexAndNamedUser_NamedEntryOnlyForThatUser()
    {
        var map = CertMap.Parse($"alice hash_sha1 {GuideThumbprint.ToLowerInvariant()}\nbob Hash_SHA1 AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD\n");

        Assert.Empty(map.Problems);
        Assert.True(map.Allows(GuideThumbprint, "ALICE"));
        Assert.False(map.Allows(GuideThumbprint, "bob"));
        Assert.True(map.Allows("AABBCCDDEEFF00112233445566778899AABBCCDD", "bob"));
    }

    [Theory]
    [InlineData("* Hash_SHA1", "expected")]
    [InlineData("* Hash_SHA256 2c 74 2e 10 b8 c0 7f d5 8e 2a ad 2d a9 7b 7f 1a ba e4 f6 dc", "only Hash_SHA1")]
    [InlineData("* Hash_SHA1 2c 74 2e 10 b8 c0 7f d5 8e 2a ad 2d a9 7b 7f 1a ba e4 f6", "40 hex digits")]
    [InlineData("* Hash_SHA1 2c 74 2e 10 b8 c0 7f d5 8e 2a ad 2d a9 7b 7f 1a ba e4 f6 zz", "40 hex digits")]
    [InlineData("* Hash_SHA1 2c7 42e 10 b8 c0 7f d5 8e 2a ad 2d a9 7b 7f 1a ba e4 f6 dc", "40 hex digits")]
    public void Parse_MalformedLine_ReportedWithNumberAndAllowsNothing(string bad, string reason)
    {
        var map = CertMap.Parse($"{GuideLine}\n{bad}\n");

        var problem = Assert.Single(map.Problems);
        Assert.Equal(2, problem.LineNumber);
        Assert.Contains(reason, problem.Reason, StringComparison.Ordinal);
        Assert.Single(map.Entries);
    }
}
