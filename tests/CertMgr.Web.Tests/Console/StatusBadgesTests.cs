using CertMgr.Data.Model;
using CertMgr.Web.ConsoleUi;

namespace CertMgr.Web.Tests.Console;

public sealed class StatusBadgesTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(-3.5, "Expired 3 d ago", Tone.Danger)]
    [InlineData(-0.2, "Expired today", Tone.Danger)]
    [InlineData(0, "Expired today", Tone.Danger)]
    [InlineData(0.5, "Expires today", Tone.Warning)]
    [InlineData(12.9, "Expires in 12 d", Tone.Warning)]
    [InlineData(30, "Expires in 30 d", Tone.Info)]
    [InlineData(59.9, "Expires in 59 d", Tone.Info)]
    [InlineData(60, "60 d left", Tone.Success)]
    [InlineData(287.2, "287 d left", Tone.Success)]
    public void Expiry_ByThreshold(double days, string text, Tone tone)
    {
        var badge = StatusBadges.Expiry(Now.AddDays(days), Now, thresholdDays: 30, renewalLeadDays: 60);

        Assert.Equal(text, badge.Text);
        Assert.Equal(tone, badge.Tone);
    }

    [Fact]
    public void CheckStatus_TextMatchesGuide()
    {
        Assert.Equal(
            ["OK", "NG", "Unreachable"],
            Enum.GetValues<CheckStatus>().Select(s => StatusBadges.For(s).Text));
    }

    [Fact]
    public void EveryStatus_HasTextNotJustColour()
    {
        var badges = Enum.GetValues<RequestStatus>().Select(s => StatusBadges.For(s))
            .Concat(Enum.GetValues<DeploymentStatus>().Select(StatusBadges.For))
            .Concat(Enum.GetValues<OperationMode>().Select(StatusBadges.For))
            .Concat(Enum.GetValues<ExecutionMode>().Select(StatusBadges.For));

        Assert.All(badges, b => Assert.False(string.IsNullOrWhiteSpace(b.Text)));
    }

    [Fact]
    public void CssClass_NamesTone()
    {
        Assert.Equal("badge cm-badge cm-badge-danger", new StatusBadge("NG", Tone.Danger).CssClass);
    }
}
