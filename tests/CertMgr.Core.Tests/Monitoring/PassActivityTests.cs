using CertMgr.Core.Monitoring;
using CertMgr.Data.Model;

namespace CertMgr.Core.Tests.Monitoring;

/// <summary>
/// The stored run row decides whether a run shows progress: a pass stores its finished row a moment before it lets go
/// of its progress, and a finished run must never show progress in that moment.
/// </summary>
public sealed class PassActivityTests
{
    [Fact]
    public void ProgressOf_OnlyTheHeldRunAndOnlyWhileItsRowSaysRunning()
    {
        var activity = new MonitorActivity();
        var runId = Guid.NewGuid();
        var progress = activity.TryBegin(RunTrigger.Manual, "alice", TimeProvider.System.GetUtcNow())!;
        progress.Started(runId, 3);

        Assert.Same(progress, activity.ProgressOf(runId, RunStatus.Running));
        Assert.Null(activity.ProgressOf(runId, RunStatus.Completed)); // row already finished, slot not yet released
        Assert.Null(activity.ProgressOf(runId, RunStatus.Failed));
        Assert.Null(activity.ProgressOf(Guid.NewGuid(), RunStatus.Running)); // another run

        activity.End(progress);
        Assert.Null(activity.ProgressOf(runId, RunStatus.Running));
    }
}
