using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using CertMgr.Core.Pki;
using CertMgr.Core.TrustedCas;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CertMgr.Core.Tests.TrustedCas;

public sealed class TrustedCaSetsTests
{
    private static X509Certificate2 Ca(string name, bool isCa = true)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(name, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(isCa, false, 0, true));
        return request.CreateSelfSigned(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2036, 1, 1, 0, 0, 0, TimeSpan.Zero));
    }

    private static byte[] Pem(X509Certificate2 c) => Encoding.ASCII.GetBytes(PemEncoding.WriteString("CERTIFICATE", c.RawData));

    [Fact]
    public async Task FirstStart_WritesPublicRootsAndMakesDefaultSetWithThePrivateCa()
    {
        await using var f = await CoreFixture.CreateAsync();

        var files = Directory.GetFiles(f.Home.SystemListDirectory).Select(Path.GetFileName).Order().ToList();
        var sets = await f.WithAsync(s => s.GetRequiredService<TrustedCaSets>().ListAsync(CancellationToken.None));
        var anchors = await f.WithAsync(s => s.GetRequiredService<TrustedCaSets>().AnchorsAsync(null, CancellationToken.None));

        Assert.Equal(["certmgr-private-ca.pem", "public-roots.pem"], files);
        var set = Assert.Single(sets);
        Assert.True(set.IsDefault);
        Assert.Equal(["certmgr-private-ca.pem", "public-roots.pem"], set.SystemFiles);
        Assert.True(anchors.Value.Count > 100, $"only {anchors.Value.Count} anchors");
        Assert.Contains(anchors.Value.Cast<X509Certificate2>(), c => c.Subject.Contains("ISRG Root X1", StringComparison.Ordinal));
        var caPem = await File.ReadAllTextAsync(f.Home.CaSystemListPath);
        using var privateCa = X509Certificate2.CreateFromPem(caPem);
        Assert.Contains(anchors.Value.Cast<X509Certificate2>(), c => c.Thumbprint == privateCa.Thumbprint);
    }

    [Fact]
    public async Task Restart_ChangesNothing()
    {
        await using var f = await CoreFixture.CreateAsync();
        var before = File.GetLastWriteTimeUtc(Path.Combine(f.Home.SystemListDirectory, "public-roots.pem"));

        await f.InitializeAsync();

        Assert.Equal(1, await f.DbAsync(db => db.TrustedCaSets.CountAsync()));
        Assert.Equal(before, File.GetLastWriteTimeUtc(Path.Combine(f.Home.SystemListDirectory, "public-roots.pem")));
    }

    [Fact]
    public async Task SaveAndMerge_UserCaAddedAndRemoved_EffectiveSetFollows()
    {
        await using var f = await CoreFixture.CreateAsync();
        using var ca = Ca("CN=Corp Internal Root");
        var set = (await f.WithAsync(s => s.GetRequiredService<TrustedCaSets>().CreateAsync("Internal only", ["certmgr-private-ca.pem"], "alice", CancellationToken.None))).Value;

        var merged = await f.WithAsync(s => s.GetRequiredService<TrustedCaSets>().SaveAndMergeAsync(set.Id, ["certmgr-private-ca.pem"], [Pem(ca), Pem(ca)], [], "alice", CancellationToken.None));
        var anchors = await f.WithAsync(s => s.GetRequiredService<TrustedCaSets>().AnchorsAsync(set.Id, CancellationToken.None));

        Assert.True(merged.IsSuccess, merged.Error?.Message);
        Assert.Equal(2, anchors.Value.Count);
        var stored = Assert.Single(merged.Value.Certificates);
        Assert.Equal(Thumbprints.Sha256(ca), stored.Sha256);

        var removed = await f.WithAsync(s => s.GetRequiredService<TrustedCaSets>().SaveAndMergeAsync(set.Id, ["certmgr-private-ca.pem"], [], [stored.Id], "alice", CancellationToken.None));
        var after = await f.WithAsync(s => s.GetRequiredService<TrustedCaSets>().AnchorsAsync(set.Id, CancellationToken.None));

        Assert.True(removed.IsSuccess);
        Assert.Single(after.Value);
        Assert.Equal(3, await f.DbAsync(db => db.AuditEvents.CountAsync(e => e.ObjectType == "TrustedCaSet" && e.Actor == "alice")));
    }

    [Fact]
    public async Task BadInput_RefusedWithReasonAndNothingChanged()
    {
        await using var f = await CoreFixture.CreateAsync();
        using var leaf = Ca("CN=not a ca", isCa: false);
        var defaultId = await f.DbAsync(db => db.TrustedCaSets.Where(s => s.IsDefault).Select(s => s.Id).SingleAsync());

        var duplicateName = await f.WithAsync(s => s.GetRequiredService<TrustedCaSets>().CreateAsync("Default", null, "a", CancellationToken.None));
        var badFile = await f.WithAsync(s => s.GetRequiredService<TrustedCaSets>().CreateAsync("X", ["../etc/passwd"], "a", CancellationToken.None));
        var notCa = await f.WithAsync(s => s.GetRequiredService<TrustedCaSets>().SaveAndMergeAsync(defaultId, ["public-roots.pem"], [Pem(leaf)], [], "a", CancellationToken.None));
        var garbage = await f.WithAsync(s => s.GetRequiredService<TrustedCaSets>().SaveAndMergeAsync(defaultId, ["public-roots.pem"], ["garbage"u8.ToArray()], [], "a", CancellationToken.None));
        var deleteDefault = await f.WithAsync(s => s.GetRequiredService<TrustedCaSets>().DeleteAsync(defaultId, "a", CancellationToken.None));

        Assert.Equal("name-taken", duplicateName.Error?.Code);
        Assert.Equal("file-unknown", badFile.Error?.Code);
        Assert.Equal("not-a-ca", notCa.Error?.Code);
        Assert.NotNull(garbage.Error);
        Assert.Equal("set-is-default", deleteDefault.Error?.Code);
        var set = await f.DbAsync(db => db.TrustedCaSets.Include(s => s.Certificates).SingleAsync());
        Assert.Empty(set.Certificates);
        Assert.Equal(2, set.SystemFiles.Count);
    }

    [Fact]
    public async Task SetDefault_MovesTheDefaultAndOldOneCanThenBeDeleted()
    {
        await using var f = await CoreFixture.CreateAsync();
        var oldId = await f.DbAsync(db => db.TrustedCaSets.Where(s => s.IsDefault).Select(s => s.Id).SingleAsync());
        var created = await f.WithAsync(s => s.GetRequiredService<TrustedCaSets>().CreateAsync("Public only", ["public-roots.pem"], "a", CancellationToken.None));

        var moved = await f.WithAsync(s => s.GetRequiredService<TrustedCaSets>().SetDefaultAsync(created.Value.Id, "a", CancellationToken.None));
        var renamed = await f.WithAsync(s => s.GetRequiredService<TrustedCaSets>().RenameAsync(oldId, "Old default", "a", CancellationToken.None));
        var deleted = await f.WithAsync(s => s.GetRequiredService<TrustedCaSets>().DeleteAsync(oldId, "a", CancellationToken.None));

        Assert.True(moved.IsSuccess);
        Assert.Equal("Old default", renamed.Value.Name);
        Assert.True(deleted.IsSuccess, deleted.Error?.Message);
        var remaining = await f.DbAsync(db => db.TrustedCaSets.SingleAsync());
        Assert.True(remaining.IsDefault);
        Assert.Equal("Public only", remaining.Name);
    }
}
