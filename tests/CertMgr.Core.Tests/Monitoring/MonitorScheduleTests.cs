using CertMgr.Core.Monitoring;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CertMgr.Core.Tests.Monitoring;

public sealed class MonitorScheduleTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Daily_DueAtTheTimeOnceADay()
    {
        var schedule = MonitorSchedule.Create("daily", null, "06:00").Value;

        Assert.Equal(Now.Date.AddHours(6), schedule.NextRun(Now, Now.AddDays(-2)));          // missed: due now
        Assert.Equal(Now.Date.AddDays(1).AddHours(6), schedule.NextRun(Now, Now.Date.AddHours(6))); // ran today
        Assert.Equal(Now.Date.AddDays(1).AddHours(6), schedule.NextRun(Now, Now.AddMinutes(-5))); // started after today's slot
    }

    [Fact]
    public void Interval_DueOneIntervalAfterTheLastPass()
    {
        var schedule = MonitorSchedule.Create("interval", 30, null).Value;

        Assert.Equal(Now.AddMinutes(20), schedule.NextRun(Now, Now.AddMinutes(-10)));
        Assert.Null((schedule with { Kind = MonitorScheduleKind.Off }).NextRun(Now, Now));
    }

    [Theory]
    [InlineData("interval", 1, null, "interval-invalid")]
    [InlineData("interval", null, null, "interval-invalid")]
    [InlineData("daily", null, "25:00", "time-invalid")]
    [InlineData("weekly", null, null, "schedule-invalid")]
    public void Create_BadInput_Refused(string kind, int? minutes, string? at, string code) =>
        Assert.Equal(code, MonitorSchedule.Create(kind, minutes, at).Error?.Code);

    [Fact]
    public void Json_RoundTripsAndGarbageFallsBackToDefault()
    {
        var schedule = MonitorSchedule.Create("interval", 45, null).Value;

        Assert.Equal(schedule, MonitorSchedule.FromJson(schedule.ToJson()));
        Assert.Equal(MonitorSchedule.Default, MonitorSchedule.FromJson("{not json"));
        Assert.Equal(MonitorSchedule.Default, MonitorSchedule.FromJson(null));
    }

    [Fact]
    public async Task Scheduler_RunsWhenDueOnlyOnce()
    {
        await using var f = await CoreFixture.CreateAsync();
        await f.DbAsync(async db =>
        {
            db.Settings.Add(new Setting { Key = MonitorSchedule.SettingKey, Value = MonitorSchedule.Create("interval", 5, null).Value.ToJson(), UpdatedAt = f.Time.GetUtcNow() });
            return await db.SaveChangesAsync();
        });
        var scheduler = f.WithAsync(s => Task.FromResult(s.GetRequiredService<MonitorScheduler>()));
        var sut = await scheduler;

        var early = await sut.RunIfDueAsync(CancellationToken.None);
        f.Time.Advance(TimeSpan.FromMinutes(6));
        var due = await sut.RunIfDueAsync(CancellationToken.None);
        var again = await sut.RunIfDueAsync(CancellationToken.None);

        Assert.False(early);
        Assert.True(due);
        Assert.False(again);
        Assert.Equal(1, await f.DbAsync(db => db.MonitorRuns.CountAsync(r => r.Trigger == RunTrigger.Scheduled)));
    }
}
