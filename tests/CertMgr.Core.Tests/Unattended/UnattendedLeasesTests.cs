using CertMgr.Core.Tests.Acquisition;
using CertMgr.Core.Unattended;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CertMgr.Core.Tests.Unattended;

/// <summary>Per-definition leases on the real database (SQLite here, PostgreSQL in OnPostgres.cs).</summary>
public class UnattendedLeasesTests : IAsyncLifetime
{
    private CoreFixture _f = null!;
    private Guid _definitionId;

    protected virtual TestDatabase Database => TestDatabase.Sqlite;

    public async Task InitializeAsync()
    {
        _f = await CoreFixture.CreateAsync(database: Database);
        _definitionId = await AcquisitionTestData.AddDefinitionAsync(_f);
    }

    public async Task DisposeAsync() => await _f.DisposeAsync();

    private Task<bool> AcquireAsync(string owner) =>
        _f.WithAsync(s => s.GetRequiredService<UnattendedLeases>().TryAcquireAsync(_definitionId, owner, CancellationToken.None));

    [Fact]
    public async Task TryAcquire_HeldByAnother_RefusedUntilItExpires()
    {
        Assert.True(await AcquireAsync("node-a/1"));
        Assert.False(await AcquireAsync("node-b/1"));
        Assert.True(await AcquireAsync("node-a/1")); // the owner may take it again

        _f.Time.Advance(new UnattendedOptions().LeaseDuration + TimeSpan.FromSeconds(1));

        Assert.True(await AcquireAsync("node-b/1"));
        var row = await _f.DbAsync(db => db.UnattendedStates.AsNoTracking().SingleAsync(s => s.DefinitionId == _definitionId));
        Assert.Equal("node-b/1", row.LeaseOwner);
        Assert.False(await _f.WithAsync(s => s.GetRequiredService<UnattendedLeases>().RenewAsync(_definitionId, "node-a/1", CancellationToken.None)));
    }

    [Fact]
    public async Task Renew_ByOwner_ExtendsSoOthersStayOut()
    {
        Assert.True(await AcquireAsync("node-a/1"));
        _f.Time.Advance(TimeSpan.FromMinutes(4));
        Assert.True(await _f.WithAsync(s => s.GetRequiredService<UnattendedLeases>().RenewAsync(_definitionId, "node-a/1", CancellationToken.None)));
        _f.Time.Advance(TimeSpan.FromMinutes(4));

        Assert.False(await AcquireAsync("node-b/1"));
    }

    [Fact]
    public async Task Release_ByOwner_FreesItAndAnotherOwnersReleaseChangesNothing()
    {
        Assert.True(await AcquireAsync("node-a/1"));
        Assert.Equal(0, await _f.WithAsync(s => s.GetRequiredService<UnattendedLeases>().ReleaseAsync(_definitionId, "node-b/1", CancellationToken.None)));
        Assert.False(await AcquireAsync("node-b/1"));

        Assert.Equal(1, await _f.WithAsync(s => s.GetRequiredService<UnattendedLeases>().ReleaseAsync(_definitionId, "node-a/1", CancellationToken.None)));

        Assert.True(await AcquireAsync("node-b/1"));
    }

    [Fact]
    public async Task TryAcquire_ManyOwnersAtOnceOnANewDefinition_ExactlyOneWins()
    {
        var fresh = await AcquisitionTestData.AddDefinitionAsync(_f, "race.example.test");

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() =>
            _f.WithAsync(s => s.GetRequiredService<UnattendedLeases>().TryAcquireAsync(fresh, $"node-{i}/1", CancellationToken.None)))));

        Assert.Single(results, won => won);
        Assert.Equal(1, await _f.DbAsync(db => db.UnattendedStates.CountAsync(s => s.DefinitionId == fresh && s.LeaseOwner != null)));
    }
}
