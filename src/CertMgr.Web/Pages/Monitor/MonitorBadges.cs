using CertMgr.Data.Model;
using CertMgr.Web.ConsoleUi;

namespace CertMgr.Web.Pages.Monitor;

/// <summary>How a monitor run's status and an audit outcome read in the console.</summary>
public static class MonitorBadges
{
    public static StatusBadge For(RunStatus status) => status switch
    {
        RunStatus.Running => new("Running", Tone.Info, "hourglass-split"),
        RunStatus.Completed => new("Completed", Tone.Success, "check-circle"),
        RunStatus.Failed => new("Failed", Tone.Danger, "x-octagon"),
        RunStatus.Cancelled => new("Cancelled", Tone.Neutral, "slash-circle"),
        _ => new(status.ToString(), Tone.Neutral),
    };

    public static StatusBadge For(RunTrigger trigger) => trigger switch
    {
        RunTrigger.Scheduled => new("Scheduled", Tone.Neutral, "calendar-check"),
        RunTrigger.Manual => new("Manual", Tone.Primary, "play-circle"),
        _ => new(trigger.ToString(), Tone.Neutral),
    };

    /// <summary>An audit event's outcome: <c>success</c> or <c>failure</c>.</summary>
    public static StatusBadge Outcome(string outcome) => outcome switch
    {
        "success" => new("Success", Tone.Success, "check-circle"),
        "failure" => new("Failure", Tone.Danger, "x-octagon"),
        _ => new(outcome, Tone.Neutral),
    };
}
