using CertMgr.Core.Common;
using CertMgr.Data.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CertMgr.Core.Monitoring;

/// <summary>"Run Now" for monitoring (guide 4.2.6): a pass in the background, one at a time (<see cref="PassRunner"/>).</summary>
public sealed class MonitorRunner(IServiceScopeFactory scopes, MonitorActivity activity, ILogger<MonitorRunner> logger) : PassRunner(logger)
{
    protected override string PassName => "monitoring";

    protected override bool IsRunning => activity.Current is not null;

    protected override async Task<Error?> RunPassAsync(string actor, Action<Guid> started, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<MonitorService>().RunAsync(RunTrigger.Manual, actor, started, ct);
        return result.IsSuccess ? null : result.Error;
    }
}
