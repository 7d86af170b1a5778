using CertMgr.Core.Common;
using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CertMgr.Core.Unattended;

/// <summary>Runs unattended passes when the schedule says so, in the server process; re-reads the schedule once a minute.</summary>
public sealed class UnattendedScheduler(IServiceScopeFactory scopes, TimeProvider time, ILogger<UnattendedScheduler> logger)
    : PassScheduler(scopes, time, logger)
{
    protected override string PassName => "unattended";

    protected override async Task<DateTimeOffset?> NextRunAsync(IServiceProvider services, DateTimeOffset now, CancellationToken ct) =>
        (await UnattendedSchedules.StateAsync(services.GetRequiredService<CertMgrDbContext>(), Started, ct)).NextRun;

    protected override async Task<bool> RunScheduledAsync(IServiceProvider services, CancellationToken ct) =>
        (await services.GetRequiredService<UnattendedEngine>().RunPassAsync(RunTrigger.Scheduled, Audit.AuditLog.System, ct)).IsSuccess;
}
