namespace CertMgr.Core.Unattended;

/// <summary>
/// Fault injection for the crash-safety tests only: when the environment variable <see cref="Variable"/> names a
/// point, the process dies there at once (<see cref="Environment.FailFast(string)"/>, as kill -9 would leave it).
/// Unset — always, outside those tests — every point is a no-op.
/// </summary>
public sealed class CrashPoints
{
    public const string Variable = "CERTMGR_TEST_CRASH_AT";

    private readonly string? _at;

    public CrashPoints()
        : this(Environment.GetEnvironmentVariable(Variable))
    {
    }

    public CrashPoints(string? at) => _at = string.IsNullOrWhiteSpace(at) ? null : at.Trim();

    /// <summary>Dies here when this is the configured point.</summary>
    public void Reached(string point)
    {
        if (_at is not null && string.Equals(_at, point, StringComparison.Ordinal))
        {
            Environment.FailFast($"{Variable}={point}: crashing on purpose (test fault injection).");
        }
    }
}
