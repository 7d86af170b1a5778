using CertMgr.Data.Model;

namespace CertMgr.Core.Deployments.Targets;

/// <summary>
/// The server admin installs the package by hand: the install request email (or its text, downloaded) tells them how.
/// Always available, never automatic.
/// </summary>
public sealed class ManualDeployTarget : IDeployTarget
{
    public DeployTargetKind Kind => DeployTargetKind.Manual;

    public bool CanAutoInstall(CertificateDefinition definition, SshInstallSettings? settings) => false;

    public Task<InstallOutcome> InstallAsync(InstallRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Task.FromResult<InstallOutcome>(new InstallOutcome.NeedsPerson(request.Package,
            $"No automatic install is set up for {request.Deployment.TargetServerName}; the server admin installs the package."));
    }
}
