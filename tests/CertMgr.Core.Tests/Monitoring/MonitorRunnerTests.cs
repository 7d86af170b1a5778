using CertMgr.Core.Monitoring;
using CertMgr.Core.Tests.Probe;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CertMgr.Core.Tests.Monitoring;

public sealed class MonitorRunnerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static async Task AddMonitoredAsync(CoreFixture f, params (string Name, int Port)[] endpoints)
    {
        var now = f.Time.GetUtcNow();
        await f.DbAsync(async db =>
        {
            foreach (var (name, port) in endpoints)
            {
                db.Definitions.Add(new CertificateDefinition
                {
                    Name = name, CommonName = name, OperationMode = OperationMode.MonitoredOnly, ServerNameForCheck = "127.0.0.1",
                    CheckPort = port, MonitoringEnabled = true, CreatedAt = now, UpdatedAt = now,
                });
            }

            return await db.SaveChangesAsync();
        });
    }

    private static async Task UntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (!condition())
        {
            await Task.Delay(20, timeout.Token);
        }
    }

    [Fact]
    public async Task StartAsync_WhileAPassRuns_SecondStartAndScheduledPassRefusedProgressVisible()
    {
        await using var f = await CoreFixture.CreateAsync();
        var silent = LoopbackServer.Silent();
        await AddMonitoredAsync(f, ("silent.monitor.test", silent.Port), ("closed.monitor.test", TestPorts.Next()));
        var runner = await f.WithAsync(s => Task.FromResult(s.GetRequiredService<MonitorRunner>()));
        var activity = await f.WithAsync(s => Task.FromResult(s.GetRequiredService<MonitorActivity>()));

        var first = await runner.StartAsync("alice", CancellationToken.None);
        var second = await runner.StartAsync("bob", CancellationToken.None);
        var scheduled = await f.WithAsync(s => s.GetRequiredService<MonitorService>().RunAsync(RunTrigger.Scheduled, "system", CancellationToken.None));

        Assert.True(first.IsSuccess, first.Error?.Message);
        Assert.Equal("run-in-progress", second.Error?.Code);
        Assert.Equal("run-in-progress", scheduled.Error?.Code);
        await UntilAsync(() => activity.Current?.Checked == 1); // the closed port answers at once, the silent one holds
        var progress = activity.Current!;
        Assert.Equal((first.Value, 2, "alice", RunTrigger.Manual), (progress.RunId!.Value, progress.Total, progress.Actor, progress.Trigger));
        Assert.Equal(RunStatus.Running, await f.DbAsync(db => db.MonitorRuns.Where(r => r.Id == first.Value).Select(r => r.Status).SingleAsync()));

        await silent.DisposeAsync(); // the silent server hangs up: the pass ends
        await runner.LastPass.WaitAsync(Patience);

        Assert.Null(activity.Current);
        var run = await f.DbAsync(db => db.MonitorRuns.SingleAsync(r => r.Id == first.Value));
        Assert.Equal((RunStatus.Completed, RunTrigger.Manual, 2), (run.Status, run.Trigger, run.UnreachableCount));
        Assert.Equal(2, await f.DbAsync(db => db.MonitorResults.CountAsync(r => r.MonitorRunId == first.Value)));
        var third = await runner.StartAsync("bob", CancellationToken.None);
        Assert.True(third.IsSuccess, third.Error?.Message);
        Assert.NotEqual(first.Value, third.Value);
        await runner.LastPass.WaitAsync(Patience);
    }

    [Fact]
    public async Task StartAsync_AnswersBeforeThePassEnds()
    {
        await using var f = await CoreFixture.CreateAsync();
        await using var silent = LoopbackServer.Silent();
        await AddMonitoredAsync(f, ("silent.monitor.test", silent.Port));
        var runner = await f.WithAsync(s => Task.FromResult(s.GetRequiredService<MonitorRunner>()));

        var started = await runner.StartAsync("alice", CancellationToken.None);

        Assert.True(started.IsSuccess, started.Error?.Message);
        Assert.False(runner.LastPass.IsCompleted); // the silent endpoint holds the pass for its handshake timeout
        var run = await f.DbAsync(db => db.MonitorRuns.SingleAsync(r => r.Id == started.Value));
        Assert.Equal(RunStatus.Running, run.Status);
        var audit = await f.DbAsync(db => db.AuditEvents.SingleAsync(e => e.ObjectType == nameof(MonitorRun) && e.ObjectId == started.Value.ToString()));
        Assert.Equal(("alice", "start"), (audit.Actor, audit.Action));
    }

    [Fact]
    public async Task DisposeAsync_PassRunning_RunEndsCancelled()
    {
        var f = await CoreFixture.CreateAsync();
        await using var silent = LoopbackServer.Silent();
        await AddMonitoredAsync(f, ("silent.monitor.test", silent.Port));
        var runner = await f.WithAsync(s => Task.FromResult(s.GetRequiredService<MonitorRunner>()));
        var started = await runner.StartAsync("alice", CancellationToken.None);

        await runner.DisposeAsync(); // what the server does when it stops

        var run = await f.DbAsync(db => db.MonitorRuns.SingleAsync(r => r.Id == started.Value));
        Assert.Equal(RunStatus.Cancelled, run.Status);
        Assert.NotNull(run.EndedAt);
        await f.DisposeAsync();
    }
}
