using System.Text;
using CertMgr.Core.Documents;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CertMgr.Core.Tests.Documents;

public sealed class DocumentStoreTests
{
    private static Task<T> With<T>(CoreFixture f, Func<DocumentStore, Task<T>> action) =>
        f.WithAsync(sp => action(sp.GetRequiredService<DocumentStore>()));

    [Fact]
    public async Task UploadListOpenDelete_RoundTripsUnderDocsAndRecordsHistory()
    {
        await using var f = await CoreFixture.CreateAsync();
        var id = await Acquisition.AcquisitionTestData.AddDefinitionAsync(f);
        var bytes = Encoding.UTF8.GetBytes("order confirmation #123");

        var uploaded = await With(f, s => s.UploadAsync(id, "../../etc/passwd\\order.pdf", "application/pdf", new MemoryStream(bytes), DocumentKind.OrderDocument, "alice", CancellationToken.None));

        Assert.True(uploaded.IsSuccess, uploaded.Error?.Message);
        Assert.Equal("order.pdf", uploaded.Value.FileName);
        var path = Path.GetFullPath(Path.Combine(f.Home.DocumentsDirectory, uploaded.Value.StoredPath));
        Assert.StartsWith(Path.GetFullPath(f.Home.DocumentsDirectory), path, StringComparison.Ordinal);
        Assert.Equal(bytes, File.ReadAllBytes(path));
        var list = await With(f, s => s.ListAsync(id, CancellationToken.None));
        Assert.Single(list);
        var opened = await With(f, async s =>
        {
            var o = await s.OpenAsync(id, uploaded.Value.Id, CancellationToken.None);
            await using var stream = o.Value.Content;
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            return copy.ToArray();
        });
        Assert.Equal(bytes, opened);
        var otherDefinition = await With(f, s => s.OpenAsync(Guid.NewGuid(), uploaded.Value.Id, CancellationToken.None));
        Assert.Equal("document-not-found", otherDefinition.Error?.Code);

        var deleted = await With(f, s => s.DeleteAsync(id, uploaded.Value.Id, "bob", CancellationToken.None));

        Assert.True(deleted.IsSuccess);
        Assert.False(File.Exists(path));
        var actions = await f.DbAsync(db => db.AuditEvents.Where(e => e.ObjectId == id.ToString()).Select(e => e.Action + ":" + e.Actor).ToListAsync());
        Assert.Equal([DocumentStore.Upload + ":alice", DocumentStore.Delete + ":bob"], actions);
    }

    [Fact]
    public async Task Upload_EmptyTooLargeOrUnknownDefinition_RefusedAndNothingLeft()
    {
        await using var f = await CoreFixture.CreateAsync();
        var id = await Acquisition.AcquisitionTestData.AddDefinitionAsync(f);

        var empty = await With(f, s => s.UploadAsync(id, "a.txt", "text/plain", new MemoryStream(), DocumentKind.Other, "alice", CancellationToken.None));
        var large = await With(f, s => s.UploadAsync(id, "b.bin", null, new MemoryStream(new byte[DocumentStore.MaxBytes + 1]), DocumentKind.Other, "alice", CancellationToken.None));
        var unknown = await With(f, s => s.UploadAsync(Guid.NewGuid(), "c.txt", null, new MemoryStream([1]), DocumentKind.Other, "alice", CancellationToken.None));

        Assert.Equal("document-empty", empty.Error?.Code);
        Assert.Equal("document-too-large", large.Error?.Code);
        Assert.Equal("definition-not-found", unknown.Error?.Code);
        Assert.Equal(0, await f.DbAsync(db => db.Documents.CountAsync()));
        Assert.Empty(Directory.EnumerateFiles(f.Home.DocumentsDirectory, "*", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData("../../secret.txt", "secret.txt")]
    [InlineData("C:\\Users\\x\\report.pdf", "report.pdf")]
    [InlineData("..", "document")]
    [InlineData("a\u0000b<>.txt", "ab.txt")]
    [InlineData(null, "document")]
    public void SafeFileName_HostileNames_LastSegmentCleaned(string? given, string expected) =>
        Assert.Equal(expected, DocumentStore.SafeFileName(given));
}
