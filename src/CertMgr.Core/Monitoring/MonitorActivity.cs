using CertMgr.Core.Common;
using CertMgr.Data.Model;

namespace CertMgr.Core.Monitoring;

/// <summary>
/// The pass running in this process, if any (one at a time, whatever started it): the console and the API read its
/// progress while it runs. Passes of other processes (<c>certmgr monitor run</c>) are seen only through their
/// <see cref="MonitorRun"/> row.
/// </summary>
public sealed class MonitorActivity : PassActivity<MonitorProgress>
{
    /// <summary>Claims the one slot for a new pass; null when a pass already holds it.</summary>
    internal MonitorProgress? TryBegin(RunTrigger trigger, string actor, DateTimeOffset now) => TryBegin(new MonitorProgress(trigger, actor, now));
}

/// <summary>How far a pass in this process has got: endpoints checked out of the total.</summary>
public sealed class MonitorProgress : PassProgress, IProgress<int>
{
    private int _checked;

    internal MonitorProgress(RunTrigger trigger, string actor, DateTimeOffset startedAt)
        : base(trigger, actor, startedAt)
    {
    }

    /// <summary>Endpoints with a verdict so far.</summary>
    public int Checked => Volatile.Read(ref _checked);

    /// <summary>Called by the pass with the number of endpoints done so far (reports may arrive out of order).</summary>
    public void Report(int value)
    {
        var seen = Volatile.Read(ref _checked);
        while (value > seen)
        {
            var previous = Interlocked.CompareExchange(ref _checked, value, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }
}
