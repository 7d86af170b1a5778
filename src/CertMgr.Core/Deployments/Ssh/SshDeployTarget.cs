using CertMgr.Core.Common;
using CertMgr.Core.Deployments.Targets;
using CertMgr.Core.Inventory;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Data.Secrets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace CertMgr.Core.Deployments.Ssh;

/// <summary>
/// Installs over SSH with the definition's auto-install settings (<see cref="SshInstallSettings"/>): log in (host key
/// pinned at the first success, a changed one refused), then <see cref="SshInstaller"/>. Failures name their step:
/// connect, host-key, prepare, upload, permissions, backup, move, validate, reload, rollback.
/// </summary>
public sealed partial class SshDeployTarget(CertMgrDbContext db, SecretProtector protector, TimeProvider time, ILogger<SshDeployTarget> logger) : IDeployTarget
{
    /// <summary>Per SSH server (host:port) in this process: installs into one server run one after the other.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, SemaphoreSlim> ServerLocks = new(StringComparer.Ordinal);

    public DeployTargetKind Kind => DeployTargetKind.Ssh;

    public bool CanAutoInstall(CertificateDefinition definition, SshInstallSettings? settings) =>
        settings is { Enabled: true } && settings.Profile != ServerSoftware.CertMgr && SshInstallPlans.CanLogIn(settings);

    public async Task<InstallOutcome> InstallAsync(InstallRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var definition = request.Definition;
        var s = await db.SshInstallSettings.SingleOrDefaultAsync(x => x.DefinitionId == definition.Id, ct);
        if (s is not { Enabled: true } || s.Profile == ServerSoftware.CertMgr || !SshInstallPlans.CanLogIn(s))
        {
            return new InstallOutcome.NeedsPerson(request.Package, "Auto-install over SSH is not set up for this definition.");
        }

        var plan = await PlanAsync(s, request.Deployment.Certificate, ct);
        if (!plan.IsSuccess)
        {
            return new InstallOutcome.Failed("prepare", plan.Error!);
        }

        var login = SshInstallPlans.Login(s, protector);
        if (!login.IsSuccess)
        {
            return new InstallOutcome.Failed("connect", login.Error!);
        }

        var now = time.GetUtcNow();
        var opened = await StepClock.TimeAsync("install.ssh-login", () => SshSession.OpenAsync(login.Value, ct));
        if (!opened.IsSuccess)
        {
            var hostKey = opened.Error!.Code == "ssh-host-key-changed";
            if (hostKey)
            {
                DefinitionHistory.Record(db, now, request.Actor, definition.Id, "auto-install-host-key-changed", opened.Error.Message).Outcome = "failure";
            }

            LogFailed(logger, request.Deployment.Id, hostKey ? "host-key" : "connect", opened.Error.Code);
            return new InstallOutcome.Failed(hostKey ? "host-key" : "connect", opened.Error);
        }

        using var session = opened.Value;
        AutoInstallService.Pin(s, session, now);
        // One install at a time per server: a reload takes every site's files as they are, so another definition's
        // install half way through its moves would be loaded (or refused) with this one's.
        var serverLock = ServerLocks.GetOrAdd($"{s.Host?.ToLowerInvariant()}:{s.Port}", _ => new SemaphoreSlim(1, 1));
        await StepClock.TimeAsync("install.wait-for-server", async () =>
        {
            await serverLock.WaitAsync(ct);
            return true;
        });
        InstallOutcome outcome;
        try
        {
            outcome = await SshInstaller.InstallAsync(session, plan.Value, ct);
        }
        finally
        {
            serverLock.Release();
        }

        if (outcome is InstallOutcome.Failed failed)
        {
            LogFailed(logger, request.Deployment.Id, failed.Step, failed.Error.Code);
        }

        return outcome;
    }

    private async Task<Result<InstallPlan>> PlanAsync(SshInstallSettings s, Certificate certificate, CancellationToken ct)
    {
        using var material = await CertificateMaterial.OpenAsync(db, protector, certificate, ct);
        return material is null
            ? new Error("key-not-held", "CertMgr does not hold the private key of this certificate, so it cannot install it.")
            : SshInstallPlans.Plan(s, material.Leaf, material.Chain, material.Key);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Auto-install over SSH of deployment {DeploymentId} failed at {Step} ({Code})")]
    private static partial void LogFailed(ILogger logger, Guid deploymentId, string step, string code);
}
