using CertMgr.Core.Probe;

namespace CertMgr.Core.Monitoring;

/// <summary>One endpoint to check in a pass, with what it is expected to serve.</summary>
public sealed record MonitorTarget(string Key, string Host, int Port, string? Sni, CheckExpectations Expectations);

/// <summary>
/// Checks many endpoints concurrently with a bounded degree: each probe has its own timeouts, so one slow or dead
/// server holds one slot for at most its total timeout and never the rest of the pass.
/// </summary>
public static class MonitorPass
{
    public const int DefaultDegree = 32;

    public static async Task<CheckReport[]> RunAsync(
        IReadOnlyList<MonitorTarget> targets, int degree, ProbeOptions options, TimeProvider time, CancellationToken ct, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(degree);
        var reports = new CheckReport[targets.Count];
        var done = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, targets.Count), new ParallelOptions { MaxDegreeOfParallelism = degree, CancellationToken = ct }, async (i, token) =>
        {
            var target = targets[i];
            var probeOptions = target.Expectations.TrustAnchors is { } anchors ? options with { TrustAnchors = anchors } : options;
            var probe = await EndpointProbe.ProbeAsync(target.Host, target.Port, target.Sni, probeOptions, token);
            reports[i] = EndpointChecks.Evaluate(probe, target.Expectations, time.GetUtcNow());
            progress?.Report(Interlocked.Increment(ref done));
        });
        return reports;
    }
}
