using CertMgr.Core.Common;
using CertMgr.Data.Model;
using Microsoft.Extensions.Logging;

namespace CertMgr.Core.Unattended;

/// <summary>"Run now" for unattended processes: a pass in the background, one at a time (<see cref="PassRunner"/>).</summary>
public sealed class UnattendedRunner(UnattendedEngine engine, UnattendedActivity activity, ILogger<UnattendedRunner> logger) : PassRunner(logger)
{
    protected override string PassName => "unattended";

    protected override bool IsRunning => activity.Current is not null;

    protected override async Task<Error?> RunPassAsync(string actor, Action<Guid> started, CancellationToken ct)
    {
        var result = await engine.RunPassAsync(RunTrigger.Manual, actor, ct, started);
        return result.IsSuccess ? null : result.Error;
    }
}
