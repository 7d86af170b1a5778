using CertMgr.Core.Common;
using CertMgr.Data.Model;

namespace CertMgr.Core.Deployments;

/// <summary>The steps a person (or the API) can take on a deployment process (guide 4.3.3).</summary>
public enum DeploymentStep
{
    Prepare,
    RequestInstall,
    Check,
    ManualConfirm,
    ContinueWithoutCheck,
    SendResult,
    DisableMonitoring,
}

/// <summary>
/// The deployment state machine of DESIGN.md as plain rules: Prepared → InstallRequested → Confirmed (deploy check OK),
/// ManuallyConfirmed or CompletedWithoutCheck; CheckFailed can be checked again. Confirmed, ManuallyConfirmed and
/// CompletedWithoutCheck end the process. Sending the result needs a check; disabling monitoring works at any time, once.
/// </summary>
public static class DeploymentFlow
{
    private static readonly DeploymentStatus[] Open =
        [DeploymentStatus.Prepared, DeploymentStatus.InstallRequested, DeploymentStatus.AutoInstalled, DeploymentStatus.CheckFailed];

    /// <summary>Whether the process is still going on (not yet confirmed or completed).</summary>
    public static bool IsOpen(DeploymentStatus status) => Open.Contains(status);

    /// <summary>The statuses a step may start from.</summary>
    public static IReadOnlyList<DeploymentStatus> AllowedFrom(DeploymentStep step) => step switch
    {
        DeploymentStep.RequestInstall => [DeploymentStatus.Prepared, DeploymentStatus.InstallRequested, DeploymentStatus.CheckFailed],
        DeploymentStep.Check or DeploymentStep.ManualConfirm or DeploymentStep.ContinueWithoutCheck => Open,
        DeploymentStep.SendResult => [DeploymentStatus.Confirmed, DeploymentStatus.CheckFailed],
        DeploymentStep.DisableMonitoring => Enum.GetValues<DeploymentStatus>(),
        _ => [],
    };

    /// <summary>Null when <paramref name="step"/> may be taken now, else why not.</summary>
    public static Error? Guard(Deployment deployment, DeploymentStep step)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        if (step == DeploymentStep.DisableMonitoring && deployment.MonitoringDisabled)
        {
            return Error.Conflict("wrong-step", "Periodic monitoring is already disabled for this deployment.");
        }

        var allowed = AllowedFrom(step);
        if (allowed.Contains(deployment.Status))
        {
            return null;
        }

        var why = IsOpen(deployment.Status)
            ? step == DeploymentStep.SendResult ? " Run a deploy check first." : ""
            : " The process is complete; prepare a new deployment to deploy again.";
        return Error.Conflict("wrong-step",
            $"Cannot {Describe(step)} now: the deployment is {deployment.Status} (allowed when {string.Join(" or ", allowed)}).{why}");
    }

    /// <summary>The steps that may be taken now, for buttons and the API's <c>nextSteps</c>.</summary>
    public static IReadOnlyList<DeploymentStep> Available(Deployment deployment)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        return [.. Enum.GetValues<DeploymentStep>().Where(s => s != DeploymentStep.Prepare && Guard(deployment, s) is null)];
    }

    /// <summary>
    /// The status a step leads to; the deploy check leads to Confirmed or CheckFailed by its verdict, the install
    /// request to AutoInstalled when the deploy target installed it, else InstallRequested (a person installs).
    /// </summary>
    public static DeploymentStatus Next(DeploymentStatus current, DeploymentStep step, bool checkOk = false, bool installed = false) => step switch
    {
        DeploymentStep.Prepare => DeploymentStatus.Prepared,
        DeploymentStep.RequestInstall => installed ? DeploymentStatus.AutoInstalled : DeploymentStatus.InstallRequested,
        DeploymentStep.Check => checkOk ? DeploymentStatus.Confirmed : DeploymentStatus.CheckFailed,
        DeploymentStep.ManualConfirm => DeploymentStatus.ManuallyConfirmed,
        DeploymentStep.ContinueWithoutCheck => DeploymentStatus.CompletedWithoutCheck,
        _ => current,
    };

    /// <summary>The step's name in history and audit records (kebab-case, as the API's paths).</summary>
    public static string ActionOf(DeploymentStep step) => step switch
    {
        DeploymentStep.Prepare => "prepare",
        DeploymentStep.RequestInstall => "request-install",
        DeploymentStep.Check => "check",
        DeploymentStep.ManualConfirm => "manual-confirm",
        DeploymentStep.ContinueWithoutCheck => "continue-without-check",
        DeploymentStep.SendResult => "send-result",
        DeploymentStep.DisableMonitoring => "disable-monitoring",
        _ => step.ToString(),
    };

    /// <summary>How a recorded action reads in the history, e.g. "manual-confirm" → "Manually checked deployment".</summary>
    public static string Label(string action) => action switch
    {
        "prepare" => "Prepared to deploy",
        "request-install" => "Install requested",
        "check" => "Deploy check",
        "manual-confirm" => "Manually checked deployment",
        "continue-without-check" => "Continued without checking",
        "send-result" => "Result sent to server admin",
        "disable-monitoring" => "Periodic monitoring disabled",
        _ => action,
    };

    public static string Describe(DeploymentStep step) => step switch
    {
        DeploymentStep.Prepare => "prepare the deployment",
        DeploymentStep.RequestInstall => "request the install",
        DeploymentStep.Check => "run the deploy check",
        DeploymentStep.ManualConfirm => "confirm a manually checked deployment",
        DeploymentStep.ContinueWithoutCheck => "continue without checking",
        DeploymentStep.SendResult => "send the check result to the server admin",
        DeploymentStep.DisableMonitoring => "disable periodic monitoring",
        _ => step.ToString(),
    };
}
