using CertMgr.Core.Common;
using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CertMgr.Core.Monitoring;

/// <summary>Runs monitoring passes when the schedule says so, in the server process; checks once a minute.</summary>
public sealed class MonitorScheduler(IServiceScopeFactory scopes, TimeProvider time, ILogger<MonitorScheduler> logger)
    : PassScheduler(scopes, time, logger)
{
    protected override string PassName => "monitoring";

    protected override async Task<DateTimeOffset?> NextRunAsync(IServiceProvider services, DateTimeOffset now, CancellationToken ct) =>
        (await MonitorSchedules.StateAsync(services.GetRequiredService<CertMgrDbContext>(), Started, now, ct)).NextRun;

    protected override async Task<bool> RunScheduledAsync(IServiceProvider services, CancellationToken ct) =>
        (await services.GetRequiredService<MonitorService>().RunAsync(RunTrigger.Scheduled, Audit.AuditLog.System, ct)).IsSuccess;
}
