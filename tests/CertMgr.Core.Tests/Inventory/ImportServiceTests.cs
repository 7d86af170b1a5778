using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.Inventory;
using CertMgr.Core.Pki;
using CertMgr.Core.PrivateCa;
using CertMgr.Core.Tests.Pki.Reading;
using CertMgr.Data.Model;
using CertMgr.Data.Secrets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CertMgr.Core.Tests.Inventory;

public class ImportServiceTests(PkiFiles files) : IClassFixture<PkiFiles>, IAsyncLifetime
{
    /// <summary>The database the class runs on; a subclass in OnPostgres.cs runs it all again on PostgreSQL.</summary>
    protected virtual TestDatabase Database => TestDatabase.Sqlite;

    private CoreFixture _fx = null!;

    public async Task InitializeAsync() => _fx = await CoreFixture.CreateAsync(database: Database);

    public async Task DisposeAsync() => await _fx.DisposeAsync();

    private ImportFile File(string name) => new(name, files.Bytes(name));

    private Task<ImportSummary> ImportAsync(OperationMode mode, IReadOnlyList<string>? passwords, params ImportFile[] input) =>
        _fx.WithAsync(sp => sp.GetRequiredService<ImportService>().ImportAsync(input, new ImportSettings(mode, passwords), "alice", CancellationToken.None));

