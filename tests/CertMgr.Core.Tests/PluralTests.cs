using CertMgr.Core.Common;

namespace CertMgr.Core.Tests;

public sealed class PluralTests
{
    [Theory]
    [InlineData(0, "certificate", null, "0 certificates")]
    [InlineData(1, "certificate", null, "1 certificate")]
    [InlineData(2, "certificate", null, "2 certificates")]
    [InlineData(1, "process", "processes", "1 process")]
    [InlineData(3, "process", "processes", "3 processes")]
    [InlineData(12345, "endpoint", null, "12,345 endpoints")]
    [InlineData(-1, "minute", null, "-1 minutes")]
    public void Of_CountAndNounInTheRightNumber(long count, string singular, string? plural, string expected) =>
        Assert.Equal(expected, Plural.Of(count, singular, plural));

    [Fact]
    public void Of_NoNoun_Throws() => Assert.Throws<ArgumentException>(() => Plural.Of(1, ""));
}
