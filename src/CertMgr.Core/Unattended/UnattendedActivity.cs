using CertMgr.Core.Common;
using CertMgr.Data.Model;

namespace CertMgr.Core.Unattended;

/// <summary>The unattended pass running in this process, if any (one at a time), with its progress for the console and API.</summary>
public sealed class UnattendedActivity : PassActivity<UnattendedProgress>
{
    /// <summary>Claims the one slot for a new pass; null when a pass already holds it.</summary>
    internal UnattendedProgress? TryBegin(RunTrigger trigger, string actor, DateTimeOffset now) => TryBegin(new UnattendedProgress(trigger, actor, now));
}

/// <summary>How far a pass has got: definitions done out of the total, by outcome.</summary>
public sealed class UnattendedProgress
{
    private readonly Lock _lock = new();
    private readonly Dictionary<UnattendedOutcome, int> _outcomes = [];
    private Guid? _runId;
    private int _total;

    internal UnattendedProgress(RunTrigger trigger, string actor, DateTimeOffset startedAt)
    {
        Trigger = trigger;
        Actor = actor;
        StartedAt = startedAt;
    }

    public RunTrigger Trigger { get; }

    public string Actor { get; }

    public DateTimeOffset StartedAt { get; }

    public Guid? RunId
    {
        get
        {
            lock (_lock)
            {
                return _runId;
            }
        }
    }

    public int Total => Volatile.Read(ref _total);

    public int Done
    {
        get
        {
            lock (_lock)
            {
                return _outcomes.Values.Sum();
            }
        }
    }

    internal void Started(Guid runId, int total)
    {
        Volatile.Write(ref _total, total);
        lock (_lock)
        {
            _runId = runId;
        }
    }

    internal void Finished(UnattendedOutcome outcome)
    {
        lock (_lock)
        {
            _outcomes[outcome] = _outcomes.GetValueOrDefault(outcome) + 1;
        }
    }
}
