using CertMgr.Data.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace CertMgr.Data.Tests;

/// <summary>
/// The ListState migration moves certificate bytes into their own table: a database with certificates from before it
/// keeps every byte, on both databases, and the rows then read back through the model as before.
/// </summary>
public sealed class ListStateMigrationTests
{
    [Theory, DatabaseData]
    public async Task Migrate_CertificatesFromBefore_KeepTheirBytes(DatabaseKind kind)
    {
        await using var database = await TestDatabase.CreateAsync(kind, migrate: false);
        var der = new byte[] { 0x30, 0x82, 0x01, 0x02, 0xFF, 0x00, 0x7F };
        var definitionId = Guid.NewGuid();
        var certificateId = Guid.NewGuid();
        await using (var context = database.CreateContext())
        {
            var migrator = context.GetService<IMigrator>();
            var before = context.Database.GetMigrations().Last(m => m.EndsWith("_PrivateCaLedgerAndCrl", StringComparison.Ordinal));
            await migrator.MigrateAsync(before);
            var (defId, certId) = kind == DatabaseKind.Sqlite
                ? ((object)definitionId.ToString().ToUpperInvariant(), (object)certificateId.ToString().ToUpperInvariant())
                : (definitionId, certificateId);
            // Lists are JSON text on SQLite and arrays on PostgreSQL.
            var (none, one) = kind == DatabaseKind.Sqlite ? ((object)"[]", (object)"[\"old.example\"]") : (Array.Empty<string>(), new[] { "old.example" });
            var t0 = kind == DatabaseKind.Sqlite ? (object)TestData.T0.UtcTicks : TestData.T0;
            await context.Database.ExecuteSqlRawAsync(
                """
                INSERT INTO definitions ("Id", "Name", "OperationMode", "ExecutionMode", "CommonName", "SubjectAlternativeNames", "KeyAlgorithm", "KeySize",
                    "RequireWildcard", "RequireMultiDomain", "ServerSoftware", "Port", "MonitoringEnabled", "ExpiryThresholdDays", "RenewalLeadDays", "Tags", "CreatedAt", "UpdatedAt")
                VALUES ({0}, 'old.example', 'LifecycleManaged', 'Interactive', 'old.example', {2}, 'Ecdsa', 256, FALSE, FALSE, 'Generic', 443, TRUE, 30, 60, {2}, {1}, {1})
                """, defId, t0, none);
            await context.Database.ExecuteSqlRawAsync(
                """
                INSERT INTO certificates ("Id", "DefinitionId", "Source", "Der", "ChainPem", "Sha1", "Sha256", "Subject", "Issuer", "SerialNumber", "NotBefore", "NotAfter",
                    "SubjectAlternativeNames", "KeyAlgorithm", "KeySize", "CreatedAt")
                VALUES ({0}, {1}, 'Imported', {2}, 'CHAIN', 'AA', 'BB', 'CN=old.example', 'CN=Old CA', '01', {3}, {3}, {4}, 'Ecdsa', 256, {3})
                """, certId, defId, der, t0, one);
            await context.Database.ExecuteSqlRawAsync("UPDATE definitions SET \"CurrentCertificateId\" = {0}", certId);
        }

        await using (var context = database.CreateContext())
        {
            await context.Database.MigrateAsync();
        }

        await using (var context = database.CreateContext())
        {
            var certificate = await context.Certificates.AsNoTracking().SingleAsync(c => c.Id == certificateId);
            Assert.Equal(der, certificate.Der);
            Assert.Equal("CHAIN", certificate.ChainPem);
            var definition = await context.Definitions.AsNoTracking().Include(d => d.CurrentCertificate).SingleAsync(d => d.Id == definitionId);
            Assert.Equal(certificateId, definition.CurrentCertificate?.Id);

            // Rows from before have no stored state until the rebuild the initializer runs after this migration.
            Assert.True(await DefinitionState.EnsureDerivedAsync(context, TimeProvider.System, CancellationToken.None));
            Assert.False(await DefinitionState.EnsureDerivedAsync(context, TimeProvider.System, CancellationToken.None)); // once
            var stored = await context.Definitions.Where(d => d.Id == definitionId)
                .Select(d => new { d.CurrentNotAfter, Search = EF.Property<string>(d, "SearchText") }).SingleAsync();
            Assert.NotNull(stored.CurrentNotAfter);
            Assert.Contains("old.example", stored.Search, StringComparison.Ordinal);
            Assert.Equal(1, await context.Certificates.CountAsync(c => c.SearchText.Contains("cn=old ca")));
        }
    }
}
