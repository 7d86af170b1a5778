using CertMgr.Web.ConsoleUi;

namespace CertMgr.Web.Tests.Console;

public sealed class TimeTextTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(0, "just now")]
    [InlineData(0.5, "just now")]
    [InlineData(5, "5 min ago")]
    [InlineData(3 * 60 + 10, "3 h ago")]
    [InlineData(2 * 24 * 60, "2 d ago")]
    [InlineData(90 * 24 * 60, "2026-03-03")]
    [InlineData(-0.5, "just now")]
    [InlineData(-10, "in the future")]
    public void Ago_ShortRelativeText(double minutesAgo, string expected)
    {
        Assert.Equal(expected, TimeText.Ago(Now.AddMinutes(-minutesAgo), Now));
    }

    [Fact]
    public void DateTime_InUtc()
    {
        Assert.Equal("2026-06-01 03:00 UTC", TimeText.DateTime(new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.FromHours(9))));
    }
}