    [Fact]
    public async Task ImportAsync_PfxWithPassword_LifecycleManagedDefinitionWithCurrentCertificateAndSealedKey()
    {
        var summary = await ImportAsync(OperationMode.LifecycleManaged, [PkiFiles.Password], File("modern.p12"));

        var outcome = Assert.Single(summary.Files);
        Assert.Equal(ImportStatus.Imported, outcome.Status);
        Assert.True(outcome.HasPrivateKey);
        var definition = await _fx.DbAsync(db => db.Definitions.Include(d => d.CurrentCertificate!).ThenInclude(c => c.PrivateKey).SingleAsync());
        Assert.Equal(("www.example.test", OperationMode.LifecycleManaged), (definition.CommonName, definition.OperationMode));
        Assert.Equal(("Example Org", "DE", KeyAlgorithm.Rsa, 2048), (definition.Organization, definition.Country, definition.KeyAlgorithm, definition.KeySize));
        Assert.Equal(["www.example.test", "example.test", "127.0.0.1"], definition.SubjectAlternativeNames);
        Assert.Equal("www.example.test", definition.TargetServerName);
        var current = definition.CurrentCertificate!;
        Assert.Equal(outcome.CertificateId, current.Id);
        Assert.Equal(CertificateSource.Imported, current.Source);
        Assert.Equal(2, current.ChainPem!.Split("BEGIN CERTIFICATE").Length - 1);
        using var leaf = X509CertificateLoader.LoadCertificate(current.Der);
        var protector = await _fx.WithAsync(sp => Task.FromResult(sp.GetRequiredService<SecretProtector>()));
        using var key = SealedKeys.Open(current.PrivateKey!, protector);
        Assert.Equal(Thumbprints.PublicKeySha256(leaf), Thumbprints.PublicKeySha256(key.ExportSubjectPublicKeyInfo()));
        Assert.Equal(PrivateKeySource.Imported, current.PrivateKey!.Source);
        var history = await _fx.DbAsync(db => db.AuditEvents.SingleAsync(e => e.ObjectId == definition.Id.ToString()));
        Assert.Equal(("alice", "import"), (history.Actor, history.Action));
        Assert.Contains("PKCS#12", history.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportAsync_SameCertificateTwice_SecondIsDuplicateAndNothingAdded()
    {
        await ImportAsync(OperationMode.LifecycleManaged, [PkiFiles.Password], File("modern.p12"));

        var again = await ImportAsync(OperationMode.LifecycleManaged, [PkiFiles.Password], File("leaf.der"), File("modern.p12"));

        Assert.All(again.Files, f => Assert.Equal(ImportStatus.Duplicate, f.Status));
        Assert.Equal((0, 2, 0), (again.Imported, again.Duplicates, again.Failed));
        Assert.Equal((1, 1, 1), await _fx.DbAsync(async db => (await db.Definitions.CountAsync(), await db.Certificates.CountAsync(), await db.PrivateKeys.CountAsync(k => k.Source == PrivateKeySource.Imported))));
    }

    [Fact]
    public async Task ImportAsync_CertificateThenAgainWithKey_KeyAttachedToStoredCertificate()
    {
        var first = await ImportAsync(OperationMode.LifecycleManaged, null, File("leaf.pem"));
        Assert.False(first.Files[0].HasPrivateKey);

        var second = await ImportAsync(OperationMode.LifecycleManaged, [PkiFiles.Password], File("modern.p12"));

        var outcome = Assert.Single(second.Files);
        Assert.Equal(ImportStatus.Duplicate, outcome.Status);
        Assert.True(outcome.KeyAttached);
        Assert.Contains("private key was added", outcome.Message, StringComparison.Ordinal);
        var certificate = await _fx.DbAsync(db => db.Certificates.SingleAsync());
        Assert.NotNull(certificate.PrivateKeyId);
    }

    [Fact]
    public async Task ImportAsync_ApacheStyleSet_OneCertificateWithKeyAndChainTwoCompanions()
    {
        var summary = await ImportAsync(OperationMode.LifecycleManaged, null, File("chain.pem"), File("leaf.key"), File("leaf.pem"));

        Assert.Equal((1, 2, 0), (summary.Imported, summary.Companions, summary.Failed));
        Assert.Equal([ImportStatus.Companion, ImportStatus.Companion, ImportStatus.Imported], summary.Files.Select(f => f.Status));
        Assert.True(summary.Files[2].HasPrivateKey);
        var certificate = await _fx.DbAsync(db => db.Certificates.SingleAsync());
        Assert.Equal(2, certificate.ChainPem!.Split("BEGIN CERTIFICATE").Length - 1);
        Assert.NotNull(certificate.PrivateKeyId);
    }

    [Fact]
    public async Task ImportAsync_BadFilesAmongGood_BadReportedRestImported()
    {
        var summary = await ImportAsync(OperationMode.LifecycleManaged, ["wrong"],
            new ImportFile("garbage.txt", "hello"u8.ToArray()), File("modern.p12"), File("ecleaf.pem"), File("ecleaf.key"), File("leaf.key"),
            ImportFile.Unreadable("huge.pem", new CertMgr.Core.Common.Error("too-large", "too big")));

        Assert.Equal((1, 1, 4), (summary.Imported, summary.Companions, summary.Failed));
        Assert.Equal("corrupt", summary.Files[0].Code);
        Assert.Equal("wrong-password", summary.Files[1].Code);
        Assert.Equal(ImportStatus.Imported, summary.Files[2].Status);
        Assert.Equal(ImportStatus.Companion, summary.Files[3].Status);
        Assert.Equal("no-certificate", summary.Files[4].Code);
        Assert.Equal("too-large", summary.Files[5].Code);
        Assert.DoesNotContain(summary.Files, f => f.Message.Contains("wrong", StringComparison.Ordinal) && f.Message.Contains("password '", StringComparison.Ordinal));
        Assert.Equal(1, await _fx.DbAsync(db => db.Definitions.CountAsync()));
    }

    [Fact]
    public async Task ImportAsync_MonitoredOnly_ImportedCertificateIsCurrentWithStoredExpiry()
    {
        var summary = await ImportAsync(OperationMode.MonitoredOnly, null, File("ecleaf.pem"));

        Assert.Equal(ImportStatus.Imported, summary.Files[0].Status);
        var definition = await _fx.DbAsync(db => db.Definitions.Include(d => d.CurrentCertificate).SingleAsync());
        Assert.Equal(OperationMode.MonitoredOnly, definition.OperationMode);
        Assert.Equal(summary.Files[0].CertificateId, definition.CurrentCertificateId);
        Assert.Equal(definition.CurrentCertificate!.NotAfter, definition.CurrentNotAfter);
    }

    [Fact]
    public async Task ImportedCurrentRepair_MonitoredImportWithoutCurrent_MadeCurrentOnce()
    {
        var summary = await ImportAsync(OperationMode.MonitoredOnly, null, File("ecleaf.pem"));
        // The state an older CertMgr left behind: the imported certificate stored, but not current.
        await _fx.DbAsync(async db =>
        {
            await db.Definitions.ExecuteUpdateAsync(s => s.SetProperty(d => d.CurrentCertificateId, (Guid?)null).SetProperty(d => d.CurrentNotAfter, (DateTimeOffset?)null));
            return await db.Settings.Where(s => s.Key == "data.imported-current-repaired").ExecuteDeleteAsync();
        });

        var first = await _fx.DbAsync(db => ImportedCurrentRepair.EnsureAsync(db, _fx.Time, CancellationToken.None));
        var second = await _fx.DbAsync(db => ImportedCurrentRepair.EnsureAsync(db, _fx.Time, CancellationToken.None));

        Assert.Equal((1, (int?)null), (first, second));
        var definition = await _fx.DbAsync(db => db.Definitions.SingleAsync());
        Assert.Equal(summary.Files[0].CertificateId, definition.CurrentCertificateId);
        Assert.Equal(summary.Files[0].NotAfter, definition.CurrentNotAfter);
    }

    [Fact]
    public async Task ImportAsync_Pkcs12WithDistinctKeyPassword_ImportedWithKey()
    {
        var summary = await _fx.WithAsync(sp => sp.GetRequiredService<ImportService>().ImportAsync(
            [File("split.p12")], new ImportSettings(OperationMode.MonitoredOnly, [PkiFiles.StorePassword], PkiFiles.KeyPassword), "alice", CancellationToken.None));

        var outcome = Assert.Single(summary.Files);
        Assert.Equal(ImportStatus.Imported, outcome.Status);
        Assert.True(outcome.HasPrivateKey);
    }

    [Fact]
    public async Task ImportAsync_MoreThanOneChunk_EveryDefinitionHasItsCurrentCertificate()
    {
        var input = Enumerable.Range(0, ImportService.ChunkSize + 20)
            .Select(i => new ImportFile($"c{i}.pem", TestCertificates.Pem($"host{i}.example.com"))).ToList();
        input.Insert(10, input[3] with { Name = "copy-of-c3.pem" });
        input.Add(input[4] with { Name = "copy-of-c4.pem" });

        var summary = await ImportAsync(OperationMode.LifecycleManaged, null, [.. input]);

        Assert.Equal((ImportService.ChunkSize + 20, 2, 0), (summary.Imported, summary.Duplicates, summary.Failed));
        Assert.Contains("same certificate as 'c3.pem'", summary.Files[10].Message, StringComparison.Ordinal);
        Assert.Contains("Already in the inventory", summary.Files[^1].Message, StringComparison.Ordinal);
        var (definitions, withCurrent, mismatched) = await _fx.DbAsync(async db => (
            await db.Definitions.CountAsync(),
            await db.Definitions.CountAsync(d => d.CurrentCertificateId != null),
            await db.Definitions.CountAsync(d => d.CurrentCertificate!.DefinitionId != d.Id)));
        Assert.Equal((ImportService.ChunkSize + 20, ImportService.ChunkSize + 20, 0), (definitions, withCurrent, mismatched));
    }

    [Fact]
    public async Task ImportAsync_TwoCertificatesSameKey_OneKeyRow()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var a = TestCertificates.SelfSigned("a.example.com", key);
        using var b = TestCertificates.SelfSigned("b.example.com", key);

        var summary = await ImportAsync(OperationMode.LifecycleManaged, ["pw"],
            new ImportFile("a.pfx", a.Export(X509ContentType.Pkcs12, "pw")), new ImportFile("b.pfx", b.Export(X509ContentType.Pkcs12, "pw")));

        Assert.Equal(2, summary.Imported);
        Assert.Equal(1, await _fx.DbAsync(db => db.PrivateKeys.CountAsync(k => k.Source == PrivateKeySource.Imported)));
    }

    [Fact]
    public void Collect_FolderWithSymlinkLoopAndOversizedFile_WalksOnceAndReportsSize()
    {
        var root = Directory.CreateTempSubdirectory("certmgr-import-walk-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "sub"));
            System.IO.File.WriteAllBytes(Path.Combine(root, "a.pem"), TestCertificates.Pem("a.example.com"));
            System.IO.File.WriteAllBytes(Path.Combine(root, "sub", "b.pem"), TestCertificates.Pem("b.example.com"));
            System.IO.File.WriteAllBytes(Path.Combine(root, "sub", "big.bin"), new byte[5000]);
            Directory.CreateSymbolicLink(Path.Combine(root, "sub", "loop"), root);

            var collected = ImportFiles.Collect([root, Path.Combine(root, "missing.pem")], maxBytes: 4096).ToList();

            Assert.Equal(["a.pem", "b.pem", "big.bin", "missing.pem"], collected.Select(f => Path.GetFileName(f.Name)));
            Assert.Equal("too-large", collected[2].ReadError?.Code);
            Assert.Equal("not-found", collected[3].ReadError?.Code);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
