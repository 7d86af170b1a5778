using System.Net;
using CertMgr.Core.Monitoring;
using CertMgr.Core.Tests.Probe;
using CertMgr.Core.TrustedCas;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CertMgr.Core.Tests.TrustedCas;

/// <summary>A monitored-only definition validated against its set, served by a real nginx, as the set's CA comes and goes.</summary>
public sealed class TrustedCaSetMonitoringTests
{
    [Fact]
    public async Task MonitorRun_CaAddedThenRemoved_OkOnlyWhileMergedIntoTheSet()
    {
        await using var f = await CoreFixture.CreateAsync();
        f.Time.SetUtcNow(TimeProvider.System.GetUtcNow()); // the probe sees real time
        using var pki = new TestPki("CN=Trust Set Test Root");
        using var leaf = pki.Leaf("trust.monitor.test", ["trust.monitor.test"]);
        var port = TestPorts.Next();
        await using var nginx = await NginxServer.StartAsync([(port, leaf, [pki.Intermediate])]);
        var set = (await f.WithAsync(s => s.GetRequiredService<TrustedCaSets>().CreateAsync("Lab", ["public-roots.pem"], "t", CancellationToken.None))).Value;
        var now = f.Time.GetUtcNow();
        await f.DbAsync(async db =>
        {
            db.Definitions.Add(new CertificateDefinition
            {
                Name = "trust.monitor.test", CommonName = "trust.monitor.test", OperationMode = OperationMode.MonitoredOnly,
                ServerNameForCheck = IPAddress.Loopback.ToString(), CheckPort = port, TrustedCaSetId = set.Id, MonitoringEnabled = true, CreatedAt = now, UpdatedAt = now,
            });
            return await db.SaveChangesAsync();
        });

        async Task<MonitorResult> RunAsync()
        {
            var run = await f.WithAsync(s => s.GetRequiredService<MonitorService>().RunAsync(RunTrigger.Manual, "t", CancellationToken.None));
            Assert.True(run.IsSuccess, run.Error?.Message);
            return await f.DbAsync(db => db.MonitorResults.SingleAsync(r => r.MonitorRunId == run.Value.Id));
        }

        var withoutCa = await RunAsync();
        var added = await f.WithAsync(s => s.GetRequiredService<TrustedCaSets>().AddCertificatesAsync(set.Id, TrustedCaSetsTests.Pem(pki.Root), "t", CancellationToken.None));
        var addedNotMerged = await RunAsync();
        await f.WithAsync(s => s.GetRequiredService<TrustedCaSets>().MergeAsync(set.Id, "t", CancellationToken.None));
        var merged = await RunAsync();
        await f.WithAsync(s => s.GetRequiredService<TrustedCaSets>().RemoveCertificateAsync(set.Id, added.Value.Added.Single().Id, "t", CancellationToken.None));
        await f.WithAsync(s => s.GetRequiredService<TrustedCaSets>().MergeAsync(set.Id, "t", CancellationToken.None));
        var removed = await RunAsync();

        Assert.Equal(CheckStatus.Ng, withoutCa.Status);
        Assert.Contains("\"name\":\"chain\",\"ok\":false", withoutCa.ChecksJson, StringComparison.Ordinal);
        Assert.Equal(CheckStatus.Ng, addedNotMerged.Status);
        Assert.Equal(CheckStatus.Ok, merged.Status);
        Assert.Equal(CheckStatus.Ng, removed.Status);
    }
}
