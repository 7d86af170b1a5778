using CertMgr.Core.Common;
using CertMgr.Data.Model;

namespace CertMgr.Core.Deployments.Targets;

/// <summary>How a certificate reaches its server.</summary>
public enum DeployTargetKind
{
    /// <summary>A person installs the package sent or handed over with the install request email.</summary>
    Manual,

    /// <summary>CertMgr installs over SSH (backup, validate, reload, rollback).</summary>
    Ssh,

    /// <summary>CertMgr's own console certificate.</summary>
    ThisCertMgr,
}

/// <summary>What a deploy target is given to install a deployment's certificate.</summary>
/// <param name="Deployment">The deployment process (target server name, server software), with its certificate.</param>
/// <param name="Definition">The certificate's definition (deploy settings).</param>
/// <param name="Package">The install package the Prepare step stored in the document folder, if any.</param>
/// <param name="Actor">The acting user.</param>
public sealed record InstallRequest(Deployment Deployment, CertificateDefinition Definition, DeploymentEventDetail? Package, string Actor);

/// <summary>The result of an install attempt.</summary>
public abstract record InstallOutcome
{
    private InstallOutcome()
    {
    }

    /// <summary>The certificate is in place and the server reloaded; the deploy check comes next.</summary>
    public sealed record Installed(string Detail) : InstallOutcome;

    /// <summary>A person must install <paramref name="Package"/>; <paramref name="Reason"/> says why not automatically.</summary>
    public sealed record NeedsPerson(DeploymentEventDetail? Package, string Reason) : InstallOutcome;

    /// <summary>The install failed at <paramref name="Step"/> (e.g. connect, upload, validate, reload) and was rolled back.</summary>
    public sealed record Failed(string Step, Error Error) : InstallOutcome;
}

/// <summary>
/// The deploy-target seam: one implementation per way of getting a certificate onto a server (manual package and
/// email now, SSH next), chosen by the definition's deploy settings (<see cref="DeployTargets"/>).
/// </summary>
public interface IDeployTarget
{
    DeployTargetKind Kind { get; }

    /// <summary>
    /// Whether this target installs the definition's certificates without a person (its settings are complete);
    /// <paramref name="settings"/> are the definition's auto-install settings (null: none), read once by <see cref="DeployTargets"/>.
    /// </summary>
    bool CanAutoInstall(CertificateDefinition definition, SshInstallSettings? settings);

    /// <summary>Installs, or says that a person must. Never throws for an expected failure: that is <see cref="InstallOutcome.Failed"/>.</summary>
    Task<InstallOutcome> InstallAsync(InstallRequest request, CancellationToken ct);
}
