using System.Security.Cryptography;
using System.Text;
using CertMgr.Core.Inventory;
using CertMgr.Core.Monitoring;
using CertMgr.Core.Tests.Probe;
using CertMgr.Core.TrustedCas;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CertMgr.Core.Tests.Monitoring;

public class MonitorServiceTests
{
    /// <summary>The database the class runs on; a subclass in OnPostgres.cs runs it all again on PostgreSQL.</summary>
    protected virtual TestDatabase Database => TestDatabase.Sqlite;

    [Fact]
    public async Task Run_MonitoredAndDeployedDefinitions_OneResultEachWithVerdictsAndCounts()
    {
        await using var f = await CoreFixture.CreateAsync(database: Database);
        // The probe runs against real time; certificates are made for now, so the fixture's clock must agree.
        f.Time.SetUtcNow(TimeProvider.System.GetUtcNow());
        using var pki = new TestPki();
        using var good = pki.Leaf("good.monitor.test", ["good.monitor.test"], subject: "CN=good.monitor.test, O=Example, C=DE");
        using var other = pki.Leaf("managed.monitor.test", ["managed.monitor.test"]);
        using var current = pki.Leaf("managed.monitor.test", ["managed.monitor.test"]);
        var (goodPort, managedPort) = (TestPorts.Next(), TestPorts.Next());
        await using var nginx = await NginxServer.StartAsync([(goodPort, good, [pki.Intermediate]), (managedPort, other, [pki.Intermediate])]);
        var set = (await f.WithAsync(s => s.GetRequiredService<TrustedCaSets>().CreateAsync("Test PKI", [], "t", CancellationToken.None))).Value;
        await f.WithAsync(s => s.GetRequiredService<TrustedCaSets>().SaveAndMergeAsync(set.Id, [],
            [Encoding.ASCII.GetBytes(PemEncoding.WriteString("CERTIFICATE", pki.Root.RawData))], [], "t", CancellationToken.None));

        var now = f.Time.GetUtcNow();
        await f.DbAsync(async db =>
        {
            CertificateDefinition Def(string cn, OperationMode mode, int port, bool enabled = true) => new()
            {
                Name = cn, CommonName = cn, OperationMode = mode, ServerNameForCheck = "127.0.0.1", CheckPort = port,
                Organization = "Example", Country = "DE", TrustedCaSetId = set.Id, MonitoringEnabled = enabled, CreatedAt = now, UpdatedAt = now,
            };
            var monitored = Def("good.monitor.test", OperationMode.MonitoredOnly, goodPort);
            var dead = Def("dead.monitor.test", OperationMode.MonitoredOnly, TestPorts.Next());
            var disabled = Def("off.monitor.test", OperationMode.MonitoredOnly, goodPort, enabled: false);
            var managed = Def("managed.monitor.test", OperationMode.LifecycleManaged, managedPort);
            var undeployed = Def("undeployed.monitor.test", OperationMode.LifecycleManaged, goodPort);
            db.Definitions.AddRange(monitored, dead, disabled, managed, undeployed);
            await db.SaveChangesAsync();
            var cert = InventoryRecords.NewCertificate(current, [pki.Intermediate], managed.Id, CertificateSource.Imported, now);
            db.Certificates.Add(cert);
            cert.Deployments.Add(new Deployment { Status = DeploymentStatus.Confirmed, CreatedAt = now, UpdatedAt = now });
            await db.SaveChangesAsync();
            managed.CurrentCertificateId = cert.Id;
            await db.SaveChangesAsync();

            // Deployed without a check: watched (guide 4.3.3: the monitor raises the alert). A failed check: not served, not watched.
            foreach (var (cn, status) in new[] { ("skipped.monitor.test", DeploymentStatus.CompletedWithoutCheck), ("failed.monitor.test", DeploymentStatus.CheckFailed) })
            {
                var d = Def(cn, OperationMode.LifecycleManaged, managedPort);
                db.Definitions.Add(d);
                await db.SaveChangesAsync();
                var c = InventoryRecords.NewCertificate(current, [pki.Intermediate], d.Id, CertificateSource.Imported, now);
                db.Certificates.Add(c);
                c.Deployments.Add(new Deployment { Status = status, CreatedAt = now, UpdatedAt = now });
                await db.SaveChangesAsync();
                d.CurrentCertificateId = c.Id;
                await db.SaveChangesAsync();
            }

            return 0;
        });

        var result = await f.WithAsync(s => s.GetRequiredService<MonitorService>().RunAsync(RunTrigger.Manual, "tester", CancellationToken.None));

        Assert.True(result.IsSuccess, result.Error?.Message);
        var run = result.Value;
        Assert.Equal((1, 2, 1), (run.OkCount, run.NgCount, run.UnreachableCount));
        Assert.Equal(RunStatus.Completed, run.Status);
        var results = await f.DbAsync(db => db.MonitorResults.Include(r => r.Definition).Where(r => r.MonitorRunId == run.Id).ToListAsync());
        Assert.Equal(["dead.monitor.test", "good.monitor.test", "managed.monitor.test", "skipped.monitor.test"], results.Select(r => r.Definition.Name).Order());
        var managedResult = results.Single(r => r.Definition.Name == "managed.monitor.test");
        Assert.Equal(CheckStatus.Ng, managedResult.Status);
        Assert.Contains("thumbprint", managedResult.Reason, StringComparison.Ordinal);
        Assert.Contains("\"name\":\"chain\",\"ok\":true", managedResult.ChecksJson, StringComparison.Ordinal);
        Assert.Contains("refused", results.Single(r => r.Definition.Name == "dead.monitor.test").Reason, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(CheckStatus.Ok, results.Single(r => r.Definition.Name == "good.monitor.test").Status);
    }

    [Fact]
    public void EndpointOf_DefaultsAndOverrides()
    {
        var d = new CertificateDefinition { Name = "x", CommonName = "www.example.test", Port = 443 };
        Assert.Equal(("www.example.test", 443, "www.example.test"), MonitorService.EndpointOf(d));

        d.TargetServerName = "web01.internal";
        d.CheckPort = 8443;
        Assert.Equal(("web01.internal", 8443, "www.example.test"), MonitorService.EndpointOf(d));

        d.ServerNameForCheck = "10.0.0.5";
        Assert.Equal(("10.0.0.5", 8443, "www.example.test"), MonitorService.EndpointOf(d));
        Assert.Equal(("alt.example.test", 8443, "alt.example.test"), MonitorService.EndpointOf(d, "alt.example.test"));
    }
}
