using CertMgr.Core.Monitoring;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Web.ReadModels;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Web.Pages.Monitor;

/// <summary>
/// What the Run Now panel shows: a pass in progress (checked/total, polled), the end of the pass it was following
/// (with its counts and a link to the report), or nothing.
/// </summary>
public sealed class ProgressView
{
    public const string ElementId = "monitor-progress";

    /// <summary>The run being shown, when known.</summary>
    public Guid? RunId { get; private init; }

    public bool Running { get; private init; }

    public RunTrigger? Trigger { get; private init; }

    public string? Actor { get; private init; }

    public DateTimeOffset? StartedAt { get; private init; }

    /// <summary>Endpoints checked so far; null when the pass runs in another process.</summary>
    public int? Checked { get; private init; }

    public int? Total { get; private init; }

    /// <summary>The run that was followed, once it has ended.</summary>
    public RunRow? Finished { get; private init; }

    /// <summary>The Monitor Control URL to refresh the history from when the followed pass ends.</summary>
    public required string RefreshUrl { get; init; }

    /// <summary>Percent done, 0-100.</summary>
    public int Percent => Total is > 0 && Checked is { } c ? (int)Math.Clamp(100L * c / Total.Value, 0, 100) : 0;

    public static async Task<ProgressView> LoadAsync(CertMgrDbContext db, MonitorActivity activity, Guid? follow, string refreshUrl, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(activity);
        var current = activity.Current;
        if (current is not null && (follow is null || current.RunId is null || current.RunId == follow))
        {
            return new ProgressView
            {
                RunId = current.RunId ?? follow,
                Running = true,
                Trigger = current.Trigger,
                Actor = current.Actor,
                StartedAt = current.StartedAt,
                Checked = current.Checked,
                Total = current.RunId is null ? null : current.Total,
                RefreshUrl = refreshUrl,
            };
        }

        if (follow is { } id && await MonitorRows.Runs(db).AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, ct) is { } run)
        {
            return run.Status == RunStatus.Running
                ? new ProgressView { RunId = id, Running = true, Trigger = run.Trigger, StartedAt = run.StartedAt, RefreshUrl = refreshUrl }
                : new ProgressView { RunId = id, Finished = run, RefreshUrl = refreshUrl };
        }

        return new ProgressView { RefreshUrl = refreshUrl };
    }
}
