using CertMgr.Core.Common;
using CertMgr.Core.Pki;
using CertMgr.Core.Setup;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Data.Secrets;

namespace CertMgr.Core.Deployments.Targets;

/// <summary>
/// "This CertMgr": the certificate becomes the console's own TLS certificate. It is stored (kept over restarts) and put
/// in the <see cref="ConsoleCertificateHolder"/> that Kestrel reads on every handshake, so it is served at once,
/// without restarting the process.
/// </summary>
public sealed class ThisCertMgrDeployTarget(
    CertMgrDbContext db, SecretProtector protector, ConsoleCertificateService console, ConsoleCertificateHolder holder, TimeProvider time) : IDeployTarget
{
    public DeployTargetKind Kind => DeployTargetKind.ThisCertMgr;

    public bool CanAutoInstall(CertificateDefinition definition, SshInstallSettings? settings) =>
        settings is { Enabled: true, Profile: ServerSoftware.CertMgr };

    public async Task<InstallOutcome> InstallAsync(InstallRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var material = await CertificateMaterial.OpenAsync(db, protector, request.Deployment.Certificate, ct);
        if (material is null)
        {
            return new InstallOutcome.Failed("prepare", new Error("key-not-held", "CertMgr does not hold the private key of this certificate, so it cannot serve it."));
        }

        var (leaf, key) = (material.Leaf, material.Key);
        var now = time.GetUtcNow().UtcDateTime;
        if (leaf.NotBefore.ToUniversalTime() > now || leaf.NotAfter.ToUniversalTime() <= now)
        {
            return new InstallOutcome.Failed("prepare", new Error("certificate-not-valid-now", "The certificate is not valid now; the console keeps its current one."));
        }

        if (!string.Equals(Thumbprints.PublicKeySha256(leaf), Thumbprints.PublicKeySha256(key.ExportSubjectPublicKeyInfo()), StringComparison.Ordinal))
        {
            return new InstallOutcome.Failed("prepare", new Error("key-mismatch", "The private key does not belong to the certificate; the console keeps its current one."));
        }

        var served = await console.InstallAsync(leaf, key, ct);
        holder.Certificate = served;
        return new InstallOutcome.Installed($"The console now serves {Thumbprints.Sha1(leaf)} (no restart); it is kept over restarts until it expires.");
    }
}
