using CertMgr.Data.Model;

namespace CertMgr.Core.Deployments.Targets;

/// <summary>The registered deploy targets, and the one a definition's certificates are installed through.</summary>
public sealed class DeployTargets(IEnumerable<IDeployTarget> targets)
{
    private readonly IReadOnlyList<IDeployTarget> _targets = [.. targets];

    /// <summary>
    /// The first target that installs the definition's certificates automatically, else the manual one: a target other
    /// than <see cref="DeployTargetKind.Manual"/> has already said it can auto-install, so callers need not ask again.
    /// </summary>
    public IDeployTarget For(CertificateDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return _targets.FirstOrDefault(t => t.Kind != DeployTargetKind.Manual && t.CanAutoInstall(definition))
            ?? _targets.FirstOrDefault(t => t.Kind == DeployTargetKind.Manual)
            ?? new ManualDeployTarget();
    }
}
