using CertMgr.Core.Acquisition;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CertMgr.Core.Tests.Acquisition;

public class AcquisitionQueriesTests
{
    /// <summary>The database the class runs on; a subclass in OnPostgres.cs runs it all again on PostgreSQL.</summary>
    protected virtual TestDatabase Database => TestDatabase.Sqlite;

    [Fact]
    public async Task RenewalDue_PerDefinitionLeadTime_OnlyLifecycleManagedWithoutOpenProcess()
    {
        await using var f = await CoreFixture.CreateAsync(database: Database);
        var now = f.Time.GetUtcNow();
        // Expires in 40 days: due with the default 60-day lead, not with a 30-day lead.
        var due = await AddWithCurrentAsync(f, "due.example.test", now.AddDays(40), lead: 60);
        var notYet = await AddWithCurrentAsync(f, "later.example.test", now.AddDays(40), lead: 30);
        var monitored = await AddWithCurrentAsync(f, "mon.example.test", now.AddDays(5), lead: 60, OperationMode.MonitoredOnly);
        var started = await AddWithCurrentAsync(f, "started.example.test", now.AddDays(5), lead: 60);
        await f.WithAsync(sp => sp.GetRequiredService<AcquisitionService>().StartAsync(started, RequestKind.Renewal, "alice", CancellationToken.None));

        var ids = await f.DbAsync(async db => await (await AcquisitionQueries.RenewalDueAsync(db, now, CancellationToken.None)).Select(r => r.DefinitionId).ToListAsync());
        var ongoing = await f.DbAsync(db => AcquisitionQueries.Ongoing(db).Select(r => r.DefinitionId).ToListAsync());

        Assert.Equal([due], ids);
        Assert.DoesNotContain(notYet, ids);
        Assert.DoesNotContain(monitored, ids);
        Assert.Equal([started], ongoing);
    }

    [Fact]
    public async Task Search_DefinitionTagSanOrOrderNumber_FindsOnlyTheMatchingRequests()
    {
        await using var f = await CoreFixture.CreateAsync(database: Database);
        var shop = await AcquisitionTestData.AddDefinitionAsync(f, "shop.example.test", configure: d =>
        {
            d.SubjectAlternativeNames = ["shop.example.test", "Checkout.Example.Test"];
            d.Tags = ["Payments"];
        });
        var mail = await AcquisitionTestData.AddDefinitionAsync(f, "mail.example.test");
        var service = (Func<Guid, Task>)(id => f.WithAsync(sp => sp.GetRequiredService<AcquisitionService>().StartAsync(id, RequestKind.New, "alice", CancellationToken.None)));
        await service(shop);
        await service(mail);
        await f.DbAsync(db => db.Requests.Where(r => r.DefinitionId == mail).ExecuteUpdateAsync(s => s.SetProperty(r => r.OrderNumber, "ORD-77-XYZ")));

        async Task<List<Guid>> Find(string text) => await f.DbAsync(db =>
            AcquisitionQueries.Search(db, AcquisitionQueries.AllRequests(db), text).Select(r => r.DefinitionId).ToListAsync());

        Assert.Equal([shop], await Find("CHECKOUT.example"));
        Assert.Equal([shop], await Find("payments"));
        Assert.Equal([mail], await Find("ord-77"));
        Assert.Empty(await Find("nothing-like-this"));
    }

    private static async Task<Guid> AddWithCurrentAsync(CoreFixture f, string cn, DateTimeOffset notAfter, int lead, OperationMode mode = OperationMode.LifecycleManaged)
    {
        var id = await AcquisitionTestData.AddDefinitionAsync(f, cn, mode: mode, configure: d => d.RenewalLeadDays = lead);
        await f.DbAsync(async db =>
        {
            var now = f.Time.GetUtcNow();
            var c = new Certificate
            {
                DefinitionId = id, Der = [1], Sha1 = cn, Sha256 = cn, Subject = "CN=" + cn, Issuer = "CN=x", SerialNumber = "01",
                NotBefore = now.AddDays(-300), NotAfter = notAfter, CreatedAt = now,
            };
            db.Certificates.Add(c);
            await db.SaveChangesAsync();
            var d = await db.Definitions.SingleAsync(x => x.Id == id);
            d.CurrentCertificateId = c.Id;
            return await db.SaveChangesAsync();
        });
        return id;
    }
}
