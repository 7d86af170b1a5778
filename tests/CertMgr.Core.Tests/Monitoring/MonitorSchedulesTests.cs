using CertMgr.Core.Monitoring;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CertMgr.Core.Tests.Monitoring;

public sealed class MonitorSchedulesTests
{
    private static Task<T> With<T>(CoreFixture f, Func<MonitorSchedules, Task<T>> action) =>
        f.WithAsync(s => action(s.GetRequiredService<MonitorSchedules>()));

    [Fact]
    public async Task SaveAsync_Interval_StoredAuditedAndPickedUpBySchedulerWithoutRestart()
    {
        await using var f = await CoreFixture.CreateAsync();
        var scheduler = f.WithAsync(s => Task.FromResult(s.GetRequiredService<MonitorScheduler>()));
        var sut = await scheduler; // made (and started counting) before the change, like the server's
        var start = f.Time.GetUtcNow();
        var before = await With(f, s => s.GetAsync(CancellationToken.None));
        Assert.Equal(MonitorSchedule.Default, before.Schedule);
        Assert.Equal(start.Date.AddDays(1).AddHours(6), before.NextRun); // daily 06:00, started at 12:00

        f.Time.Advance(TimeSpan.FromMinutes(10));
        var saved = await With(f, s => s.SaveAsync("interval", 30, null, "alice", CancellationToken.None));

        Assert.True(saved.IsSuccess, saved.Error?.Message);
        Assert.Equal(MonitorScheduleKind.Interval, saved.Value.Schedule.Kind);
        Assert.Equal(start.AddMinutes(40), saved.Value.NextRun); // the change restarts the count
        f.Time.Advance(TimeSpan.FromMinutes(29));
        Assert.False(await sut.RunIfDueAsync(CancellationToken.None));
        f.Time.Advance(TimeSpan.FromMinutes(2));
        Assert.True(await sut.RunIfDueAsync(CancellationToken.None));
        var after = await With(f, s => s.GetAsync(CancellationToken.None));
        Assert.Equal(f.Time.GetUtcNow(), after.LastScheduledRun);
        Assert.Equal(f.Time.GetUtcNow().AddMinutes(30), after.NextRun);
        var audit = await f.DbAsync(db => db.AuditEvents.SingleAsync(e => e.ObjectType == MonitorSchedules.ObjectType));
        Assert.Equal(("alice", "update", "success"), (audit.Actor, audit.Action, audit.Outcome));
        Assert.Equal("daily at 06:00 UTC → every 30 minutes", audit.Detail);
    }

    [Fact]
    public async Task SaveAsync_DailyTimeAlreadyPassedToday_NextRunTomorrowAndNotBefore()
    {
        await using var f = await CoreFixture.CreateAsync(); // 12:00 UTC
        var sut = await f.WithAsync(s => Task.FromResult(s.GetRequiredService<MonitorScheduler>()));
        var today = f.Time.GetUtcNow().Date;

        var saved = await With(f, s => s.SaveAsync("daily", null, "09:30", "alice", CancellationToken.None));
        var later = await With(f, s => s.SaveAsync("daily", null, "18:15", "alice", CancellationToken.None));

        Assert.Equal(new DateTimeOffset(today.AddDays(1).AddHours(9.5), TimeSpan.Zero), saved.Value.NextRun);
        Assert.Equal(new DateTimeOffset(today.AddHours(18.25), TimeSpan.Zero), later.Value.NextRun);
        f.Time.Advance(TimeSpan.FromHours(6)); // 18:00
        Assert.False(await sut.RunIfDueAsync(CancellationToken.None));
        f.Time.Advance(TimeSpan.FromMinutes(16)); // 18:16
        Assert.True(await sut.RunIfDueAsync(CancellationToken.None));
        Assert.Equal(new DateTimeOffset(today.AddDays(1).AddHours(18.25), TimeSpan.Zero), (await With(f, s => s.GetAsync(CancellationToken.None))).NextRun);
    }

    [Fact]
    public async Task SaveAsync_Off_NoNextRunAndSchedulerNeverRuns()
    {
        await using var f = await CoreFixture.CreateAsync();
        var sut = await f.WithAsync(s => Task.FromResult(s.GetRequiredService<MonitorScheduler>()));

        var saved = await With(f, s => s.SaveAsync("off", null, null, "alice", CancellationToken.None));
        f.Time.Advance(TimeSpan.FromDays(3));

        Assert.Null(saved.Value.NextRun);
        Assert.False(await sut.RunIfDueAsync(CancellationToken.None));
        Assert.Equal(0, await f.DbAsync(db => db.MonitorRuns.CountAsync()));
    }

    [Theory]
    [InlineData("interval", 4, null, "interval-invalid")]
    [InlineData("interval", 10081, null, "interval-invalid")]
    [InlineData("interval", null, null, "interval-invalid")]
    [InlineData("daily", null, "6pm", "time-invalid")]
    [InlineData("daily", null, null, "time-invalid")]
    [InlineData("weekly", null, null, "schedule-invalid")]
    [InlineData(null, null, null, "schedule-invalid")]
    public async Task SaveAsync_BadInput_RefusedAndNothingStored(string? kind, int? minutes, string? at, string code)
    {
        await using var f = await CoreFixture.CreateAsync();

        var saved = await With(f, s => s.SaveAsync(kind, minutes, at, "alice", CancellationToken.None));

        Assert.Equal(code, saved.Error?.Code);
        Assert.False(await f.DbAsync(db => db.Settings.AnyAsync(s => s.Key == MonitorSchedule.SettingKey)));
        Assert.False(await f.DbAsync(db => db.AuditEvents.AnyAsync(e => e.ObjectType == MonitorSchedules.ObjectType)));
    }

    [Fact]
    public async Task GetAsync_UnreadableSetting_DefaultSchedule()
    {
        await using var f = await CoreFixture.CreateAsync();
        await f.DbAsync(async db =>
        {
            db.Settings.Add(new Setting { Key = MonitorSchedule.SettingKey, Value = "{\"kind\":\"hourly\"}", UpdatedAt = f.Time.GetUtcNow() });
            return await db.SaveChangesAsync();
        });

        var state = await With(f, s => s.GetAsync(CancellationToken.None));

        Assert.Equal(MonitorSchedule.Default, state.Schedule);
        Assert.NotNull(state.NextRun);
    }
}
