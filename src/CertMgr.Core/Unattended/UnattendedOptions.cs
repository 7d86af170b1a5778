using System.Diagnostics;
using System.Globalization;

namespace CertMgr.Core.Unattended;

/// <summary>How the unattended engine works through a pass.</summary>
public sealed record UnattendedOptions
{
    public const int DefaultDegree = 4;

    /// <summary>This server process, as lease owners and pass records name it.</summary>
    public string Node { get; init; } = LocalNode(Environment.ProcessId);

    /// <summary>Definitions worked on at once.</summary>
    public int Degree { get; init; } = DefaultDegree;

    /// <summary>How long a lease holds without renewal; the engine renews it after every step.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How soon a pending order at a CA is asked about again.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The node name of a process of this machine: "machine:pid".</summary>
    public static string LocalNode(int processId) => $"{Environment.MachineName}:{processId.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Whether a lease owner ("machine:pid/pass") is a process of this machine that no longer runs.</summary>
    public static bool IsDeadLocalOwner(string owner)
    {
        ArgumentNullException.ThrowIfNull(owner);
        var prefix = Environment.MachineName + ":";
        var slash = owner.IndexOf('/', StringComparison.Ordinal);
        if (!owner.StartsWith(prefix, StringComparison.Ordinal) || slash < 0
            || !int.TryParse(owner.AsSpan(prefix.Length, slash - prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
        {
            return false;
        }

        if (pid == Environment.ProcessId)
        {
            return false;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited;
        }
        catch (ArgumentException)
        {
            return true; // no such process
        }
    }
}
