using CertMgr.Core.Deployments;
using CertMgr.Data.Model;

namespace CertMgr.Core.Tests.Deployments;

public sealed class DeploymentFlowTests
{
    [Theory]
    [InlineData(DeploymentStatus.Prepared, DeploymentStep.RequestInstall, true)]
    [InlineData(DeploymentStatus.Prepared, DeploymentStep.Check, true)]
    [InlineData(DeploymentStatus.Prepared, DeploymentStep.SendResult, false)]
    [InlineData(DeploymentStatus.InstallRequested, DeploymentStep.ManualConfirm, true)]
    [InlineData(DeploymentStatus.CheckFailed, DeploymentStep.Check, true)]
    [InlineData(DeploymentStatus.CheckFailed, DeploymentStep.ContinueWithoutCheck, true)]
    [InlineData(DeploymentStatus.CheckFailed, DeploymentStep.SendResult, true)]
    [InlineData(DeploymentStatus.Confirmed, DeploymentStep.SendResult, true)]
    [InlineData(DeploymentStatus.Confirmed, DeploymentStep.Check, false)]
    [InlineData(DeploymentStatus.Confirmed, DeploymentStep.ContinueWithoutCheck, false)]
    [InlineData(DeploymentStatus.ManuallyConfirmed, DeploymentStep.ManualConfirm, false)]
    [InlineData(DeploymentStatus.CompletedWithoutCheck, DeploymentStep.RequestInstall, false)]
    [InlineData(DeploymentStatus.CompletedWithoutCheck, DeploymentStep.DisableMonitoring, true)]
    public void Guard_StatusAndStep_AllowedOrWrongStep(DeploymentStatus status, DeploymentStep step, bool allowed)
    {
        var deployment = new Deployment { Status = status };

        var error = DeploymentFlow.Guard(deployment, step);

        Assert.Equal(allowed, error is null);
        if (!allowed)
        {
            Assert.Equal("wrong-step", error!.Code);
            Assert.Contains(status.ToString(), error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Guard_MonitoringAlreadyDisabled_Refused()
    {
        var error = DeploymentFlow.Guard(new Deployment { Status = DeploymentStatus.Confirmed, MonitoringDisabled = true }, DeploymentStep.DisableMonitoring);

        Assert.Contains("already disabled", error?.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(DeploymentStep.Check, true, DeploymentStatus.Confirmed)]
    [InlineData(DeploymentStep.Check, false, DeploymentStatus.CheckFailed)]
    [InlineData(DeploymentStep.ManualConfirm, false, DeploymentStatus.ManuallyConfirmed)]
    [InlineData(DeploymentStep.ContinueWithoutCheck, false, DeploymentStatus.CompletedWithoutCheck)]
    [InlineData(DeploymentStep.RequestInstall, false, DeploymentStatus.InstallRequested)]
    [InlineData(DeploymentStep.SendResult, false, DeploymentStatus.CheckFailed)]
    public void Next_Step_LeadsToStatus(DeploymentStep step, bool ok, DeploymentStatus expected)
    {
        Assert.Equal(expected, DeploymentFlow.Next(DeploymentStatus.CheckFailed, step, ok));
    }

    [Fact]
    public void Available_Prepared_StepsWithoutSendResult()
    {
        var steps = DeploymentFlow.Available(new Deployment { Status = DeploymentStatus.Prepared });

        Assert.Equal([DeploymentStep.RequestInstall, DeploymentStep.Check, DeploymentStep.ManualConfirm, DeploymentStep.ContinueWithoutCheck, DeploymentStep.DisableMonitoring], steps);
    }
}
