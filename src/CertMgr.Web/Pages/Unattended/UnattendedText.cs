using CertMgr.Data.Model;

namespace CertMgr.Web.Pages.Unattended;

/// <summary>How the unattended pages word and colour outcomes (always colour and text together).</summary>
public static class UnattendedText
{
    public static (string Css, string Icon, string Text) Badge(UnattendedOutcome outcome) => outcome switch
    {
        UnattendedOutcome.Completed => ("cm-badge-success", "check-circle", "Completed"),
        UnattendedOutcome.Waiting => ("cm-badge-info", "hourglass-split", "Waiting for the CA"),
        UnattendedOutcome.Interrupted => ("cm-badge-warning", "pause-circle", "Waiting for a person"),
        UnattendedOutcome.Skipped => ("cm-badge-neutral", "skip-forward", "Skipped (leased elsewhere)"),
        _ => ("cm-badge-danger", "x-circle", "Failed"),
    };

    public static (string Css, string Icon, string Text) Badge(RunStatus status) => status switch
    {
        RunStatus.Running => ("cm-badge-info", "arrow-repeat", "Running"),
        RunStatus.Completed => ("cm-badge-success", "check-circle", "Completed"),
        RunStatus.Cancelled => ("cm-badge-neutral", "slash-circle", "Cancelled"),
        _ => ("cm-badge-danger", "x-circle", "Failed"),
    };

    public static string Duration(DateTimeOffset started, DateTimeOffset? ended) =>
        ended is { } e ? $"{(e - started).TotalSeconds:0.0} s" : "running";
}
