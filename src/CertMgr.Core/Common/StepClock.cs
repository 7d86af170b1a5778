using System.Diagnostics;

namespace CertMgr.Core.Common;

/// <summary>
/// Time spent in the parts of a step, for "where the time goes": a caller opens a collection with <see cref="Collect"/>
/// and code deep below it (an SSH install's login, upload, validate, reload) records its parts with
/// <see cref="TimeAsync{T}"/>, without the time being passed through every signature. Nothing is recorded when no one
/// collects. The collection flows with the async context, so concurrent work (one per definition) never mixes.
/// </summary>
public static class StepClock
{
    private static readonly AsyncLocal<Dictionary<string, long>?> Current = new();

    /// <summary>Collects the parts recorded below this call into <paramref name="milliseconds"/> (added to what is there) until disposed.</summary>
    public static IDisposable Collect(Dictionary<string, long> milliseconds)
    {
        ArgumentNullException.ThrowIfNull(milliseconds);
        var outer = Current.Value;
        Current.Value = milliseconds;
        return new Restore(outer);
    }

    /// <summary>Adds <paramref name="elapsed"/> to the part <paramref name="part"/> when someone collects.</summary>
    public static void Record(string part, TimeSpan elapsed)
    {
        if (Current.Value is { } into)
        {
            lock (into)
            {
                into[part] = into.GetValueOrDefault(part) + (long)elapsed.TotalMilliseconds;
            }
        }
    }

    /// <summary>Runs <paramref name="action"/> and records its time as <paramref name="part"/>.</summary>
    public static async Task<T> TimeAsync<T>(string part, Func<Task<T>> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await action();
        }
        finally
        {
            Record(part, Stopwatch.GetElapsedTime(started));
        }
    }

    private sealed class Restore(Dictionary<string, long>? outer) : IDisposable
    {
        public void Dispose() => Current.Value = outer;
    }
}
