using System.CommandLine;
using System.Text.Json;
using CertMgr.Core.Common;
using CertMgr.Core.Monitoring;
using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Cli.Commands;

/// <summary><c>certmgr monitor run</c>: a monitoring pass now, with its summary (exit 0 all OK, 1 any NG or Unreachable).</summary>
internal static class MonitorCommand
{
    private static readonly JsonSerializerOptions JsonOut = new(JsonSerializerDefaults.Web) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly Option<bool> Json = new("--json") { Description = "Print one JSON object instead of text." };

    public static void AddTo(RootCommand root, TextWriter output, TextWriter error)
    {
        var monitor = new Command("monitor", "Periodic monitoring of deployed and monitored-only certificates.");
        var run = new Command("run", "Run a monitoring pass now and print its summary (exit 0 when every endpoint is OK, 1 otherwise).");
        run.Options.Add(Json);
        run.SetAction((parse, ct) => RunAsync(parse, output, error, ct));
        monitor.Subcommands.Add(run);
        root.Subcommands.Add(monitor);
    }

    private static async Task<int> RunAsync(ParseResult parse, TextWriter output, TextWriter error, CancellationToken ct)
    {
        var (host, code) = await CliHost.OpenAsync(parse, error, ensureCa: true, ct, readOnly: true); // a pass over a new, empty inventory is pointless
        if (host is null)
        {
            return code;
        }

        await using (host)
        {
            var result = await host.Get<MonitorService>().RunAsync(RunTrigger.Manual, CaCommand.Actor, ct);
            if (!result.IsSuccess)
            {
                return await CliHost.FailAsync(error, result.Error);
            }

            var run = result.Value;
            var rows = await host.Get<CertMgrDbContext>().MonitorResults.AsNoTracking()
                .Where(r => r.MonitorRunId == run.Id)
                .Select(r => new { r.Definition.Name, r.Endpoint, r.Status, r.Reason, r.ServedSha1 })
                .ToListAsync(ct);
            rows = [.. rows.OrderBy(r => r.Status == CheckStatus.Ok).ThenBy(r => r.Name, StringComparer.Ordinal)];
            if (parse.GetValue(Json))
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(new
                {
                    run = run.Id,
                    startedAt = run.StartedAt,
                    endedAt = run.EndedAt,
                    total = rows.Count,
                    ok = run.OkCount,
                    ng = run.NgCount,
                    unreachable = run.UnreachableCount,
                    results = rows.Select(r => new { definition = r.Name, endpoint = r.Endpoint, status = Name(r.Status), reason = r.Reason, sha1 = r.ServedSha1 }),
                }, JsonOut));
            }
            else
            {
                var seconds = ((run.EndedAt ?? run.StartedAt) - run.StartedAt).TotalSeconds;
                await output.WriteLineAsync($"Monitor run {run.Id}: {Plural.Of(rows.Count, "endpoint")} in {seconds:0.0} s: OK {run.OkCount}, NG {run.NgCount}, Unreachable {run.UnreachableCount}");
                foreach (var r in rows.Where(r => r.Status != CheckStatus.Ok))
                {
                    await output.WriteLineAsync($"  {Name(r.Status),-11} {r.Name} ({r.Endpoint}): {r.Reason}");
                }
            }

            return run.NgCount + run.UnreachableCount == 0 ? CliApp.ExitOk : CliApp.ExitFailure;
        }
    }

    private static string Name(CheckStatus status) => status switch { CheckStatus.Ok => "OK", CheckStatus.Ng => "NG", _ => "Unreachable" };
}
