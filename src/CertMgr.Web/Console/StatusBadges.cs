using CertMgr.Data.Model;

namespace CertMgr.Web.ConsoleUi;

/// <summary>How each status of the domain reads in the console (guide wording), in one place for every screen.</summary>
public static class StatusBadges
{
    public static StatusBadge For(OperationMode mode) => mode switch
    {
        OperationMode.LifecycleManaged => new("Lifecycle-managed", Tone.Primary, "arrow-repeat"),
        OperationMode.MonitoredOnly => new("Monitored-only", Tone.Neutral, "eye"),
        _ => new(mode.ToString(), Tone.Neutral),
    };

    public static StatusBadge For(ExecutionMode mode) => mode switch
    {
        ExecutionMode.Unattended => new("Unattended", Tone.Info, "robot"),
        ExecutionMode.Interactive => new("Interactive", Tone.Neutral, "person"),
        _ => new(mode.ToString(), Tone.Neutral),
    };

    /// <summary>The status of an acquisition process (certificate request).</summary>
    public static StatusBadge For(RequestStatus status, string? interruptReason = null) => status switch
    {
        RequestStatus.Draft => new("Draft", Tone.Neutral, "pencil"),
        RequestStatus.KeyAndCsrReady => new("Key & CSR ready", Tone.Info, "key"),
        RequestStatus.ProductChosen => new("Product chosen", Tone.Info, "bag-check"),
        RequestStatus.Ordered => new("Ordered", Tone.Info, "hourglass-split"),
        RequestStatus.Received => new("Received", Tone.Info, "inbox"),
        RequestStatus.Completed => new("Completed", Tone.Success, "check-circle"),
        RequestStatus.Interrupted => new("Interrupted", Tone.Danger, "pause-circle", interruptReason),
        RequestStatus.Cancelled => new("Cancelled", Tone.Neutral, "x-circle"),
        _ => new(status.ToString(), Tone.Neutral),
    };

    /// <summary>The status of a deployment process.</summary>
    public static StatusBadge For(DeploymentStatus status) => status switch
    {
        DeploymentStatus.Prepared => new("Prepared", Tone.Neutral, "box-seam"),
        DeploymentStatus.InstallRequested => new("Install requested", Tone.Info, "envelope"),
        DeploymentStatus.AutoInstalled => new("Auto-installed", Tone.Info, "cpu"),
        DeploymentStatus.Confirmed => new("Confirmed", Tone.Success, "check-circle"),
        DeploymentStatus.ManuallyConfirmed => new("Manually confirmed", Tone.Success, "person-check"),
        DeploymentStatus.CompletedWithoutCheck => new("Not checked", Tone.Warning, "dash-circle", "Completed without a deploy check"),
        DeploymentStatus.CheckFailed => new("Check failed", Tone.Danger, "x-octagon"),
        _ => new(status.ToString(), Tone.Neutral),
    };

    /// <summary>The verdict of a deploy check or a monitor pass.</summary>
    public static StatusBadge For(CheckStatus status, string? reason = null) => status switch
    {
        CheckStatus.Ok => new("OK", Tone.Success, "check-circle-fill", reason),
        CheckStatus.Ng => new("NG", Tone.Danger, "x-octagon-fill", reason),
        CheckStatus.Unreachable => new("Unreachable", Tone.Warning, "wifi-off", reason),
        _ => new(status.ToString(), Tone.Neutral),
    };

    /// <summary>
    /// Remaining validity: Expired (danger), within the alert threshold (warning), within the renewal lead time (info),
    /// else plenty (success).
    /// </summary>
    public static StatusBadge Expiry(DateTimeOffset notAfter, DateTimeOffset now, int thresholdDays, int renewalLeadDays)
    {
        var remaining = notAfter - now;
        if (remaining <= TimeSpan.Zero)
        {
            var ago = (int)Math.Floor(-remaining.TotalDays);
            return new(ago == 0 ? "Expired today" : $"Expired {ago} d ago", Tone.Danger, "exclamation-octagon-fill");
        }

        var days = (int)Math.Floor(remaining.TotalDays);
        var text = days == 0 ? "Expires today" : $"Expires in {days} d";
        if (days < thresholdDays)
        {
            return new(text, Tone.Warning, "exclamation-triangle-fill");
        }

        return days < renewalLeadDays ? new(text, Tone.Info, "clock-history") : new($"{days} d left", Tone.Success);
    }
}
