using CertMgr.Core.Unattended;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CertMgr.Core.Tests.Unattended;

public sealed class UnattendedScheduleTests
{
    [Theory]
    [InlineData("off", null)]
    [InlineData("90", 90)]
    [InlineData("90m", 90)]
    [InlineData(" 2h ", 120)]
    [InlineData("1m", 1)]
    public void Parse_ValidText_Interval(string text, int? minutes)
    {
        var parsed = UnattendedSchedule.Parse(text);

        Assert.True(parsed.IsSuccess, parsed.Error?.Message);
        Assert.Equal(minutes, parsed.Value.Interval is { } i ? (int)i.TotalMinutes : null);
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("0")]
    [InlineData("-5m")]
    [InlineData("169h")]
    [InlineData("every tuesday")]
    public void Parse_BadText_IntervalInvalid(string? text)
    {
        Assert.Equal("interval-invalid", UnattendedSchedule.Parse(text).Error?.Code);
    }

    [Fact]
    public async Task RunIfDue_DefaultHourThenOff_RunsOnlyWhenDueAndNeverWhenOff()
    {
        await using var f = await CoreFixture.CreateAsync();
        var scheduler = await f.WithAsync(s => Task.FromResult(s.GetRequiredService<UnattendedScheduler>()));

        Assert.False(await scheduler.RunIfDueAsync(CancellationToken.None));
        f.Time.Advance(TimeSpan.FromMinutes(61));
        Assert.True(await scheduler.RunIfDueAsync(CancellationToken.None));
        Assert.False(await scheduler.RunIfDueAsync(CancellationToken.None)); // counted from that pass

        var saved = await f.WithAsync(s => s.GetRequiredService<UnattendedSchedules>().SaveAsync("off", "admin", CancellationToken.None));
        Assert.True(saved.IsSuccess);
        f.Time.Advance(TimeSpan.FromDays(2));

        Assert.False(await scheduler.RunIfDueAsync(CancellationToken.None));
        var runs = await f.DbAsync(db => db.UnattendedRuns.AsNoTracking().ToListAsync());
        Assert.Equal(RunTrigger.Scheduled, Assert.Single(runs).Trigger);
    }
}
