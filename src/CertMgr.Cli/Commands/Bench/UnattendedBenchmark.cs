using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Security.Cryptography;
using System.Text;
using CertMgr.Core.Catalog;
using CertMgr.Core.Deployments.Ssh;
using CertMgr.Core.Setup;
using CertMgr.Core.TrustedCas;
using CertMgr.Core.Unattended;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertificateRequest = System.Security.Cryptography.X509Certificates.CertificateRequest;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Cli.Commands.Bench;

/// <summary>
/// One unattended pass over N definitions that all need renewal, in a scratch data directory with the built-in CA:
/// time per renewal and where it goes, per step (start, key, submit = issue, complete, ...). Without <c>--ssh</c> no
/// automatic deploy target is set up, each process stops at the install step, and the figures are the acquisition's.
/// With <c>--ssh</c> the whole process runs: a real sshd and one real nginx on loopback (one TLS server per definition),
/// every definition set up for auto-install over SSH into it; the first pass issues and installs the first certificates,
/// the measured second pass renews, installs (upload, validate with <c>nginx -t</c>, reload) and checks every one.
/// </summary>
internal static class UnattendedBenchmark
{
    public sealed record Outcome(int Count, bool Ssh, TimeSpan Wall, int Acquired, int Confirmed, int Interrupted, int Failed, IReadOnlyDictionary<string, double> MsPerStep);

