using System.Security.Cryptography;
using CertMgr.Core.Deployments;
using CertMgr.Core.Deployments.Targets;
using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Core.Unattended;

/// <summary>
/// The deployment stage of an unattended process, through <see cref="DeploymentService"/>'s guarded steps: prepare,
/// install through the definition's automatic deploy target, deploy check. A failed install or check leaves the
/// deployment where it was (Prepared or CheckFailed), so the next pass installs again once the cause is fixed.
/// </summary>
public sealed class UnattendedDeployment(CertMgrDbContext db, DeploymentService deployments, DeployTargets targets)
{
    private const int MaxSteps = 6;
    private const string PasswordAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

    /// <summary>Deploys the definition's current certificate as far as it goes by itself.</summary>
    public async Task<StageResult> DriveAsync(CertificateDefinition definition, UnattendedWork work, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(work);
        if (definition.CurrentCertificateId is not { } certificateId)
        {
            return new StageResult(StageStatus.Interrupted, UnattendedSteps.Prepare, "The definition has no current certificate to deploy.");
        }

        var deploymentId = await db.Deployments.AsNoTracking().Where(d => d.CertificateId == certificateId)
            .OrderByDescending(d => d.CreatedAt).Select(d => (Guid?)d.Id).FirstOrDefaultAsync(ct);
        var deployment = deploymentId is { } known ? await deployments.FindAsync(known, ct) : null;
        if (deployment is not null && !DeploymentFlow.IsOpen(deployment.Status))
        {
            return new StageResult(StageStatus.Done, UnattendedSteps.Check, $"deployment {deployment.Status}", DeploymentId: deployment.Id, CertificateId: certificateId);
        }

        var target = await targets.ForAsync(definition, ct);
        if (target.Kind == DeployTargetKind.Manual)
        {
            return new StageResult(StageStatus.Interrupted, UnattendedSteps.Install,
                $"No automatic install is set up for {definition.TargetServerName ?? definition.CommonName} ({definition.ServerSoftware}): set up auto-install on the definition, or deploy the certificate by hand (Prepare to Deploy).",
                DeploymentId: deployment?.Id, CertificateId: certificateId);
        }

        if (deployment is null)
        {
            var defaults = await deployments.DefaultsAsync(definition.Id, ct);
            if (!defaults.IsSuccess)
            {
                return new StageResult(StageStatus.Interrupted, UnattendedSteps.Prepare, defaults.Error.Message, CertificateId: certificateId);
            }

            // The automatic target installs from the stored certificate and key; the package is the record of what was
            // deployed, and its password is used once here and never kept.
            var password = RandomNumberGenerator.GetString(PasswordAlphabet, 32);
            var prepared = await work.StepAsync(UnattendedSteps.Prepare, () => deployments.PrepareAsync(defaults.Value, password, UnattendedEngine.Actor, ct), ct);
            if (!prepared.IsSuccess)
            {
                return new StageResult(StageStatus.Interrupted, UnattendedSteps.Prepare, prepared.Error.Message, CertificateId: certificateId);
            }

            deployment = prepared.Value;
        }

        for (var i = 0; i < MaxSteps; i++)
        {
            var id = deployment.Id;
            switch (deployment.Status)
            {
                case DeploymentStatus.Prepared or DeploymentStatus.InstallRequested or DeploymentStatus.CheckFailed:
                {
                    var installed = await work.StepAsync(UnattendedSteps.Install, () => deployments.RequestInstallAsync(id, null, UnattendedEngine.Actor, ct), ct);
                    if (!installed.IsSuccess)
                    {
                        return new StageResult(StageStatus.Interrupted, UnattendedSteps.Install, $"The automatic install failed: {installed.Error.Message}", DeploymentId: id, CertificateId: certificateId);
                    }

                    deployment = installed.Value;
                    if (deployment.Status != DeploymentStatus.AutoInstalled)
                    {
                        return new StageResult(StageStatus.Interrupted, UnattendedSteps.Install,
                            "The deploy target could not install automatically; the install request went to the server administrator.", DeploymentId: id, CertificateId: certificateId);
                    }

                    break;
                }

                case DeploymentStatus.AutoInstalled:
                {
                    var checkedDeployment = await work.StepAsync(UnattendedSteps.Check, () => deployments.CheckAsync(id, null, UnattendedEngine.Actor, ct), ct);
                    if (!checkedDeployment.IsSuccess)
                    {
                        return new StageResult(StageStatus.Interrupted, UnattendedSteps.Check, checkedDeployment.Error.Message, DeploymentId: id, CertificateId: certificateId);
                    }

                    deployment = checkedDeployment.Value;
                    if (deployment.Status != DeploymentStatus.Confirmed)
                    {
                        var why = DeploymentService.LastCheck(deployment)?.Outcome.Summary ?? "the server does not serve the new certificate";
                        return new StageResult(StageStatus.Interrupted, UnattendedSteps.Check, $"The deploy check failed: {why}", DeploymentId: id, CertificateId: certificateId);
                    }

                    return new StageResult(StageStatus.Done, UnattendedSteps.Check, "installed and confirmed", DeploymentId: id, CertificateId: certificateId);
                }

                default:
                    return new StageResult(StageStatus.Done, UnattendedSteps.Check, $"deployment {deployment.Status}", DeploymentId: id, CertificateId: certificateId);
            }
        }

        return new StageResult(StageStatus.Waiting, UnattendedSteps.Install, "step limit of one pass reached", DeploymentId: deployment.Id, CertificateId: certificateId);
    }
}
