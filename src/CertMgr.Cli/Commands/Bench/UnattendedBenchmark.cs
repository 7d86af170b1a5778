using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CertMgr.Core.Catalog;
using CertMgr.Core.Setup;
using CertMgr.Core.Unattended;
using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Cli.Commands.Bench;

/// <summary>
/// One unattended pass over N definitions that all need renewal, in a scratch data directory with the built-in CA:
/// time per renewal and where it goes, per step (start, key, submit = issue, complete, ...). Without an automatic
/// deploy target registered, each process stops at the install step, so the figures are the acquisition's.
/// </summary>
internal static class UnattendedBenchmark
{
    public sealed record Outcome(int Count, TimeSpan Wall, int Acquired, int Interrupted, int Failed, IReadOnlyDictionary<string, double> MsPerStep);

    public static Command Command(TextWriter output, TextWriter error)
    {
        var count = new Option<int>("--count") { Description = "How many definitions to renew.", DefaultValueFactory = _ => 50 };
        var json = new Option<bool>("--json") { Description = "Print the figures as one JSON object." };
        var command = new Command("unattended", "One unattended pass over N definitions that need renewal (built-in CA): time per renewal and per step.");
        command.Options.Add(count);
        command.Options.Add(json);
        command.Validators.Add(r =>
        {
            if (r.GetResult(count) is { Implicit: false } given && given.GetValueOrDefault<int>() is < 1 or > 10_000)
            {
                r.AddError("--count must be between 1 and 10000.");
            }
        });
        command.SetAction(async (parse, ct) =>
        {
            var o = await RunAsync(parse.GetValue(count), ct);
            var c = CultureInfo.InvariantCulture;
            var perRenewal = o.Wall.TotalMilliseconds / o.Count;
            if (parse.GetValue(json))
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(new
                {
                    benchmark = "unattended",
                    count = o.Count,
                    wallSeconds = Math.Round(o.Wall.TotalSeconds, 2),
                    msPerRenewal = Math.Round(perRenewal, 1),
                    acquired = o.Acquired,
                    interrupted = o.Interrupted,
                    failed = o.Failed,
                    msPerStep = o.MsPerStep.ToDictionary(p => p.Key, p => Math.Round(p.Value, 2)),
                }));
            }
            else
            {
                await output.WriteLineAsync(string.Create(c, $"unattended: one pass over {o.Count} definitions needing renewal, built-in CA, degree {UnattendedOptions.DefaultDegree}"));
                await output.WriteLineAsync(string.Create(c, $"  wall {o.Wall.TotalSeconds:0.00} s, {perRenewal:0.0} ms per renewal; acquired {o.Acquired}, stopped at a step {o.Interrupted}, failed {o.Failed}"));
                foreach (var (step, ms) in o.MsPerStep.OrderByDescending(p => p.Value))
                {
                    await output.WriteLineAsync(string.Create(c, $"  {step,-10} {ms,8:0.00} ms per renewal"));
                }
            }

            return o.Failed == 0 ? CliApp.ExitOk : CliApp.ExitFailure;
        });
        return command;
    }

    public static async Task<Outcome> RunAsync(int count, CancellationToken ct)
    {
        var home = Directory.CreateTempSubdirectory("certmgr-bench-unattended-").FullName;
        try
        {
            var settings = CertMgrSettings.Resolve(home, null, _ => null);
            var services = new ServiceCollection();
            services.AddLogging();
            services.AddCertMgrCore(settings);
            await using var provider = services.BuildServiceProvider();
            await using (var scope = provider.CreateAsyncScope())
            {
                await scope.ServiceProvider.GetRequiredService<CertMgrInitializer>().InitializeAsync(ct);
                await SeedAsync(scope.ServiceProvider.GetRequiredService<CertMgrDbContext>(), count, provider.GetRequiredService<TimeProvider>().GetUtcNow(), ct);
            }

            var engine = provider.GetRequiredService<UnattendedEngine>();
            // First pass: each definition gets its first certificate (30 days, inside the 60-day lead time). Second, measured:
            // every one of them is due for renewal.
            var first = await engine.RunPassAsync(RunTrigger.Manual, "bench", ct);
            if (!first.IsSuccess)
            {
                throw new InvalidOperationException(first.Error.Message);
            }

            await using (var scope = provider.CreateAsyncScope())
            {
                // No automatic deploy target here: the first certificates stopped at the install step. Count them as
                // deployed, so that the measured pass renews rather than waits at the install again.
                await scope.ServiceProvider.GetRequiredService<CertMgrDbContext>().UnattendedStates.ExecuteUpdateAsync(u => u
                    .SetProperty(s => s.DeployCertificateId, (Guid?)null).SetProperty(s => s.InterruptedStep, (string?)null)
                    .SetProperty(s => s.InterruptReason, (string?)null).SetProperty(s => s.NotifiedKey, (string?)null), ct);
            }

            var started = Stopwatch.GetTimestamp();
            var pass = await engine.RunPassAsync(RunTrigger.Manual, "bench", ct);
            var wall = Stopwatch.GetElapsedTime(started);
            if (!pass.IsSuccess)
            {
                throw new InvalidOperationException(pass.Error.Message);
            }

            var steps = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var item in pass.Value.Items.Where(i => i.TimingsJson is not null))
            {
                foreach (var (step, ms) in JsonSerializer.Deserialize<Dictionary<string, long>>(item.TimingsJson!)!)
                {
                    steps[step] = steps.GetValueOrDefault(step) + ms / (double)count;
                }
            }

            var run = pass.Value;
            return new Outcome(count, wall, run.Items.Count(i => i.Step == UnattendedSteps.Install || i.Outcome == UnattendedOutcome.Completed),
                run.InterruptedCount, run.FailedCount, steps);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(home, recursive: true);
        }
    }

    private static async Task SeedAsync(CertMgrDbContext db, int count, DateTimeOffset now, CancellationToken ct)
    {
        var connection = await db.CaConnections.SingleAsync(c => c.Kind == CaConnectionKind.BuiltInCa, ct);
        var product = new Product
        {
            Provider = ProductCatalog.BuiltInProvider, Name = "Built-in 30 days (bench)", CaConnectionId = connection.Id, MaxValidityDays = 30, MaxSans = 100,
            Wildcard = true, ValidationLevel = ValidationLevel.DV, CreatedAt = now,
        };
        db.Products.Add(product);
        for (var i = 0; i < count; i++)
        {
            var cn = string.Create(CultureInfo.InvariantCulture, $"host{i:D5}.bench.test");
            db.Definitions.Add(new CertificateDefinition
            {
                Name = cn, CommonName = cn, SubjectAlternativeNames = [cn], ExecutionMode = ExecutionMode.Unattended, ProductId = product.Id,
                ServerSoftware = ServerSoftware.Nginx, TargetServerName = "127.0.0.1", CreatedAt = now, UpdatedAt = now,
            });
        }

        await db.SaveChangesAsync(ct);
    }
}
