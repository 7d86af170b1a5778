using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using CertMgr.Core.Pki;
using CertMgr.Core.Tests.PrivateCa;
using CertMgr.Core.TrustedCas;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CertMgr.Core.Tests.TrustedCas;

public class TrustedCaSetsTests
{
    /// <summary>The database the class runs on; a subclass in OnPostgres.cs runs it all again on PostgreSQL.</summary>
    protected virtual TestDatabase Database => TestDatabase.Sqlite;

    internal static X509Certificate2 Ca(string name, bool isCa = true)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest(name, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(isCa, false, 0, true));
        return request.CreateSelfSigned(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2036, 1, 1, 0, 0, 0, TimeSpan.Zero));
    }

    internal static byte[] Pem(params X509Certificate2[] certs) =>
        Encoding.ASCII.GetBytes(string.Concat(certs.Select(c => PemEncoding.WriteString("CERTIFICATE", c.RawData) + "\n")));

    private static Task<T> Sets<T>(CoreFixture f, Func<TrustedCaSets, Task<T>> action) => f.WithAsync(s => action(s.GetRequiredService<TrustedCaSets>()));

    private static Task<Guid> DefaultIdAsync(CoreFixture f) => f.DbAsync(db => db.TrustedCaSets.Where(s => s.IsDefault).Select(s => s.Id).SingleAsync());

    private static async Task<int> AuditCountAsync(CoreFixture f, string action) =>
        await f.DbAsync(db => db.AuditEvents.CountAsync(e => e.ObjectType == "TrustedCaSet" && e.Action == action && e.Actor != "system"));

    [Fact]
    public async Task FirstStart_WritesPublicRootsAndMakesDefaultSetWithThePrivateCa()
    {
        await using var f = await CoreFixture.CreateAsync(database: Database);

        var files = Directory.GetFiles(f.Home.SystemListDirectory).Select(Path.GetFileName).Order().ToList();
        var sets = await Sets(f, s => s.ListAsync(CancellationToken.None));
        var anchors = await Sets(f, s => s.AnchorsAsync(null, CancellationToken.None));

        Assert.Equal(["certmgr-private-ca.pem", "public-roots.pem"], files);
        var set = Assert.Single(sets);
        Assert.True(set.IsDefault);
        Assert.Equal(["certmgr-private-ca.pem", "public-roots.pem"], set.SystemFiles);
        Assert.True(anchors.Value.Count > 100, $"only {anchors.Value.Count} anchors");
        Assert.Contains(anchors.Value.Cast<X509Certificate2>(), c => c.Subject.Contains("ISRG Root X1", StringComparison.Ordinal));
        var caPem = await File.ReadAllTextAsync(f.Home.CaSystemListPath);
        using var privateCa = X509Certificate2.CreateFromPem(caPem);
        Assert.Contains(anchors.Value.Cast<X509Certificate2>(), c => c.Thumbprint == privateCa.Thumbprint);
        Assert.True(File.Exists(Path.Combine(f.Home.TrustedCasDirectory, "merged", $"{set.Id}.pem")));
        Assert.False((await Sets(f, s => s.SummariesAsync(CancellationToken.None))).Single().HasUnmergedChanges);
    }

    [Fact]
    public async Task Restart_ChangesNothing()
    {
        await using var f = await CoreFixture.CreateAsync(database: Database);
        var before = File.GetLastWriteTimeUtc(Path.Combine(f.Home.SystemListDirectory, "public-roots.pem"));
        var merges = await f.DbAsync(db => db.AuditEvents.CountAsync(e => e.Action == "merge"));

        await f.InitializeAsync();

        Assert.Equal(1, await f.DbAsync(db => db.TrustedCaSets.CountAsync()));
        Assert.Equal(before, File.GetLastWriteTimeUtc(Path.Combine(f.Home.SystemListDirectory, "public-roots.pem")));
        Assert.Equal(merges, await f.DbAsync(db => db.AuditEvents.CountAsync(e => e.Action == "merge")));
    }

    [Fact]
    public async Task Restart_ShippedRootsChanged_SetsUsingThemAreMergedAgain()
    {
        await using var f = await CoreFixture.CreateAsync(database: Database);
        var roots = Path.Combine(f.Home.SystemListDirectory, "public-roots.pem");
        using var stale = Ca("CN=Stale Root");
        await File.WriteAllBytesAsync(roots, Pem(stale)); // an older public-roots.pem, as before an upgrade
        await f.InitializeAsync(); // the next start writes the shipped file again and merges the sets using it

        var anchors = await Sets(f, s => s.AnchorsAsync(null, CancellationToken.None));

        Assert.True(anchors.Value.Count > 100);
        Assert.DoesNotContain(anchors.Value.Cast<X509Certificate2>(), c => c.Subject == "CN=Stale Root");
        Assert.False((await Sets(f, s => s.SummariesAsync(CancellationToken.None))).Single().HasUnmergedChanges);
    }

    [Fact]
    public async Task Create_NameTrimmedFilesChosen_MergedAtOnce()
    {
        await using var f = await CoreFixture.CreateAsync(database: Database);

        var created = await Sets(f, s => s.CreateAsync("  Internal only ", ["certmgr-private-ca.pem"], "alice", CancellationToken.None));
        var anchors = await Sets(f, s => s.AnchorsAsync(created.Value.Id, CancellationToken.None));

        Assert.True(created.IsSuccess, created.Error?.Message);
        Assert.Equal("Internal only", created.Value.Name);
        Assert.NotNull(created.Value.MergedAt);
        Assert.Single(anchors.Value);
        Assert.Equal(1, await AuditCountAsync(f, "create"));
    }

    [Theory]
    [InlineData("Default", "name-taken")]
    [InlineData("   ", "name-invalid")]
    [InlineData("bad\nname", "name-invalid")]
    public async Task Create_BadName_Refused(string name, string code)
    {
        await using var f = await CoreFixture.CreateAsync(database: Database);

        var created = await Sets(f, s => s.CreateAsync(name, null, "a", CancellationToken.None));

        Assert.Equal(code, created.Error?.Code);
        Assert.Equal(1, await f.DbAsync(db => db.TrustedCaSets.CountAsync()));
    }

    [Theory]
    [InlineData("../etc/passwd")]
    [InlineData("no-such-file.pem")]
    public async Task Create_UnknownSystemFile_Refused(string file)
    {
        await using var f = await CoreFixture.CreateAsync(database: Database);

        var created = await Sets(f, s => s.CreateAsync("X", [file], "a", CancellationToken.None));

        Assert.Equal("file-unknown", created.Error?.Code);
    }

    [Fact]
    public async Task Rename_ToOtherSetsName_RefusedAndToNewName_Done()
    {
        await using var f = await CoreFixture.CreateAsync(database: Database);
        var set = (await Sets(f, s => s.CreateAsync("Partners", null, "a", CancellationToken.None))).Value;

        var taken = await Sets(f, s => s.RenameAsync(set.Id, "Default", "a", CancellationToken.None));
        var renamed = await Sets(f, s => s.RenameAsync(set.Id, "Partner CAs", "a", CancellationToken.None));
        var missing = await Sets(f, s => s.RenameAsync(Guid.NewGuid(), "Z", "a", CancellationToken.None));

        Assert.Equal("name-taken", taken.Error?.Code);
        Assert.Equal("Partner CAs", renamed.Value.Name);
        Assert.Equal("set-not-found", missing.Error?.Code);
        Assert.Equal(1, await AuditCountAsync(f, "rename"));
    }

    [Fact]
    public async Task AddCertificates_PemBundleWithDuplicate_DedupedBySha256AndPendingUntilMerge()
    {
        await using var f = await CoreFixture.CreateAsync(database: Database);
        using var one = Ca("CN=Corp Root One");
        using var two = Ca("CN=Corp Root Two");
        var set = (await Sets(f, s => s.CreateAsync("Corp", [], "a", CancellationToken.None))).Value;

        var first = await Sets(f, s => s.AddCertificatesAsync(set.Id, Pem(one, two, one), "a", CancellationToken.None));
        var again = await Sets(f, s => s.AddCertificatesAsync(set.Id, Pem(two), "a", CancellationToken.None));
        var details = (await Sets(f, s => s.GetAsync(set.Id, CancellationToken.None))).Value;
        var anchors = await Sets(f, s => s.AnchorsAsync(set.Id, CancellationToken.None));

        Assert.Equal(2, first.Value.Added.Count);
        Assert.Equal(1, first.Value.Duplicates);
        Assert.Empty(again.Value.Added);
        Assert.Equal(1, again.Value.Duplicates);
        Assert.Equal([Thumbprints.Sha256(one), Thumbprints.Sha256(two)], details.Set.Certificates.Select(c => c.Sha256));
        Assert.True(details.Pending.Any);
        Assert.Equal(2, details.Pending.CertificatesToAdd);
        Assert.Empty(anchors.Value); // not merged yet: the effective set is still empty
    }

    [Fact]
    public async Task AddCertificates_DerAndPkcs7_Read()
    {
        await using var f = await CoreFixture.CreateAsync(database: Database);
        using var der = Ca("CN=Der Root");
        using var p7a = Ca("CN=P7 Root A");
        using var p7b = Ca("CN=P7 Root B");
        // A .p7b as openssl writes it.
        await File.WriteAllBytesAsync(Path.Combine(f.Root, "cas.pem"), Pem(p7a, p7b));
        Openssl.Run(f.Root, "crl2pkcs7", "-nocrl", "-certfile", "cas.pem", "-outform", "DER", "-out", "cas.p7b");
        var p7 = await File.ReadAllBytesAsync(Path.Combine(f.Root, "cas.p7b"));
        var set = (await Sets(f, s => s.CreateAsync("Formats", [], "a", CancellationToken.None))).Value;

        var fromDer = await Sets(f, s => s.AddCertificatesAsync(set.Id, der.RawData, "a", CancellationToken.None));
        var fromP7 = await Sets(f, s => s.AddCertificatesAsync(set.Id, p7, "a", CancellationToken.None));
        var fromP7Pem = await Sets(f, s => s.AddCertificatesAsync(set.Id, Encoding.ASCII.GetBytes(PemEncoding.WriteString("PKCS7", p7)), "a", CancellationToken.None));

        Assert.Single(fromDer.Value.Added);
        Assert.Equal(["CN=P7 Root A", "CN=P7 Root B"], fromP7.Value.Added.Select(c => c.Subject).Order());
        Assert.Equal(2, fromP7Pem.Value.Duplicates);
    }

    [Fact]
    public async Task AddCertificates_EndEntityOrGarbage_RefusedWithReasonAndNothingStored()
    {
        await using var f = await CoreFixture.CreateAsync(database: Database);
        using var leaf = Ca("CN=www.example.test", isCa: false);
        using var ca = Ca("CN=Good Root");
        var id = await DefaultIdAsync(f);

        var notCa = await Sets(f, s => s.AddCertificatesAsync(id, Pem(ca, leaf), "a", CancellationToken.None));
        var garbage = await Sets(f, s => s.AddCertificatesAsync(id, "garbage"u8.ToArray(), "a", CancellationToken.None));
        var empty = await Sets(f, s => s.AddCertificatesAsync(id, [], "a", CancellationToken.None));
        var missing = await Sets(f, s => s.AddCertificatesAsync(Guid.NewGuid(), Pem(ca), "a", CancellationToken.None));

        Assert.Equal("not-a-ca", notCa.Error?.Code);
        Assert.Contains("CN=www.example.test", notCa.Error!.Message, StringComparison.Ordinal);
        Assert.Equal("upload-unreadable", garbage.Error?.Code);
        Assert.Equal("upload-empty", empty.Error?.Code);
        Assert.Equal("set-not-found", missing.Error?.Code);
        Assert.Equal(0, await f.DbAsync(db => db.Set<TrustedCaCertificate>().CountAsync()));
    }

    [Fact]
    public async Task RemoveCertificate_ThenMerge_EffectiveSetFollows()
    {
        await using var f = await CoreFixture.CreateAsync(database: Database);
        using var ca = Ca("CN=Corp Internal Root");
        var set = (await Sets(f, s => s.CreateAsync("Internal only", ["certmgr-private-ca.pem"], "alice", CancellationToken.None))).Value;
        var stored = (await Sets(f, s => s.AddCertificatesAsync(set.Id, Pem(ca), "alice", CancellationToken.None))).Value.Added.Single();
        await Sets(f, s => s.MergeAsync(set.Id, "alice", CancellationToken.None));
        var merged = await Sets(f, s => s.AnchorsAsync(set.Id, CancellationToken.None));
        var mergedCount = merged.Value.Count;

        var removed = await Sets(f, s => s.RemoveCertificateAsync(set.Id, stored.Id, "alice", CancellationToken.None));
        var beforeMerge = (await Sets(f, s => s.AnchorsAsync(set.Id, CancellationToken.None))).Value.Count;
        var pending = (await Sets(f, s => s.GetAsync(set.Id, CancellationToken.None))).Value.Pending;
        await Sets(f, s => s.MergeAsync(set.Id, "alice", CancellationToken.None));
        var after = await Sets(f, s => s.AnchorsAsync(set.Id, CancellationToken.None));
        var again = await Sets(f, s => s.RemoveCertificateAsync(set.Id, stored.Id, "alice", CancellationToken.None));

        Assert.Equal(2, mergedCount);
        Assert.True(removed.IsSuccess);
        Assert.Equal(2, beforeMerge);
        Assert.Equal(1, pending.CertificatesToRemove);
        Assert.Single(after.Value);
        Assert.Equal("certificate-not-found", again.Error?.Code);
        Assert.Equal(1, await AuditCountAsync(f, "add-ca"));
        Assert.Equal(1, await AuditCountAsync(f, "remove-ca"));
        Assert.Equal(2, await AuditCountAsync(f, "merge"));
    }

    [Fact]
    public async Task SetSystemFiles_OnlyExistingFiles_PendingUntilMerge()
    {
        await using var f = await CoreFixture.CreateAsync(database: Database);
        var id = await DefaultIdAsync(f);

        var unknown = await Sets(f, s => s.SetSystemFilesAsync(id, ["public-roots.pem", "elsewhere.pem"], "a", CancellationToken.None));
        var chosen = await Sets(f, s => s.SetSystemFilesAsync(id, ["certmgr-private-ca.pem"], "a", CancellationToken.None));
        var details = (await Sets(f, s => s.GetAsync(id, CancellationToken.None))).Value;
        var beforeMerge = (await Sets(f, s => s.AnchorsAsync(id, CancellationToken.None))).Value.Count;
        await Sets(f, s => s.MergeAsync(id, "a", CancellationToken.None));
        var afterMerge = (await Sets(f, s => s.AnchorsAsync(id, CancellationToken.None))).Value.Count;

        Assert.Equal("file-unknown", unknown.Error?.Code);
        Assert.Equal(["certmgr-private-ca.pem"], chosen.Value.SystemFiles);
        Assert.Equal(["public-roots.pem"], details.Pending.FilesRemoved);
        Assert.True(beforeMerge > 100);
        Assert.Equal(1, afterMerge);
        Assert.False((await Sets(f, s => s.GetAsync(id, CancellationToken.None))).Value.Pending.Any);
    }

    [Fact]
    public async Task SystemFileCertificates_PublicRoots_ListedWithExpiry()
    {
        await using var f = await CoreFixture.CreateAsync(database: Database);

        var files = await Sets(f, s => Task.FromResult(s.DescribeSystemFiles()));
        var roots = await Sets(f, s => Task.FromResult(s.SystemFileCertificates("public-roots.pem")));
        var traversal = await Sets(f, s => Task.FromResult(s.SystemFileCertificates("../master.key")));

        Assert.Equal(1, files.Single(x => x.Name == "certmgr-private-ca.pem").CertificateCount);
        Assert.Equal(roots.Value.Count, files.Single(x => x.Name == "public-roots.pem").CertificateCount);
        Assert.True(roots.Value.Count > 100);
        Assert.All(roots.Value, c => Assert.True(c.IsCa && c.Sha256.Length == 64 && c.NotAfter > c.NotBefore));
        Assert.Equal("file-unknown", traversal.Error?.Code);
    }

    [Fact]
    public async Task Delete_Default_Refused()
    {
        await using var f = await CoreFixture.CreateAsync(database: Database);
        var id = await DefaultIdAsync(f);

        var deleted = await Sets(f, s => s.DeleteAsync(id, "a", CancellationToken.None));

        Assert.Equal("set-is-default", deleted.Error?.Code);
        Assert.Equal(1, await f.DbAsync(db => db.TrustedCaSets.CountAsync()));
    }

    [Fact]
    public async Task Delete_SetUsedByDefinitions_TheyMoveToTheDefaultSet()
    {
        await using var f = await CoreFixture.CreateAsync(database: Database);
        var set = (await Sets(f, s => s.CreateAsync("Old partners", null, "a", CancellationToken.None))).Value;
        var now = f.Time.GetUtcNow();
        await f.DbAsync(async db =>
        {
            for (var i = 0; i < 2; i++)
            {
                db.Definitions.Add(new CertificateDefinition { Name = $"d{i}", CommonName = $"d{i}.example.test", TrustedCaSetId = set.Id, CreatedAt = now, UpdatedAt = now });
            }

            return await db.SaveChangesAsync();
        });
        var summary = (await Sets(f, s => s.SummariesAsync(CancellationToken.None))).Single(s => s.Id == set.Id);

        var deleted = await Sets(f, s => s.DeleteAsync(set.Id, "a", CancellationToken.None));

        Assert.Equal(2, summary.DefinitionCount);
        Assert.Equal(2, deleted.Value);
        Assert.Equal(0, await f.DbAsync(db => db.Definitions.CountAsync(d => d.TrustedCaSetId != null)));
        Assert.Equal(2, (await Sets(f, s => s.SummariesAsync(CancellationToken.None))).Single().DefinitionCount);
        Assert.False(File.Exists(Path.Combine(f.Home.TrustedCasDirectory, "merged", $"{set.Id}.pem")));
        Assert.Contains("2 definitions moved", await f.DbAsync(db => db.AuditEvents.Where(e => e.Action == "delete").Select(e => e.Detail).SingleAsync()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SetDefault_MovesTheDefaultAndOldOneCanThenBeDeleted()
    {
        await using var f = await CoreFixture.CreateAsync(database: Database);
        var oldId = await DefaultIdAsync(f);
        var created = await Sets(f, s => s.CreateAsync("Public only", ["public-roots.pem"], "a", CancellationToken.None));

        var moved = await Sets(f, s => s.SetDefaultAsync(created.Value.Id, "a", CancellationToken.None));
        var renamed = await Sets(f, s => s.RenameAsync(oldId, "Old default", "a", CancellationToken.None));
        var deleted = await Sets(f, s => s.DeleteAsync(oldId, "a", CancellationToken.None));
        var missing = await Sets(f, s => s.SetDefaultAsync(Guid.NewGuid(), "a", CancellationToken.None));

        Assert.True(moved.IsSuccess);
        Assert.Equal("Old default", renamed.Value.Name);
        Assert.True(deleted.IsSuccess, deleted.Error?.Message);
        Assert.Equal("set-not-found", missing.Error?.Code);
        var remaining = await f.DbAsync(db => db.TrustedCaSets.SingleAsync());
        Assert.True(remaining.IsDefault);
        Assert.Equal("Public only", remaining.Name);
        Assert.Equal(1, await AuditCountAsync(f, "set-default"));
    }

    [Fact]
    public async Task SaveAndMerge_BadUpload_NothingChanged()
    {
        await using var f = await CoreFixture.CreateAsync(database: Database);
        using var leaf = Ca("CN=not a ca", isCa: false);
        var id = await DefaultIdAsync(f);

        var notCa = await Sets(f, s => s.SaveAndMergeAsync(id, ["public-roots.pem"], [Pem(leaf)], [], "a", CancellationToken.None));

        Assert.Equal("not-a-ca", notCa.Error?.Code);
        var set = await f.DbAsync(db => db.TrustedCaSets.Include(s => s.Certificates).SingleAsync());
        Assert.Empty(set.Certificates);
        Assert.Equal(2, set.SystemFiles.Count);
    }
}
