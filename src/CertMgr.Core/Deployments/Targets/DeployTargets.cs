using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Core.Deployments.Targets;

/// <summary>The registered deploy targets, and the one a definition's certificates are installed through.</summary>
public sealed class DeployTargets(IEnumerable<IDeployTarget> targets, CertMgrDbContext db)
{
    private readonly IReadOnlyList<IDeployTarget> _targets = [.. targets];

    /// <summary>
    /// The first target that installs the definition's certificates automatically, else the manual one: a target other
    /// than <see cref="DeployTargetKind.Manual"/> has already said it can auto-install, so callers need not ask again.
    /// The definition's auto-install settings are read once here (the tracked row if the caller holds one, as after an
    /// unsaved edit) and shown to every target.
    /// </summary>
    public async Task<IDeployTarget> ForAsync(CertificateDefinition definition, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var settings = db.SshInstallSettings.Local.FirstOrDefault(x => x.DefinitionId == definition.Id)
            ?? await db.SshInstallSettings.AsNoTracking().SingleOrDefaultAsync(x => x.DefinitionId == definition.Id, ct);
        return _targets.FirstOrDefault(t => t.Kind != DeployTargetKind.Manual && t.CanAutoInstall(definition, settings))
            ?? _targets.FirstOrDefault(t => t.Kind == DeployTargetKind.Manual)
            ?? new ManualDeployTarget();
    }
}
