using CertMgr.Core.Common;
using Microsoft.Extensions.Time.Testing;

namespace CertMgr.Core.Tests.Security;

/// <summary>The change check behind ip_acl.txt and the client-certificate files: real files, a fake clock.</summary>
public sealed class WatchedFilesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("certmgr-watched-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Changed_FirstLookThenOnlyRealChangesAtMostOnceASecond()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 4, 0, 0, TimeSpan.Zero));
        var map = Path.Combine(_dir, "certmap.txt");
        var ca = Path.Combine(_dir, "ca.pem");
        File.WriteAllText(map, "one\n");
        var files = new WatchedFiles(clock, map, ca, null);

        Assert.True(files.Changed()); // the first look
        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.False(files.Changed()); // nothing changed

        File.WriteAllText(map, "two lines\n");
        Assert.False(files.Changed()); // looked less than a second ago: not even a stat
        clock.Advance(WatchedFiles.CheckEvery);
        Assert.True(files.Changed());

        // Same size, newer time stamp: a change.
        File.WriteAllText(map, "two lineZ\n");
        File.SetLastWriteTimeUtc(map, File.GetLastWriteTimeUtc(map).AddSeconds(2));
        clock.Advance(WatchedFiles.CheckEvery);
        Assert.True(files.Changed());

        // A file appearing or going away is a change too.
        File.WriteAllText(ca, "ca");
        clock.Advance(WatchedFiles.CheckEvery);
        Assert.True(files.Changed());
        File.Delete(map);
        clock.Advance(WatchedFiles.CheckEvery);
        Assert.True(files.Changed());
        clock.Advance(WatchedFiles.CheckEvery);
        Assert.False(files.Changed());

        // Forget: the owner reads again now, whatever the clock says.
        files.Forget();
        Assert.True(files.Changed());
    }
}
