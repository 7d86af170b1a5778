using System.Data.Common;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using CertMgr.Core.Backup;
using CertMgr.Core.Documents;
using CertMgr.Core.Inventory.Seeding;
using CertMgr.Core.PrivateCa;
using CertMgr.Core.Setup;
using CertMgr.Core.TrustedCas;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Data.Secrets;
using CertMgr.Data.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CertMgr.Core.Tests.Backup;

/// <summary>Back up a populated instance, restore it elsewhere, and compare everything; on SQLite (and PostgreSQL below).</summary>
public class BackupRoundTripTests
{
    private const string Passphrase = "correct horse battery staple";
    private const string SecretPurpose = "backup-test";

    protected virtual TestDatabase Database => TestDatabase.Sqlite;

    [Fact]
    public async Task CreateThenRestore_PopulatedInstance_EverythingEqualAndUsable()
    {
        await using var fixture = await CoreFixture.CreateAsync(database: Database);
        var definitionId = await PopulateAsync(fixture);
        var work = Directory.CreateTempSubdirectory("certmgr-backup-");
        var restoredConnection = await EmptyPostgresDatabaseAsync();
        try
        {
            var file = Path.Combine(work.FullName, "full.cmbackup");
            var created = await fixture.WithAsync(sp => sp.GetRequiredService<BackupService>().CreateAsync(file, Passphrase, CancellationToken.None));
            Assert.True(created.IsSuccess, created.Error?.Message);
            Assert.DoesNotContain("BEGIN PRIVATE KEY", await File.ReadAllTextAsync(file), StringComparison.Ordinal);

            var target = Path.Combine(work.FullName, "restored");
            var restored = await BackupRestore.RestoreAsync(file, Passphrase, target, force: false, restoredConnection, CancellationToken.None);

            Assert.True(restored.IsSuccess, restored.Error?.Message);
            Assert.Equal(await AllRowsAsync(fixture.Settings.Database), await AllRowsAsync(SettingsFor(target, restoredConnection).Database));
            Assert.Equal(FileHashes(fixture.Home.Root), FileHashes(target));
            Assert.Equal(DataDirectory.OwnerOnlyDirectory, File.GetUnixFileMode(target));
            Assert.All(Directory.EnumerateFiles(target, "*", SearchOption.AllDirectories),
                f => Assert.Equal(DataDirectory.OwnerOnlyFile, File.GetUnixFileMode(f)));
            await AssertRestoredWorksAsync(target, restoredConnection, fixture.Home.CaCertificatePath, definitionId);
        }
        finally
        {
            await DropAsync(restoredConnection);
            SqliteConnection.ClearAllPools();
            work.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Create_WhileAWriterCommits_SnapshotHoldsWholeTransactionsOnly()
    {
        await using var fixture = await CoreFixture.CreateAsync(database: Database);
        var work = Directory.CreateTempSubdirectory("certmgr-backup-");
        var restoredConnection = await EmptyPostgresDatabaseAsync();
        using var stop = new CancellationTokenSource();
        var written = 0;
        var writer = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                await fixture.DbAsync(async db =>
                {
                    // One transaction, two rows: a consistent snapshot has both or neither.
                    db.Set<Setting>().Add(new Setting { Key = $"writer.{i:D6}.a", Value = "a" });
                    db.Set<Setting>().Add(new Setting { Key = $"writer.{i:D6}.b", Value = "b" });
                    return await db.SaveChangesAsync();
                });
                Interlocked.Increment(ref written);
            }
        });
        try
        {
            while (Volatile.Read(ref written) < 20)
            {
                await Task.Delay(10);
            }

            var file = Path.Combine(work.FullName, "live.cmbackup");
            var created = await fixture.WithAsync(sp => sp.GetRequiredService<BackupService>().CreateAsync(file, Passphrase, CancellationToken.None));
            var writtenDuringBackup = Volatile.Read(ref written);
            await stop.CancelAsync();
            await writer;
            Assert.True(created.IsSuccess, created.Error?.Message);
            var target = Path.Combine(work.FullName, "restored");
            var restored = await BackupRestore.RestoreAsync(file, Passphrase, target, force: false, restoredConnection, CancellationToken.None);
            Assert.True(restored.IsSuccess, restored.Error?.Message);

            var keys = await WithRestoredAsync(target, restoredConnection, sp => sp.GetRequiredService<CertMgrDbContext>()
                .Set<Setting>().Where(s => s.Key.StartsWith("writer.")).Select(s => s.Key).ToListAsync());
            var numbers = keys.GroupBy(k => k[..13]).ToList();
            Assert.All(numbers, g => Assert.Equal(2, g.Count()));
            Assert.InRange(numbers.Count, 20, writtenDuringBackup + 1);
            Assert.Equal(Enumerable.Range(0, numbers.Count).Select(i => $"writer.{i:D6}"), numbers.Select(g => g.Key).Order(StringComparer.Ordinal));
        }
        finally
        {
            await stop.CancelAsync();
            await DropAsync(restoredConnection);
            SqliteConnection.ClearAllPools();
            work.Delete(recursive: true);
        }
    }

    private static async Task<Guid> PopulateAsync(CoreFixture fixture)
    {
        await fixture.WithAsync(sp => sp.GetRequiredService<InventorySeeder>().SeedAsync(12, null, CancellationToken.None));
        var definitionId = await fixture.DbAsync(db => db.Set<CertificateDefinition>().OrderBy(d => d.Id).Select(d => d.Id).FirstAsync());
        var uploaded = await fixture.WithAsync(sp => sp.GetRequiredService<DocumentStore>().UploadAsync(definitionId, "order.pdf", "application/pdf",
            new MemoryStream(RandomNumberGenerator.GetBytes(5000)), DocumentKind.Other, "test", CancellationToken.None));
        Assert.True(uploaded.IsSuccess, uploaded.Error?.Message);
        var set = await fixture.WithAsync(sp => sp.GetRequiredService<TrustedCaSets>().CreateAsync("Backup set", null, "test", CancellationToken.None));
        Assert.True(set.IsSuccess, set.Error?.Message);
        var added = await fixture.WithAsync(sp => sp.GetRequiredService<TrustedCaSets>().AddCertificatesAsync(
            set.Value.Id, File.ReadAllBytes(fixture.Home.CaCertificatePath), "test", CancellationToken.None));
        Assert.True(added.IsSuccess, added.Error?.Message);
        await fixture.WithAsync(async sp =>
        {
            var db = sp.GetRequiredService<CertMgrDbContext>();
            db.Set<Setting>().Add(new Setting { Key = "backup.test.sealed", ProtectedValue = sp.GetRequiredService<SecretProtector>().Protect("s3cret value", SecretPurpose) });
            return await db.SaveChangesAsync();
        });
        await File.WriteAllTextAsync(fixture.Home.IpAclPath, "127.0.0.1/32\n");
        return definitionId;
    }

    private static async Task AssertRestoredWorksAsync(string target, string? connection, string originalCaPath, Guid definitionId)
    {
        using var originalCa = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(string.Concat(
            File.ReadAllLines(originalCaPath).Where(l => !l.StartsWith("-----", StringComparison.Ordinal)))));
        await WithRestoredAsync(target, connection, async sp =>
        {
            var issued = await sp.GetRequiredService<CaIssuance>().IssueClientAsync("restored-client", 30, "test", CancellationToken.None);
            Assert.True(issued.IsSuccess, issued.Error?.Message);
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(originalCa);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            Assert.True(chain.Build(issued.Value), "the restored CA's key signs certificates that chain to the original CA certificate");

            var db = sp.GetRequiredService<CertMgrDbContext>();
            var sealedValue = await db.Set<Setting>().Where(s => s.Key == "backup.test.sealed").Select(s => s.ProtectedValue).SingleAsync();
            Assert.Equal("s3cret value", sp.GetRequiredService<SecretProtector>().UnprotectString(sealedValue, SecretPurpose));

            var documents = await sp.GetRequiredService<DocumentStore>().ListAsync(definitionId, CancellationToken.None);
            var opened = await sp.GetRequiredService<DocumentStore>().OpenAsync(definitionId, Assert.Single(documents).Id, CancellationToken.None);
            Assert.True(opened.IsSuccess, opened.Error?.Message);
            await opened.Value.Content.DisposeAsync();
            return 0;
        });
    }

    private static CertMgrSettings SettingsFor(string home, string? connection) =>
        CertMgrSettings.Resolve(home, null, v => v == CertMgrSettings.DatabaseVariable ? connection : null);

    private static async Task<T> WithRestoredAsync<T>(string home, string? connection, Func<IServiceProvider, Task<T>> action)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddCertMgrCore(SettingsFor(home, connection));
        await using var provider = services.BuildServiceProvider();
        await using var scope = provider.CreateAsyncScope();
        return await action(scope.ServiceProvider);
    }

    /// <summary>Every row of every table, as sorted text lines per table: equal lists mean equal databases.</summary>
    private static async Task<SortedDictionary<string, List<string>>> AllRowsAsync(DatabaseSettings database)
    {
        await using DbConnection connection = database.Kind == DatabaseKind.Postgres
            ? new NpgsqlConnection(database.ConnectionString)
            : new SqliteConnection(database.ConnectionString);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = connection.CreateCommand())
        {
            list.CommandText = database.Kind == DatabaseKind.Postgres
                ? "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
                : "SELECT name FROM sqlite_master WHERE type = 'table'";
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var result = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            await using var select = connection.CreateCommand();
            select.CommandText = $"SELECT * FROM \"{table}\"";
            await using var reader = await select.ExecuteReaderAsync();
            var rows = new List<string>();
            while (await reader.ReadAsync())
            {
                var line = new StringBuilder();
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    var value = reader.GetValue(i);
                    line.Append(reader.GetName(i)).Append('=').Append(value is byte[] bytes ? Convert.ToHexString(bytes) : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)).Append('|');
                }

                rows.Add(line.ToString());
            }

            rows.Sort(StringComparer.Ordinal);
            result[table] = rows;
        }

        Assert.Contains(result, t => t.Key == "definitions" && t.Value.Count >= 12);
        return result;
    }

    /// <summary>SHA-256 of every file outside the database folder (documents, CA, trusted CAs, master key, config).</summary>
    private static SortedDictionary<string, string> FileHashes(string root) =>
        new(Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f))
            .Where(f => !f.StartsWith("db" + Path.DirectorySeparatorChar, StringComparison.Ordinal) && f != DataDirectory.InitialPasswordFileName)
            .ToDictionary(f => f, f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(Path.Combine(root, f))))), StringComparer.Ordinal);

    private async Task<string?> EmptyPostgresDatabaseAsync()
    {
        if (Database != TestDatabase.Postgres)
        {
            return null;
        }

        var server = await PostgresServer.GetAsync();
        return server.ConnectionStringFor(await server.CreateDatabaseAsync());
    }

    private static async Task DropAsync(string? connection)
    {
        if (connection is null)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        await (await PostgresServer.GetAsync()).DropDatabaseAsync(new NpgsqlConnectionStringBuilder(connection).Database!);
    }
}

