using CertMgr.Data.Model;
using CertMgr.Data.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace CertMgr.Data.Tests;

/// <summary>The model as a whole: migrations per provider, and the conventions set in <see cref="CertMgrDbContext"/>.</summary>
public sealed class CertMgrDbContextTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    [Theory, DatabaseData]
    public async Task MigrateAsync_EmptyDatabase_AppliesEveryMigration(DatabaseKind kind)
    {
        await using var database = await TestDatabase.CreateAsync(kind, migrate: false);
        await using var context = database.CreateContext();

        await context.Database.MigrateAsync();

        var all = context.Database.GetMigrations().ToList();
        Assert.NotEmpty(all);
        Assert.Empty(await context.Database.GetPendingMigrationsAsync());
        Assert.Equal(all, await context.Database.GetAppliedMigrationsAsync());
    }

    [Theory, DatabaseData]
    public async Task MigrateAsync_AlreadyMigrated_KeepsData(DatabaseKind kind)
    {
        var definition = TestData.Definition();
        await using (var context = db.CreateContext(kind))
        {
            context.Definitions.Add(definition);
            await context.SaveChangesAsync();
        }

        await using (var context = db.CreateContext(kind))
        {
            await context.Database.MigrateAsync();
            Assert.True(await context.Definitions.AnyAsync(d => d.Id == definition.Id));
            Assert.Empty(await context.Database.GetPendingMigrationsAsync());
        }
    }

    [Theory, DatabaseData]
    public async Task HasPendingModelChanges_CurrentModel_IsFalse(DatabaseKind kind)
    {
        await using var context = db.CreateContext(kind);

        Assert.False(context.Database.HasPendingModelChanges(),
            $"The model differs from the {kind} migrations snapshot: delete the Migrations folders and re-add Initial with `dotnet ef migrations add Initial -p src/CertMgr.Data.{kind} -s src/CertMgr.Data.{kind} -o Migrations`.");
    }

    [Theory]
    [InlineData(DatabaseKind.Sqlite, DatabaseSettings.SqliteMigrationsAssembly)]
    [InlineData(DatabaseKind.Postgres, DatabaseSettings.PostgresMigrationsAssembly)]
    public async Task Migrations_EachProvider_ComeFromItsOwnAssembly(DatabaseKind kind, string assembly)
    {
        await using var context = db.CreateContext(kind);

        var migrations = context.GetService<IMigrationsAssembly>();

        Assert.Equal(assembly, migrations.Assembly.GetName().Name);
        Assert.NotEmpty(migrations.Migrations);
    }

    [Theory, DatabaseData]
    public async Task SaveChanges_EnumProperties_StoredByName(DatabaseKind kind)
    {
        var definition = TestData.Definition();
        definition.OperationMode = OperationMode.MonitoredOnly;
        definition.RequiredValidationLevel = ValidationLevel.EV;
        var request = TestData.Request(definition);
        request.Status = RequestStatus.Interrupted;
        request.OrderNumber = TestData.Unique("order");
        await using (var context = db.CreateContext(kind))
        {
            context.Requests.Add(request);
            await context.SaveChangesAsync();
        }

        await using (var context = db.CreateContext(kind))
        {
            var status = await context.Database
                .SqlQuery<string>($"SELECT \"Status\" AS \"Value\" FROM requests WHERE \"OrderNumber\" = {request.OrderNumber}")
                .SingleAsync();
            var mode = await context.Database
                .SqlQuery<string>($"SELECT \"OperationMode\" AS \"Value\" FROM definitions WHERE \"Name\" = {definition.Name}")
                .SingleAsync();
            var level = await context.Database
                .SqlQuery<string>($"SELECT \"RequiredValidationLevel\" AS \"Value\" FROM definitions WHERE \"Name\" = {definition.Name}")
                .SingleAsync();
            Assert.Equal(("Interrupted", "MonitoredOnly", "EV"), (status, mode, level));

            var loaded = await context.Requests.Include(r => r.Definition).SingleAsync(r => r.Id == request.Id);
            Assert.Equal(RequestStatus.Interrupted, loaded.Status);
            Assert.Equal(ValidationLevel.EV, loaded.Definition.RequiredValidationLevel);
            Assert.True(await context.Requests.AnyAsync(r => r.Id == request.Id && r.Status == RequestStatus.Interrupted));
        }
    }

    [Theory, DatabaseData]
    public async Task Query_OrderByNotAfterWithinRange_ReturnsInstantOrder(DatabaseKind kind)
    {
        var definition = TestData.Definition();
        // Wall-clock order differs from instant order once offsets differ: +09:00 at 08:00 is 23:00 UTC the day before.
        var notAfters = new[]
        {
            new DateTimeOffset(2030, 1, 2, 8, 0, 0, TimeSpan.FromHours(9)),   // 2030-01-01 23:00Z
            new DateTimeOffset(2030, 1, 1, 22, 0, 0, TimeSpan.Zero),          // 2030-01-01 22:00Z
            new DateTimeOffset(2030, 1, 1, 20, 30, 0, TimeSpan.FromHours(-3)), // 2030-01-01 23:30Z
            new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.Zero),          // before the range
            new DateTimeOffset(2030, 1, 3, 0, 0, 0, TimeSpan.Zero),           // after the range
            new DateTimeOffset(2030, 1, 2, 0, 0, 0, 1, TimeSpan.Zero),        // 2030-01-02 00:00:00.001Z
        };
        foreach (var notAfter in notAfters)
        {
            definition.Certificates.Add(TestData.Certificate(definition, notAfter));
        }

        await using (var context = db.CreateContext(kind))
        {
            context.Definitions.Add(definition);
            await context.SaveChangesAsync();
        }

        var from = new DateTimeOffset(2030, 1, 1, 21, 0, 0, TimeSpan.Zero);
        var to = new DateTimeOffset(2030, 1, 2, 9, 0, 0, 1, TimeSpan.FromHours(9)); // 2030-01-02 00:00:00.001Z, inclusive
        await using (var context = db.CreateContext(kind))
        {
            var found = await context.Certificates
                .Where(c => c.DefinitionId == definition.Id && c.NotAfter >= from && c.NotAfter <= to)
                .OrderBy(c => c.NotAfter)
                .Select(c => c.NotAfter)
                .ToListAsync();

            var expected = notAfters
                .Where(n => n >= from && n <= to)
                .OrderBy(n => n.UtcTicks)
                .ToList();
            Assert.Equal(4, expected.Count);
            Assert.Equal(expected.Select(e => e.UtcDateTime), found.Select(f => f.UtcDateTime));

            var latest = await context.Certificates.Where(c => c.DefinitionId == definition.Id).MaxAsync(c => c.NotAfter);
            Assert.Equal(notAfters.Max(), latest);
        }
    }

    [Theory, DatabaseData]
    public async Task SaveChanges_NonUtcOffset_KeepsTheInstant(DatabaseKind kind)
    {
        var definition = TestData.Definition();
        var notAfter = new DateTimeOffset(2031, 6, 1, 9, 30, 0, TimeSpan.FromHours(9));
        var certificate = TestData.Certificate(definition, notAfter);
        await using (var context = db.CreateContext(kind))
        {
            context.Certificates.Add(certificate);
            await context.SaveChangesAsync();
        }

        await using (var context = db.CreateContext(kind))
        {
            var loaded = await context.Certificates.SingleAsync(c => c.Id == certificate.Id);
            Assert.Equal(notAfter.UtcDateTime, loaded.NotAfter.UtcDateTime);
            Assert.True(await context.Certificates.AnyAsync(c => c.Id == certificate.Id && c.NotAfter == notAfter));
        }
    }

    [Theory, DatabaseData]
    public async Task SaveChanges_MicrosecondTimestamp_RoundTripsExactly(DatabaseKind kind)
    {
        // PostgreSQL keeps microseconds; that is the precision CertMgr promises on both databases.
        var at = new DateTimeOffset(2026, 11, 29, 12, 34, 56, 789, 123, TimeSpan.Zero);
        var audit = new AuditEvent
        {
            At = at,
            Actor = TestData.Unique("actor"),
            ObjectType = "Test",
            Action = "precision",
            Outcome = "success",
        };
        await using (var context = db.CreateContext(kind))
        {
            context.AuditEvents.Add(audit);
            await context.SaveChangesAsync();
        }

        await using (var context = db.CreateContext(kind))
        {
            var loaded = await context.AuditEvents.SingleAsync(a => a.Actor == audit.Actor);
            Assert.Equal(at, loaded.At);
            Assert.Equal(TimeSpan.Zero, loaded.At.Offset);
        }
    }
}