    public static Command Command(TextWriter output, TextWriter error)
    {
        var count = new Option<int>("--count") { Description = "How many definitions to renew.", DefaultValueFactory = _ => 50 };
        var json = new Option<bool>("--json") { Description = "Print the figures as one JSON object." };
        var ssh = new Option<bool>("--ssh") { Description = "Install every renewal into one real nginx through a real sshd on loopback, and check it (the whole unattended process)." };
        var command = new Command("unattended", "One unattended pass over N definitions that need renewal (built-in CA): time per renewal and per step.");
        command.Options.Add(count);
        command.Options.Add(json);
        command.Options.Add(ssh);
        command.Validators.Add(r =>
        {
            if (r.GetResult(count) is { Implicit: false } given && given.GetValueOrDefault<int>() is < 1 or > 10_000)
            {
                r.AddError("--count must be between 1 and 10000.");
            }
        });
        command.SetAction(async (parse, ct) =>
        {
            var o = await RunAsync(parse.GetValue(count), parse.GetValue(ssh), ct);
            var c = CultureInfo.InvariantCulture;
            var perRenewal = o.Wall.TotalMilliseconds / o.Count;
            if (parse.GetValue(json))
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(new
                {
                    benchmark = "unattended",
                    count = o.Count,
                    ssh = o.Ssh,
                    wallSeconds = Math.Round(o.Wall.TotalSeconds, 2),
                    msPerRenewal = Math.Round(perRenewal, 1),
                    acquired = o.Acquired,
                    confirmed = o.Confirmed,
                    interrupted = o.Interrupted,
                    failed = o.Failed,
                    msPerStep = o.MsPerStep.ToDictionary(p => p.Key, p => Math.Round(p.Value, 2)),
                }));
            }
            else
            {
                var target = o.Ssh ? "installed over SSH into one nginx and checked" : "no deploy target (stops at install)";
                await output.WriteLineAsync(string.Create(c, $"unattended: one pass over {o.Count} definitions needing renewal, built-in CA, {target}, degree {UnattendedOptions.DefaultDegree}"));
                await output.WriteLineAsync(string.Create(c, $"  wall {o.Wall.TotalSeconds:0.00} s, {perRenewal:0.0} ms per renewal; acquired {o.Acquired}, deploy check confirmed {o.Confirmed}, stopped at a step {o.Interrupted}, failed {o.Failed}"));
                await output.WriteLineAsync(string.Create(c, $"  where the time goes (summed over the {UnattendedOptions.DefaultDegree} workers, per renewal; install.* are parts of install):"));
                foreach (var (step, ms) in o.MsPerStep.OrderBy(p => p.Key.Contains('.', StringComparison.Ordinal) ? 1 : 0).ThenByDescending(p => p.Value))
                {
                    await output.WriteLineAsync(string.Create(c, $"  {(step.Contains('.', StringComparison.Ordinal) ? "  " + step : step),-22} {ms,8:0.00} ms"));
                }
            }

            return o.Failed == 0 && (!o.Ssh || o.Confirmed == o.Count) ? CliApp.ExitOk : CliApp.ExitFailure;
        });
        return command;
    }

    public static async Task<Outcome> RunAsync(int count, bool ssh, CancellationToken ct)
    {
        var home = Directory.CreateTempSubdirectory("certmgr-bench-unattended-").FullName;
        BenchProcess? sshd = null;
        BenchProcess? nginx = null;
        try
        {
            var settings = CertMgrSettings.Resolve(home, null, _ => null);
            var services = new ServiceCollection();
            services.AddLogging();
            services.AddCertMgrCore(settings);
            await using var provider = services.BuildServiceProvider();
            var now = provider.GetRequiredService<TimeProvider>().GetUtcNow();
            List<Guid> ids;
            await using (var scope = provider.CreateAsyncScope())
            {
                await scope.ServiceProvider.GetRequiredService<CertMgrInitializer>().InitializeAsync(ct);
                ids = await SeedAsync(scope.ServiceProvider.GetRequiredService<CertMgrDbContext>(), count, now, ct);
            }

            if (ssh)
            {
                (sshd, nginx) = await SetUpSshAsync(provider, home, ids, ct);
            }

            var engine = provider.GetRequiredService<UnattendedEngine>();
            // First pass: each definition gets its first certificate (30 days, inside the 60-day lead time). Second, measured:
            // every one of them is due for renewal.
            var first = await engine.RunPassAsync(RunTrigger.Manual, "bench", ct);
            if (!first.IsSuccess)
            {
                throw new InvalidOperationException(first.Error.Message);
            }

            Dictionary<Guid, Guid?> before;
            await using (var scope = provider.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<CertMgrDbContext>();
                if (!ssh)
                {
                    // No automatic deploy target here: the first certificates stopped at the install step. Count them as
                    // deployed, so that the measured pass renews rather than waits at the install again.
                    await db.UnattendedStates.ExecuteUpdateAsync(u => u
                        .SetProperty(s => s.DeployCertificateId, (Guid?)null).SetProperty(s => s.InterruptedStep, (string?)null)
                        .SetProperty(s => s.InterruptReason, (string?)null).SetProperty(s => s.NotifiedKey, (string?)null), ct);
                }
                else if (first.Value.Items.FirstOrDefault(i => i.Outcome != UnattendedOutcome.Completed) is { } stuck)
                {
                    throw new InvalidOperationException($"The first pass did not install every first certificate: {stuck.Step}: {stuck.Detail}");
                }

                before = await db.Definitions.AsNoTracking().ToDictionaryAsync(d => d.Id, d => d.CurrentCertificateId, ct);
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

            var confirmed = 0;
            if (ssh)
            {
                await using var scope = provider.CreateAsyncScope();
                var after = await scope.ServiceProvider.GetRequiredService<CertMgrDbContext>().Definitions.AsNoTracking()
                    .Select(d => new { d.Id, d.CurrentCertificateId, d.DeployStatus }).ToListAsync(ct);
                confirmed = after.Count(d => d.DeployStatus == DeploymentStatus.Confirmed && d.CurrentCertificateId != before.GetValueOrDefault(d.Id));
            }

            var run = pass.Value;
            return new Outcome(count, ssh, wall, run.Items.Count(i => i.Step == UnattendedSteps.Install || i.Outcome == UnattendedOutcome.Completed),
                confirmed, run.InterruptedCount, run.FailedCount, steps);
        }
        finally
        {
            if (nginx is not null)
            {
                await nginx.DisposeAsync();
            }

            if (sshd is not null)
            {
                await sshd.DisposeAsync();
            }

            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(home, recursive: true);
        }
    }

    /// <summary>
    /// One nginx with a TLS server per definition (a placeholder certificate to start with) and one sshd, both on loopback;
    /// each definition checks its own port and installs over SSH into its own files, validated by <c>nginx -t</c> and
    /// taken live by <c>nginx -s reload</c>, like a web server that hosts many sites.
    /// </summary>
    private static async Task<(BenchProcess Sshd, BenchProcess Nginx)> SetUpSshAsync(IServiceProvider provider, string home, List<Guid> ids, CancellationToken ct)
    {
        var certs = Directory.CreateDirectory(Path.Combine(home, "bench-target")).FullName;
        var ports = new HashSet<int>();
        while (ports.Count < ids.Count)
        {
            ports.Add(BenchProcess.FreePort());
        }

        var now = provider.GetRequiredService<TimeProvider>().GetUtcNow();
        using var placeholderKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var placeholder = new CertificateRequest("CN=placeholder.bench.test", placeholderKey, HashAlgorithmName.SHA256).CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        var servers = ids.Zip(ports).Select((p, i) => (Id: p.First, Port: p.Second, Chain: Path.Combine(certs, $"{i}.pem"), Key: Path.Combine(certs, $"{i}.key"))).ToList();
        foreach (var server in servers)
        {
            await File.WriteAllTextAsync(server.Chain, placeholder.ExportCertificatePem() + "\n", ct);
            await File.WriteAllTextAsync(server.Key, placeholderKey.ExportPkcs8PrivateKeyPem(), ct);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(server.Key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        var nginx = await BenchProcess.StartNginxAsync([.. servers.Select(s => (s.Port, s.Chain, s.Key))], ct);
        BenchProcess? sshd = null;
        try
        {
            var sshPort = BenchProcess.FreePort();
            sshd = await BenchProcess.StartSshdAsync(sshPort, ct);
            var clientKey = await File.ReadAllTextAsync(Path.Combine(sshd.Directory, "client_ed25519"), ct);
            var nginxCommand = $"nginx -p {nginx.Directory} -c {nginx.Directory}/nginx.conf -e {nginx.Directory}/logs/error.log";
            await using var scope = provider.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<CertMgrDbContext>();
            var root = await db.PrivateCas.AsNoTracking().Where(c => c.IsCurrent).Select(c => c.CertificateDer!).SingleAsync(ct);
            var sets = scope.ServiceProvider.GetRequiredService<TrustedCaSets>();
            var set = await sets.CreateAsync("Built-in CA (bench)", [], "bench", ct);
            var merged = set.IsSuccess
                ? await sets.SaveAndMergeAsync(set.Value.Id, [], [Encoding.ASCII.GetBytes(PemEncoding.WriteString("CERTIFICATE", root))], [], "bench", ct)
                : set;
            if (!merged.IsSuccess)
            {
                throw new InvalidOperationException(merged.Error.Message);
            }

            var autoInstall = scope.ServiceProvider.GetRequiredService<AutoInstallService>();
            foreach (var server in servers)
            {
                await db.Definitions.Where(d => d.Id == server.Id).ExecuteUpdateAsync(d => d
                    .SetProperty(x => x.ServerNameForCheck, "127.0.0.1").SetProperty(x => x.CheckPort, server.Port)
                    .SetProperty(x => x.TrustedCaSetId, set.Value.Id).SetProperty(x => x.ExpiryThresholdDays, 7), ct);
                var saved = await autoInstall.SaveAsync(server.Id, new AutoInstallInput
                {
                    Profile = ServerSoftware.Nginx, Host = "127.0.0.1", Port = sshPort, Username = Environment.UserName, AuthMethod = SshAuthMethod.PrivateKey,
                    PrivateKey = clientKey, FullChainPath = server.Chain, KeyPath = server.Key, ValidateCommand = $"{nginxCommand} -t -q",
                    ReloadCommand = $"{nginxCommand} -s reload",
                }, "bench", ct);
                if (!saved.IsSuccess)
                {
                    throw new InvalidOperationException(saved.Error.Message);
                }
            }

            return (sshd, nginx);
        }
        catch
        {
            if (sshd is not null)
            {
                await sshd.DisposeAsync();
            }

            await nginx.DisposeAsync();
            throw;
        }
    }

    private static async Task<List<Guid>> SeedAsync(CertMgrDbContext db, int count, DateTimeOffset now, CancellationToken ct)
    {
        var connection = await db.CaConnections.SingleAsync(c => c.Kind == CaConnectionKind.BuiltInCa, ct);
        var product = new Product
        {
            Provider = ProductCatalog.BuiltInProvider, Name = "Built-in 30 days (bench)", CaConnectionId = connection.Id, MaxValidityDays = 30, MaxSans = 100,
            Wildcard = true, ValidationLevel = ValidationLevel.DV, CreatedAt = now,
        };
        db.Products.Add(product);
        var ids = new List<Guid>();
        for (var i = 0; i < count; i++)
        {
            var cn = string.Create(CultureInfo.InvariantCulture, $"host{i:D5}.bench.test");
            var definition = new CertificateDefinition
            {
                Name = cn, CommonName = cn, SubjectAlternativeNames = [cn], ExecutionMode = ExecutionMode.Unattended, ProductId = product.Id,
                ServerSoftware = ServerSoftware.Nginx, TargetServerName = "127.0.0.1", CreatedAt = now, UpdatedAt = now,
            };
            db.Definitions.Add(definition);
            ids.Add(definition.Id);
        }

        await db.SaveChangesAsync(ct);
        return ids;
    }
}
