namespace CertMgr.Core.Unattended;

/// <summary>How the unattended engine works through a pass.</summary>
public sealed record UnattendedOptions
{
    public const int DefaultDegree = 4;

    /// <summary>This server process, as lease owners and pass records name it.</summary>
    public string Node { get; init; } = $"{Environment.MachineName}:{Environment.ProcessId}";

    /// <summary>Definitions worked on at once.</summary>
    public int Degree { get; init; } = DefaultDegree;

    /// <summary>How long a lease holds without renewal; the engine renews it after every step.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How soon a pending order at a CA is asked about again.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMinutes(5);
}