/// <summary>The same round trips on PostgreSQL 15: pg_dump while the fixture's database is in use, pg_restore into an empty one.</summary>
public sealed class BackupRoundTripOnPostgresTests : BackupRoundTripTests
{
    protected override TestDatabase Database => TestDatabase.Postgres;
}

/// <summary>Refusals: nothing is written for a wrong passphrase, a changed file, or a non-empty target.</summary>
public sealed class BackupRefusalTests
{
    [Fact]
    public async Task Restore_WrongPassphraseTamperedOrNonEmpty_ClearErrorAndNothingWritten()
    {
        await using var fixture = await CoreFixture.CreateAsync();
        var work = Directory.CreateTempSubdirectory("certmgr-backup-");
        try
        {
            var file = Path.Combine(work.FullName, "b.cmbackup");
            var created = await fixture.WithAsync(sp => sp.GetRequiredService<BackupService>().CreateAsync(file, "a long passphrase", CancellationToken.None));
            Assert.True(created.IsSuccess, created.Error?.Message);
            var again = await fixture.WithAsync(sp => sp.GetRequiredService<BackupService>().CreateAsync(file, "a long passphrase", CancellationToken.None));
            var weak = await fixture.WithAsync(sp => sp.GetRequiredService<BackupService>().CreateAsync(file + "2", "short", CancellationToken.None));
            var target = Path.Combine(work.FullName, "restored");

            var wrong = await BackupRestore.RestoreAsync(file, "another passphrase", target, false, null, CancellationToken.None);
            var bytes = await File.ReadAllBytesAsync(file);
            var tamperedFile = Path.Combine(work.FullName, "tampered.cmbackup");
            bytes[bytes.Length / 2] ^= 0x01;
            await File.WriteAllBytesAsync(tamperedFile, bytes);
            var tampered = await BackupRestore.RestoreAsync(tamperedFile, "a long passphrase", target, false, null, CancellationToken.None);
            var truncatedFile = Path.Combine(work.FullName, "truncated.cmbackup");
            await File.WriteAllBytesAsync(truncatedFile, (await File.ReadAllBytesAsync(file))[..^100]);
            var truncated = await BackupRestore.RestoreAsync(truncatedFile, "a long passphrase", target, false, null, CancellationToken.None);

            Assert.Equal("backup.exists", again.Error?.Code);
            Assert.Equal("backup.passphrase", weak.Error?.Code);
            Assert.False(File.Exists(file + "2"));
            Assert.Equal("backup.passphrase", wrong.Error?.Code);
            Assert.Equal("backup.tampered", tampered.Error?.Code);
            Assert.Equal("backup.tampered", truncated.Error?.Code);
            Assert.False(Directory.Exists(target));
            Assert.Equal(["b.cmbackup", "tampered.cmbackup", "truncated.cmbackup"],
                work.EnumerateFileSystemInfos().Select(f => f.Name).Order(StringComparer.Ordinal));

            Directory.CreateDirectory(target);
            await File.WriteAllTextAsync(Path.Combine(target, "keep.txt"), "mine");
            var occupied = await BackupRestore.RestoreAsync(file, "a long passphrase", target, false, null, CancellationToken.None);
            Assert.Equal("backup.target", occupied.Error?.Code);
            Assert.Equal(["keep.txt"], Directory.EnumerateFileSystemEntries(target).Select(Path.GetFileName));

            var forced = await BackupRestore.RestoreAsync(file, "a long passphrase", target, true, null, CancellationToken.None);
            Assert.True(forced.IsSuccess, forced.Error?.Message);
            Assert.True(File.Exists(Path.Combine(target, "master.key")));
            Assert.Single(work.EnumerateDirectories("restored.replaced-*"), d => File.Exists(Path.Combine(d.FullName, "keep.txt")));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            work.Delete(recursive: true);
        }
    }
}
