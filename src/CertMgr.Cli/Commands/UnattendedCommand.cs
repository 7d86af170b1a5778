using System.CommandLine;
using System.Text.Json;
using CertMgr.Core.Common;
using CertMgr.Core.Unattended;
using CertMgr.Data.Model;

namespace CertMgr.Cli.Commands;

/// <summary>
/// <c>certmgr unattended run</c>: one unattended pass now, and what happened per definition (exit 0 when nothing was
/// interrupted or failed, 1 otherwise).
/// </summary>
internal static class UnattendedCommand
{
    private static readonly JsonSerializerOptions JsonOut = new(JsonSerializerDefaults.Web) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly Option<bool> Json = new("--json") { Description = "Print one JSON object instead of text." };

    public static void AddTo(RootCommand root, TextWriter output, TextWriter error)
    {
        var unattended = new Command("unattended", "The unattended engine: renewals, installs and checks that run by themselves.");
        var run = new Command("run", "Run one unattended pass now and print what happened per definition (exit 0 when nothing was interrupted or failed, 1 otherwise).");
        run.Options.Add(Json);
        run.SetAction((parse, ct) => RunAsync(parse, output, error, ct));
        unattended.Subcommands.Add(run);
        root.Subcommands.Add(unattended);
    }

    private static async Task<int> RunAsync(ParseResult parse, TextWriter output, TextWriter error, CancellationToken ct)
    {
        var (host, code) = await CliHost.OpenAsync(parse, error, ensureCa: true, ct);
        if (host is null)
        {
            return code;
        }

        await using (host)
        {
            var result = await host.Get<UnattendedEngine>().RunPassAsync(RunTrigger.Manual, CaCommand.Actor, ct);
            if (!result.IsSuccess)
            {
                return await CliHost.FailAsync(error, result.Error);
            }

            var run = result.Value;
            var items = await host.Get<UnattendedQueries>().ItemsAsync(run.Id, ct);
            if (parse.GetValue(Json))
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(new
                {
                    run = run.Id,
                    node = run.Node,
                    startedAt = run.StartedAt,
                    endedAt = run.EndedAt,
                    total = run.Total,
                    completed = run.CompletedCount,
                    interrupted = run.InterruptedCount,
                    waiting = run.WaitingCount,
                    skipped = run.SkippedCount,
                    failed = run.FailedCount,
                    items = items.Select(i => new
                    {
                        definition = i.DefinitionId,
                        name = i.Name,
                        outcome = i.Outcome.ToString(),
                        step = i.Step,
                        detail = i.Detail,
                        durationMs = i.DurationMs,
                    }),
                }, JsonOut));
            }
            else
            {
                var seconds = ((run.EndedAt ?? run.StartedAt) - run.StartedAt).TotalSeconds;
                await output.WriteLineAsync($"Unattended pass {run.Id}: {Plural.Of(run.Total, "definition")} in {seconds:0.0} s: completed {run.CompletedCount}, interrupted {run.InterruptedCount}, waiting {run.WaitingCount}, skipped {run.SkippedCount}, failed {run.FailedCount}");
                foreach (var i in items)
                {
                    await output.WriteLineAsync($"  {i.Outcome,-11} {i.Name} at {i.Step}: {i.Detail}");
                }
            }

            return run.InterruptedCount + run.FailedCount == 0 ? CliApp.ExitOk : CliApp.ExitFailure;
        }
    }
}
