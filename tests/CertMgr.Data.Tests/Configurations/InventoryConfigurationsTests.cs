using System.Data.Common;
using CertMgr.Data.Model;
using CertMgr.Data.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Data.Tests.Configurations;

/// <summary>The inventory records and how they relate (DESIGN.md, "How the records relate"), on both databases.</summary>
/// <remarks>Delete behaviour is exercised with <c>ExecuteDeleteAsync</c>, so that the database's own foreign keys
/// (what the migrations created) act, not EF's change tracker.</remarks>
public sealed class InventoryConfigurationsTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    [Theory, DatabaseData]
    public async Task SaveChanges_DefinitionWithCertificatesAndCurrent_RoundTrips(DatabaseKind kind)
    {
        var definition = TestData.Definition();
        var old = TestData.Certificate(definition, TestData.T0.AddDays(-10));
        var current = TestData.Certificate(definition, TestData.T0.AddDays(80));
        var next = TestData.Certificate(definition, TestData.T0.AddDays(170));
        definition.Certificates.AddRange([old, current, next]);
        await using (var context = db.CreateContext(kind))
        {
            await AddWithCurrentAsync(context, definition, current);
        }

        await using (var context = db.CreateContext(kind))
        {
            var loaded = await context.Definitions
                .Include(d => d.Certificates)
                .Include(d => d.CurrentCertificate)
                .AsSplitQuery()
                .SingleAsync(d => d.Id == definition.Id);
            Assert.Equal(
                new[] { old.Id, current.Id, next.Id }.Order(),
                loaded.Certificates.Select(c => c.Id).Order());
            Assert.NotNull(loaded.CurrentCertificate);
            Assert.Equal(current.Id, loaded.CurrentCertificate.Id);
            Assert.Equal(definition.Id, loaded.CurrentCertificate.DefinitionId);
            Assert.Equal(current.Sha256, loaded.CurrentCertificate.Sha256);
            Assert.Equal(definition.SubjectAlternativeNames, loaded.SubjectAlternativeNames);
        }
    }

    [Theory, DatabaseData]
    public async Task SaveChanges_CurrentCertificateReplaced_PointsAtTheNewOne(DatabaseKind kind)
    {
        var definition = TestData.Definition();
        var first = TestData.Certificate(definition);
        definition.Certificates.Add(first);
        await using (var context = db.CreateContext(kind))
        {
            await AddWithCurrentAsync(context, definition, first);
        }

        Certificate second;
        await using (var context = db.CreateContext(kind))
        {
            var loaded = await context.Definitions.SingleAsync(d => d.Id == definition.Id);
            second = TestData.Certificate(loaded, TestData.T0.AddDays(200));
            loaded.Certificates.Add(second);
            loaded.CurrentCertificate = second;
            await context.SaveChangesAsync();
        }

        await using (var context = db.CreateContext(kind))
        {
            var loaded = await context.Definitions.Include(d => d.Certificates).SingleAsync(d => d.Id == definition.Id);
            Assert.Equal(second.Id, loaded.CurrentCertificateId);
            Assert.Equal(2, loaded.Certificates.Count);
        }
    }

    [Theory, DatabaseData]
    public async Task SaveChanges_CertificateCurrentForTwoDefinitions_Throws(DatabaseKind kind)
    {
        var first = TestData.Definition();
        var certificate = TestData.Certificate(first);
        first.Certificates.Add(certificate);
        await using (var context = db.CreateContext(kind))
        {
            await AddWithCurrentAsync(context, first, certificate);
        }

        await using (var context = db.CreateContext(kind))
        {
            var second = TestData.Definition();
            second.CurrentCertificateId = certificate.Id;
            context.Definitions.Add(second);
            await Assert.ThrowsAsync<DbUpdateException>(() => context.SaveChangesAsync());
        }
    }

    [Theory, DatabaseData]
    public async Task ExecuteDelete_Definition_CascadesToItsWholeHistory(DatabaseKind kind)
    {
        var definition = TestData.Definition();
        var key = TestData.Key();
        var request = TestData.Request(definition, key);
        var certificate = TestData.Certificate(definition);
        certificate.Request = request;
        certificate.PrivateKey = key;
        var deployment = new Deployment { Certificate = certificate, CreatedAt = TestData.T0, UpdatedAt = TestData.T0 };
        deployment.Events.Add(new DeploymentEvent { At = TestData.T0, Action = "prepare", Outcome = "success" });
        definition.Certificates.Add(certificate);
        definition.Requests.Add(request);
        definition.Documents.Add(Document(definition));
        await using (var context = db.CreateContext(kind))
        {
            context.Deployments.Add(deployment);
            await context.SaveChangesAsync();
            definition.CurrentCertificate = certificate;
            await context.SaveChangesAsync();
        }

        await using (var context = db.CreateContext(kind))
        {
            Assert.Equal(1, await context.Definitions.Where(d => d.Id == definition.Id).ExecuteDeleteAsync());

            Assert.False(await context.Certificates.AnyAsync(c => c.DefinitionId == definition.Id));
            Assert.False(await context.Requests.AnyAsync(r => r.DefinitionId == definition.Id));
            Assert.False(await context.Deployments.AnyAsync(d => d.Id == deployment.Id));
            Assert.False(await context.DeploymentEvents.AnyAsync(e => e.DeploymentId == deployment.Id));
            Assert.False(await context.Documents.AnyAsync(d => d.DefinitionId == definition.Id));
            // Keys are independent of any one definition.
            Assert.True(await context.PrivateKeys.AnyAsync(k => k.Id == key.Id));
        }
    }

    [Theory, DatabaseData]
    public async Task Remove_DefinitionWithCurrentCertificate_DatabaseCascades(DatabaseKind kind)
    {
        var definition = TestData.Definition();
        var certificate = TestData.Certificate(definition);
        definition.Certificates.Add(certificate);
        await using (var context = db.CreateContext(kind))
        {
            await AddWithCurrentAsync(context, definition, certificate);
        }

        await using (var context = db.CreateContext(kind))
        {
            // Only the definition is loaded: with its certificates tracked too, EF would meet the same cycle as on insert.
            var loaded = await context.Definitions.SingleAsync(d => d.Id == definition.Id);
            context.Definitions.Remove(loaded);
            await context.SaveChangesAsync();
        }

        await using (var context = db.CreateContext(kind))
        {
            Assert.False(await context.Definitions.AnyAsync(d => d.Id == definition.Id));
            Assert.False(await context.Certificates.AnyAsync(c => c.Id == certificate.Id));
        }
    }

    [Theory, DatabaseData]
    public async Task ExecuteDelete_CurrentCertificate_IsRefused(DatabaseKind kind)
    {
        var definition = TestData.Definition();
        var certificate = TestData.Certificate(definition);
        definition.Certificates.Add(certificate);
        await using (var context = db.CreateContext(kind))
        {
            await AddWithCurrentAsync(context, definition, certificate);
        }

        await using (var context = db.CreateContext(kind))
        {
            await Assert.ThrowsAnyAsync<DbException>(() =>
                DeleteCertificateAsync(context, certificate.Id));
            Assert.True(await context.Certificates.AnyAsync(c => c.Id == certificate.Id));
        }
    }

    [Theory, DatabaseData]
    public async Task SaveChanges_RequestWithCertificate_RoundTrips(DatabaseKind kind)
    {
        var definition = TestData.Definition();
        var request = TestData.Request(definition);
        var certificate = TestData.Certificate(definition);
        request.Certificate = certificate;
        request.Status = RequestStatus.Completed;
        await using (var context = db.CreateContext(kind))
        {
            context.Requests.Add(request);
            await context.SaveChangesAsync();
        }

        await using (var context = db.CreateContext(kind))
        {
            var loaded = await context.Requests.Include(r => r.Certificate).SingleAsync(r => r.Id == request.Id);
            Assert.NotNull(loaded.Certificate);
            Assert.Equal(certificate.Id, loaded.Certificate.Id);
            Assert.Equal(request.Id, (await context.Certificates.SingleAsync(c => c.Id == certificate.Id)).RequestId);
        }
    }

    [Theory, DatabaseData]
    public async Task SaveChanges_SecondCertificateForSameRequest_Throws(DatabaseKind kind)
    {
        var definition = TestData.Definition();
        var request = TestData.Request(definition);
        request.Certificate = TestData.Certificate(definition);
        await using (var context = db.CreateContext(kind))
        {
            context.Requests.Add(request);
            await context.SaveChangesAsync();
        }

        await using (var context = db.CreateContext(kind))
        {
            var loaded = await context.Definitions.SingleAsync(d => d.Id == definition.Id);
            var second = TestData.Certificate(loaded);
            second.RequestId = request.Id;
            context.Certificates.Add(second);
            await Assert.ThrowsAsync<DbUpdateException>(() => context.SaveChangesAsync());
        }
    }

    [Theory, DatabaseData]
    public async Task ExecuteDelete_Request_KeepsItsCertificate(DatabaseKind kind)
    {
        var definition = TestData.Definition();
        var request = TestData.Request(definition);
        var certificate = TestData.Certificate(definition);
        request.Certificate = certificate;
        await using (var context = db.CreateContext(kind))
        {
            context.Requests.Add(request);
            await context.SaveChangesAsync();
        }

        await using (var context = db.CreateContext(kind))
        {
            await context.Requests.Where(r => r.Id == request.Id).ExecuteDeleteAsync();

            var kept = await context.Certificates.SingleAsync(c => c.Id == certificate.Id);
            Assert.Null(kept.RequestId);
        }
    }

    [Theory, DatabaseData]
    public async Task SaveChanges_KeyReusedByTwoRequests_RoundTrips(DatabaseKind kind)
    {
        var definition = TestData.Definition();
        var key = TestData.Key();
        var first = TestData.Request(definition, key);
        var renewal = TestData.Request(definition, key);
        renewal.Kind = RequestKind.Renewal;
        definition.Requests.AddRange([first, renewal]);
        await using (var context = db.CreateContext(kind))
        {
            context.Definitions.Add(definition);
            await context.SaveChangesAsync();
        }

        await using (var context = db.CreateContext(kind))
        {
            var loaded = await context.PrivateKeys.Include(k => k.Requests).SingleAsync(k => k.Id == key.Id);
            Assert.Equal(new[] { first.Id, renewal.Id }.Order(), loaded.Requests.Select(r => r.Id).Order());
            Assert.Equal(key.EncryptedPkcs8, loaded.EncryptedPkcs8);
        }
    }

    [Theory, DatabaseData]
    public async Task ExecuteDelete_KeyInUse_IsRefused(DatabaseKind kind)
    {
        var definition = TestData.Definition();
        var key = TestData.Key();
        definition.Requests.Add(TestData.Request(definition, key));
        await using (var context = db.CreateContext(kind))
        {
            context.Definitions.Add(definition);
            await context.SaveChangesAsync();
        }

        await using (var context = db.CreateContext(kind))
        {
            await Assert.ThrowsAnyAsync<DbException>(() =>
                context.PrivateKeys.Where(k => k.Id == key.Id).ExecuteDeleteAsync());
        }
    }

    [Theory, DatabaseData]
    public async Task SaveChanges_SamePublicKeyTwice_Throws(DatabaseKind kind)
    {
        var first = TestData.Key();
        var second = TestData.Key();
        second.PublicKeySha256 = first.PublicKeySha256;
        await using var context = db.CreateContext(kind);
        context.PrivateKeys.AddRange(first, second);

        await Assert.ThrowsAsync<DbUpdateException>(() => context.SaveChangesAsync());
    }

    [Theory, DatabaseData]
    public async Task SaveChanges_CertificateWithDeploymentsAndEvents_RoundTrips(DatabaseKind kind)
    {
        var definition = TestData.Definition();
        var certificate = TestData.Certificate(definition);
        var first = new Deployment
        {
            Certificate = certificate,
            Status = DeploymentStatus.Confirmed,
            ServerSoftware = ServerSoftware.Nginx,
            Delivery = DeliveryMethod.Email,
            TargetServerName = "web1.example.test",
            CreatedAt = TestData.T0,
            UpdatedAt = TestData.T0,
        };
        first.Events.Add(new DeploymentEvent { At = TestData.T0.AddMinutes(2), Action = "check", Outcome = "ok", Actor = "system" });
        first.Events.Add(new DeploymentEvent { At = TestData.T0, Action = "prepare", Outcome = "ok", Actor = "alice" });
        first.Events.Add(new DeploymentEvent { At = TestData.T0.AddMinutes(1), Action = "install", Outcome = "ok", Detail = "ssh" });
        var second = new Deployment { Certificate = certificate, Status = DeploymentStatus.CheckFailed, CreatedAt = TestData.T0, UpdatedAt = TestData.T0 };
        await using (var context = db.CreateContext(kind))
        {
            context.Deployments.AddRange(first, second);
            await context.SaveChangesAsync();
        }

        await using (var context = db.CreateContext(kind))
        {
            var loaded = await context.Certificates
                .Include(c => c.Deployments).ThenInclude(d => d.Events.OrderBy(e => e.At))
                .SingleAsync(c => c.Id == certificate.Id);
            Assert.Equal(2, loaded.Deployments.Count);
            var confirmed = Assert.Single(loaded.Deployments, d => d.Id == first.Id);
            Assert.Equal((DeploymentStatus.Confirmed, ServerSoftware.Nginx, DeliveryMethod.Email),
                (confirmed.Status, confirmed.ServerSoftware, confirmed.Delivery));
            Assert.Equal(["prepare", "install", "check"], confirmed.Events.Select(e => e.Action));
            Assert.Empty(loaded.Deployments.Single(d => d.Id == second.Id).Events);
        }
    }

    [Theory, DatabaseData]
    public async Task ExecuteDelete_Certificate_CascadesToDeploymentsAndEvents(DatabaseKind kind)
    {
        var definition = TestData.Definition();
        var certificate = TestData.Certificate(definition);
        var deployment = new Deployment { Certificate = certificate, CreatedAt = TestData.T0, UpdatedAt = TestData.T0 };
        deployment.Events.Add(new DeploymentEvent { At = TestData.T0, Action = "prepare", Outcome = "ok" });
        await using (var context = db.CreateContext(kind))
        {
            context.Deployments.Add(deployment);
            await context.SaveChangesAsync();
        }

        await using (var context = db.CreateContext(kind))
        {
            await DeleteCertificateAsync(context, certificate.Id);

            Assert.False(await context.Deployments.AnyAsync(d => d.Id == deployment.Id));
            Assert.False(await context.DeploymentEvents.AnyAsync(e => e.DeploymentId == deployment.Id));
            Assert.True(await context.Definitions.AnyAsync(d => d.Id == definition.Id));
        }
    }

    [Theory, DatabaseData]
    public async Task SaveChanges_DocumentsOfDefinition_RoundTrip(DatabaseKind kind)
    {
        var definition = TestData.Definition();
        var document = Document(definition);
        definition.Documents.Add(document);
        await using (var context = db.CreateContext(kind))
        {
            context.Definitions.Add(definition);
            await context.SaveChangesAsync();
        }

        await using (var context = db.CreateContext(kind))
        {
            var loaded = await context.Definitions.Include(d => d.Documents).SingleAsync(d => d.Id == definition.Id);
            var stored = Assert.Single(loaded.Documents);
            Assert.Equal((document.FileName, document.StoredPath, document.Size, DocumentKind.InstallPackage),
                (stored.FileName, stored.StoredPath, stored.Size, stored.Kind));
        }
    }

    /// <summary>
    /// A definition and its current certificate point at each other, and EF cannot order such a cycle in one
    /// SaveChanges: the definition and its certificates are inserted first, then the pointer, in one transaction.
    /// </summary>
    // A plain DELETE, so that the database's own foreign keys act (EF has no ExecuteDelete for a split entity).
    private static Task<int> DeleteCertificateAsync(CertMgrDbContext context, Guid id) =>
        context.Database.ExecuteSqlAsync($"DELETE FROM certificates WHERE \"Id\" = {id}");

    private static async Task AddWithCurrentAsync(CertMgrDbContext context, CertificateDefinition definition, Certificate current)
    {
        await using var transaction = await context.Database.BeginTransactionAsync();
        context.Definitions.Add(definition);
        await context.SaveChangesAsync();
        definition.CurrentCertificate = current;
        await context.SaveChangesAsync();
        await transaction.CommitAsync();
    }

    private static Document Document(CertificateDefinition definition) => new()
    {
        Definition = definition,
        FileName = "install-package.zip",
        ContentType = "application/zip",
        Size = 12345,
        Sha256 = new string('A', 64),
        StoredPath = $"{definition.Id:N}/install-package.zip",
        Kind = DocumentKind.InstallPackage,
        CreatedAt = TestData.T0,
    };
}
