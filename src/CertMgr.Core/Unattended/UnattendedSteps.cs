using System.Diagnostics;

namespace CertMgr.Core.Unattended;

/// <summary>The steps of an unattended process, as the pass records, interruptions and the benchmark name them.</summary>
public static class UnattendedSteps
{
    public const string Start = "start";
    public const string Key = "key";
    public const string Product = "product";
    public const string Submit = "submit";
    public const string Poll = "poll";
    public const string Complete = "complete";
    public const string Prepare = "prepare";
    public const string Install = "install";
    public const string Check = "check";

    /// <summary>Steps of the acquisition stage (the others are deployment).</summary>
    public static bool IsAcquisition(string? step) => step is Start or Key or Product or Submit or Poll or Complete;
}

/// <summary>How a stage of a process ended in this pass.</summary>
public enum StageStatus
{
    /// <summary>Finished (or nothing to do).</summary>
    Done,

    /// <summary>Waiting for the CA; nothing for a person to do.</summary>
    Waiting,

    /// <summary>Needs a person: the reason is in <see cref="StageResult.Detail"/>.</summary>
    Interrupted,
}

/// <summary>Where a stage got to: its last step, what happened, and the records involved.</summary>
public sealed record StageResult(StageStatus Status, string Step, string? Detail, Guid? RequestId = null, Guid? DeploymentId = null, Guid? CertificateId = null);

/// <summary>One definition's work in a pass: the lease owner, time spent per step, and the lease renewal after each step.</summary>
public sealed class UnattendedWork(Guid definitionId, string owner, Func<CancellationToken, Task> renew)
{
    private readonly Dictionary<string, long> _ms = new(StringComparer.Ordinal);

    public Guid DefinitionId { get; } = definitionId;

    public string Owner { get; } = owner;

    /// <summary>Milliseconds spent per step.</summary>
    public IReadOnlyDictionary<string, long> Timings => _ms;

    /// <summary>Runs one step, times it, then renews the lease.</summary>
    public async Task<T> StepAsync<T>(string step, Func<Task<T>> action, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(action);
        var started = Stopwatch.GetTimestamp();
        try
        {
            // Parts of the step that code below records (e.g. "install.ssh-login") land beside the steps.
            using (Common.StepClock.Collect(_ms))
            {
                return await action();
            }
        }
        finally
        {
            lock (_ms)
            {
                _ms[step] = _ms.GetValueOrDefault(step) + (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }

            await renew(ct);
        }
    }
}
