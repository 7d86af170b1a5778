using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.Inventory.Seeding;
using CertMgr.Core.PrivateCa;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Data.Secrets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CertMgr.Core.Tests.Inventory.Seeding;

public sealed class InventorySeederTests
{
    [Fact]
    public async Task Seed_Definitions_RowsReadBackThroughEfAndAreConsistent()
    {
        await using var f = await CoreFixture.CreateAsync();
        var certificatesBefore = await f.DbAsync(db => db.Certificates.CountAsync());
        var keysBefore = await f.DbAsync(db => db.PrivateKeys.CountAsync());

        var outcome = await f.WithAsync(sp => sp.GetRequiredService<InventorySeeder>().SeedAsync(120, null, CancellationToken.None));

        await using var scope = f.Scope();
        var db = scope.ServiceProvider.GetRequiredService<CertMgrDbContext>();
        var protector = scope.ServiceProvider.GetRequiredService<SecretProtector>();
        var definitions = await db.Definitions.AsNoTracking().Include(d => d.CurrentCertificate).ThenInclude(c => c!.PrivateKey).ToListAsync();
        Assert.Equal(120, outcome.Definitions);
        Assert.Equal(120, definitions.Count);
        Assert.Equal(certificatesBefore + outcome.Certificates, await db.Certificates.CountAsync());
        Assert.Equal(keysBefore + outcome.Keys, await db.PrivateKeys.CountAsync());
        Assert.Equal(outcome.MonitorResults, await db.MonitorResults.CountAsync());
        Assert.Contains(definitions, d => d.OperationMode == OperationMode.MonitoredOnly);
        Assert.Contains(definitions, d => d.OperationMode == OperationMode.LifecycleManaged);
        foreach (var d in definitions)
        {
            var current = Assert.IsType<Certificate>(d.CurrentCertificate);
            Assert.Equal(d.Id, current.DefinitionId);
            Assert.Contains(InventorySeeder.SeedTag, d.Tags);
            using var leaf = X509CertificateLoader.LoadCertificate(current.Der);
            Assert.Equal(leaf.Thumbprint, current.Sha1);
            Assert.Equal(new DateTimeOffset(leaf.NotAfter.ToUniversalTime()), current.NotAfter);
            Assert.Equal(d.SubjectAlternativeNames, current.SubjectAlternativeNames);
            Assert.True(leaf.MatchesHostname(d.CommonName.TrimStart('*', '.')) || d.CommonName.StartsWith('*'));
            if (current.PrivateKey is { } stored)
            {
                using var key = (ECDsa)SealedKeys.Open(stored, protector);
                Assert.Equal(leaf.GetECDsaPublicKey()!.ExportSubjectPublicKeyInfo(), key.ExportSubjectPublicKeyInfo());
            }
        }

        Assert.True(outcome.Certificates > 120);
        var open = await db.Requests.Where(r => r.Status != RequestStatus.Completed).Select(r => r.Status).ToListAsync();
        Assert.DoesNotContain(RequestStatus.Received, open);
    }
}
