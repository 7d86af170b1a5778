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
public sealed class UnattendedProgress : PassProgress
{
    private readonly Lock _lock = new();
    private readonly Dictionary<UnattendedOutcome, int> _outcomes = [];

    internal UnattendedProgress(RunTrigger trigger, string actor, DateTimeOffset startedAt)
        : base(trigger, actor, startedAt)
    {
    }

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

    internal void Finished(UnattendedOutcome outcome)
    {
        lock (_lock)
        {
            _outcomes[outcome] = _outcomes.GetValueOrDefault(outcome) + 1;
        }
    }
}
