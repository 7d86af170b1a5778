using CertMgr.Data.Model;
using CertMgr.Data.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Data.Tests;

/// <summary>The stored list state and search text of a definition follow the rows they derive from, on both databases.</summary>
public sealed class DefinitionStateTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    [Theory, DatabaseData]
    public async Task SaveChanges_CurrentCertificateSet_StoresItsExpiry(DatabaseKind kind)
    {
        var definition = await CreateAsync(kind, TestData.T0.AddDays(77));

        await using var context = db.CreateContext(kind);
        var stored = await context.Definitions.AsNoTracking().SingleAsync(d => d.Id == definition.Id);
        Assert.Equal(TestData.T0.AddDays(77), stored.CurrentNotAfter);
        Assert.Null(stored.NextStatus);
        Assert.Null(stored.DeployStatus);
        Assert.Null(stored.MonitorStatus);
    }

    [Theory, DatabaseData]
    public async Task SaveChanges_RequestOpenedThenCompleted_NextStatusFollows(DatabaseKind kind)
    {
        var definition = await CreateAsync(kind);
        var request = TestData.Request(definition);
        request.Definition = null!;
        request.DefinitionId = definition.Id;
        request.Status = RequestStatus.Interrupted;
        request.InterruptReason = "waiting for DCV";
        await using (var context = db.CreateContext(kind))
        {
            context.Requests.Add(request);
            await context.SaveChangesAsync();
        }

        Assert.Equal((RequestStatus.Interrupted, "waiting for DCV"), await NextAsync(kind, definition.Id));

        await using (var context = db.CreateContext(kind))
        {
            var loaded = await context.Requests.SingleAsync(r => r.Id == request.Id);
            loaded.Status = RequestStatus.Completed;
            await context.SaveChangesAsync();
        }

        Assert.Equal((null, null), await NextAsync(kind, definition.Id));
    }

    [Theory, DatabaseData]
    public async Task SaveChanges_MonitorResults_LatestOneIsStored(DatabaseKind kind)
    {
        var definition = await CreateAsync(kind);
        await using (var context = db.CreateContext(kind))
        {
            var run = new MonitorRun { StartedAt = TestData.T0 };
            context.MonitorRuns.Add(run);
            context.MonitorResults.Add(Result(run, definition.Id, CheckStatus.Ok, TestData.T0.AddHours(1), null));
            context.MonitorResults.Add(Result(run, definition.Id, CheckStatus.Ng, TestData.T0.AddHours(2), "served certificate differs"));
            await context.SaveChangesAsync();
        }

        await using (var context = db.CreateContext(kind))
        {
            var stored = await context.Definitions.AsNoTracking().SingleAsync(d => d.Id == definition.Id);
            Assert.Equal(CheckStatus.Ng, stored.MonitorStatus);
            Assert.Equal("served certificate differs", stored.MonitorReason);
            Assert.Equal(TestData.T0.AddHours(2), stored.MonitoredAt);
        }
    }

    [Theory, DatabaseData]
    public async Task SaveChanges_DeploymentOfCurrentCertificate_DeployStatusFollows(DatabaseKind kind)
    {
        var definition = await CreateAsync(kind);
        var deployment = new Deployment { CertificateId = definition.CurrentCertificateId!.Value, Status = DeploymentStatus.Prepared, CreatedAt = TestData.T0, UpdatedAt = TestData.T0 };
        await using (var context = db.CreateContext(kind))
        {
            context.Deployments.Add(deployment);
            await context.SaveChangesAsync();
        }

        Assert.Equal(DeploymentStatus.Prepared, await DeployAsync(kind, definition.Id));

        await using (var context = db.CreateContext(kind))
        {
            var loaded = await context.Deployments.SingleAsync(x => x.Id == deployment.Id);
            loaded.Status = DeploymentStatus.Confirmed;
            await context.SaveChangesAsync();
        }

        Assert.Equal(DeploymentStatus.Confirmed, await DeployAsync(kind, definition.Id));
    }

    [Theory, DatabaseData]
    public async Task SaveChanges_TrackedDefinition_SeesTheNewStateWithoutReload(DatabaseKind kind)
    {
        var definition = await CreateAsync(kind, TestData.T0.AddDays(10));
        await using var context = db.CreateContext(kind);
        var loaded = await context.Definitions.SingleAsync(d => d.Id == definition.Id);
        var renewed = TestData.Certificate(loaded, TestData.T0.AddDays(400));
        loaded.Certificates.Add(renewed);
        await context.SaveChangesAsync();
        loaded.CurrentCertificateId = renewed.Id;
        await context.SaveChangesAsync();

        Assert.Equal(TestData.T0.AddDays(400), loaded.CurrentNotAfter);
        Assert.Equal(EntityState.Unchanged, context.Entry(loaded).State);
    }

    [Theory, DatabaseData]
    public async Task SaveChanges_TagsEdited_SearchTextFollowsAndFinds(DatabaseKind kind)
    {
        var definition = await CreateAsync(kind);
        await using (var context = db.CreateContext(kind))
        {
            var loaded = await context.Definitions.SingleAsync(d => d.Id == definition.Id);
            loaded.Tags = ["Payments-Team"];
            await context.SaveChangesAsync();
        }

        await using (var context = db.CreateContext(kind))
        {
            var term = SearchTexts.Term("PAYMENTS-team");
            var found = await context.Definitions.Where(d => d.Id == definition.Id && d.SearchText.Contains(term)).CountAsync();
            Assert.Equal(1, found);
            var stored = await context.Definitions.Where(d => d.Id == definition.Id).Select(d => EF.Property<string>(d, "SearchText")).SingleAsync();
            Assert.Contains("payments-team", stored, StringComparison.Ordinal);
            Assert.Contains("www." + definition.CommonName, stored, StringComparison.Ordinal);
        }
    }

    [Theory, DatabaseData]
    public async Task RefreshAsync_StateWrittenBehindEfsBack_IsRecomputed(DatabaseKind kind)
    {
        var definition = await CreateAsync(kind, TestData.T0.AddDays(5));
        await using var context = db.CreateContext(kind);
        await context.Definitions.Where(d => d.Id == definition.Id).ExecuteUpdateAsync(s => s.SetProperty(d => d.CurrentNotAfter, (DateTimeOffset?)null));

        await DefinitionState.RefreshAsync(context.Definitions.Where(d => d.Id == definition.Id), CancellationToken.None);

        var stored = await context.Definitions.AsNoTracking().SingleAsync(d => d.Id == definition.Id);
        Assert.Equal(TestData.T0.AddDays(5), stored.CurrentNotAfter);
    }

    private async Task<CertificateDefinition> CreateAsync(DatabaseKind kind, DateTimeOffset? notAfter = null)
    {
        var definition = TestData.Definition();
        var current = TestData.Certificate(definition, notAfter);
        definition.Certificates.Add(current);
        await using var context = db.CreateContext(kind);
        await using var transaction = await context.Database.BeginTransactionAsync();
        context.Definitions.Add(definition);
        await context.SaveChangesAsync();
        definition.CurrentCertificate = current;
        await context.SaveChangesAsync();
        await transaction.CommitAsync();
        return definition;
    }

    private async Task<(RequestStatus?, string?)> NextAsync(DatabaseKind kind, Guid id)
    {
        await using var context = db.CreateContext(kind);
        var d = await context.Definitions.AsNoTracking().SingleAsync(x => x.Id == id);
        return (d.NextStatus, d.NextInterruptReason);
    }

    private async Task<DeploymentStatus?> DeployAsync(DatabaseKind kind, Guid id)
    {
        await using var context = db.CreateContext(kind);
        return (await context.Definitions.AsNoTracking().SingleAsync(x => x.Id == id)).DeployStatus;
    }

    private static MonitorResult Result(MonitorRun run, Guid definitionId, CheckStatus status, DateTimeOffset at, string? reason) => new()
    {
        MonitorRunId = run.Id,
        DefinitionId = definitionId,
        Status = status,
        Endpoint = "127.0.0.1:443",
        Reason = reason,
        CheckedAt = at,
    };
}
