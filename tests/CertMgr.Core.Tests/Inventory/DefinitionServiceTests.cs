using CertMgr.Core.Inventory;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CertMgr.Core.Tests.Inventory;

public class DefinitionServiceTests : IAsyncLifetime
{
    /// <summary>The database the class runs on; a subclass in OnPostgres.cs runs it all again on PostgreSQL.</summary>
    protected virtual TestDatabase Database => TestDatabase.Sqlite;

    private CoreFixture _fx = null!;

    public async Task InitializeAsync() => _fx = await CoreFixture.CreateAsync(database: Database);

    public async Task DisposeAsync() => await _fx.DisposeAsync();

    private Task<T> Service<T>(Func<DefinitionService, Task<T>> action) =>
        _fx.WithAsync(sp => action(sp.GetRequiredService<DefinitionService>()));

    private static DefinitionFields Fields(string cn, params string[] tags) => new()
    {
        CommonName = cn,
        SubjectAlternativeNames = [cn],
        TargetServerName = cn,
        ServerNameForCheck = cn,
        Tags = [.. tags],
    };

    private Task<List<AuditEvent>> HistoryAsync(Guid id) =>
        _fx.DbAsync(db => db.AuditEvents.Where(e => e.ObjectType == DefinitionHistory.ObjectType && e.ObjectId == id.ToString()).OrderBy(e => e.Id).ToListAsync());

    [Fact]
    public async Task CreateAsync_Valid_StoredWithHistoryByActor()
    {
        var created = await Service(s => s.CreateAsync(Fields("WWW.example.com", "prod"), "alice", CancellationToken.None));

        Assert.True(created.IsSuccess, created.Error?.Message);
        var stored = await _fx.DbAsync(db => db.Definitions.SingleAsync());
        Assert.Equal("www.example.com", stored.Name);
        Assert.Equal(["prod"], stored.Tags);
        Assert.Equal(60, stored.RenewalLeadDays);
        var history = Assert.Single(await HistoryAsync(stored.Id));
        Assert.Equal(("alice", "create"), (history.Actor, history.Action));
    }

    [Fact]
    public async Task CreateAsync_Invalid_RefusedAndNothingStored()
    {
        var fields = Fields("www.example.com");
        fields.SubjectAlternativeNames = ["bad name"];

        var created = await Service(s => s.CreateAsync(fields, "alice", CancellationToken.None));

        Assert.Equal(DefinitionValidation.InvalidCode, created.Error?.Code);
        Assert.Contains("'bad name' is not a valid DNS name", created.Error!.Message, StringComparison.Ordinal);
        Assert.Equal(0, await _fx.DbAsync(db => db.Definitions.CountAsync()));
    }

    [Fact]
    public async Task CreateAsync_UnknownProduct_ProductError()
    {
        var fields = Fields("www.example.com");
        fields.ProductId = Guid.NewGuid();

        var created = await Service(s => s.CreateAsync(fields, "alice", CancellationToken.None));

        Assert.Equal("product-not-found", created.Error?.Code);
        Assert.Equal(nameof(DefinitionFields.ProductId), DefinitionService.FieldOf(created.Error!));
    }

    [Fact]
    public async Task UpdateAsync_ChangedFields_RecordedInHistory()
    {
        var id = (await Service(s => s.CreateAsync(Fields("www.example.com"), "alice", CancellationToken.None))).Value.Id;
        var fields = Fields("www.example.com");
        fields.Port = 8443;
        fields.Notes = "moved";

        var updated = await Service(s => s.UpdateAsync(id, fields, "bob", CancellationToken.None));
        var unchanged = await Service(s => s.UpdateAsync(id, fields, "bob", CancellationToken.None));
        var missing = await Service(s => s.UpdateAsync(Guid.NewGuid(), fields, "bob", CancellationToken.None));

        Assert.True(updated.IsSuccess && unchanged.IsSuccess);
        Assert.Equal(DefinitionService.NotFoundCode, missing.Error?.Code);
        var history = await HistoryAsync(id);
        Assert.Equal(2, history.Count);
        Assert.Equal("bob", history[1].Actor);
        Assert.Equal("Changed port, notes.", history[1].Detail);
        Assert.Equal(8443, (await _fx.DbAsync(db => db.Definitions.SingleAsync())).Port);
    }

    [Fact]
    public async Task DuplicateAsync_Twice_CopyNamesAreDistinct()
    {
        var id = (await Service(s => s.CreateAsync(Fields("www.example.com"), "alice", CancellationToken.None))).Value.Id;

        var first = await Service(s => s.DuplicateAsync(id, "alice", CancellationToken.None));
        var second = await Service(s => s.DuplicateAsync(id, "alice", CancellationToken.None));

        Assert.Equal("www.example.com (copy)", first.Value.Name);
        Assert.Equal("www.example.com (copy 2)", second.Value.Name);
        Assert.Equal("www.example.com", second.Value.CommonName);
        Assert.Contains(await HistoryAsync(id), e => e.Action == "duplicate");
    }

    [Fact]
    public async Task CloneAsync_ByTagWithRewrite_PreviewThenCreatesThenRefusesCollision()
    {
        await Service(s => s.CreateAsync(Fields("www.prod.example.com", "prod"), "alice", CancellationToken.None));
        await Service(s => s.CreateAsync(Fields("api.prod.example.com", "prod"), "alice", CancellationToken.None));
        await Service(s => s.CreateAsync(Fields("other.example.com"), "alice", CancellationToken.None));
        var request = new CloneRequest(null, "prod", "prod", "test", "test");

        var plan = await Service(s => s.PlanCloneAsync(request, CancellationToken.None));
        var cloned = await Service(s => s.CloneAsync(request, "carol", CancellationToken.None));
        var again = await Service(s => s.CloneAsync(request, "carol", CancellationToken.None));

        Assert.True(plan.Value.CanApply);
        Assert.Equal(["api.test.example.com", "www.test.example.com"], plan.Value.Items.Select(i => i.Fields.Name));
        Assert.Equal(2, cloned.Value.Count);
        var clone = await _fx.DbAsync(db => db.Definitions.SingleAsync(d => d.Name == "www.test.example.com"));
        Assert.Equal(("www.test.example.com", "www.test.example.com", "www.test.example.com"), (clone.CommonName, clone.TargetServerName, clone.ServerNameForCheck));
        Assert.Equal(["www.test.example.com"], clone.SubjectAlternativeNames);
        Assert.Equal(["prod", "test"], clone.Tags);
        Assert.Equal("clone-conflict", again.Error?.Code);
        Assert.Contains("already exists", again.Error!.Message, StringComparison.Ordinal);
        Assert.Equal(5, await _fx.DbAsync(db => db.Definitions.CountAsync()));
    }

    [Fact]
    public async Task PlanCloneAsync_RuleChangesNothing_ItemHasProblem()
    {
        var id = (await Service(s => s.CreateAsync(Fields("www.example.com"), "alice", CancellationToken.None))).Value.Id;

        var plan = await Service(s => s.PlanCloneAsync(new CloneRequest([id], null, "prod", "test"), CancellationToken.None));
        var noFind = await Service(s => s.PlanCloneAsync(new CloneRequest([id], null, "", "test"), CancellationToken.None));

        Assert.False(plan.Value.CanApply);
        Assert.Contains("does not change the name", plan.Value.Items[0].Problem, StringComparison.Ordinal);
        Assert.Equal("rewrite-invalid", noFind.Error?.Code);
    }

    [Fact]
    public async Task SwitchModeAsync_BothModes_SwitchedAndRecorded()
    {
        var id = (await Service(s => s.CreateAsync(Fields("www.example.com"), "alice", CancellationToken.None))).Value.Id;

        var switched = await Service(s => s.SwitchModeAsync(id, OperationMode.MonitoredOnly, ExecutionMode.Unattended, "dave", CancellationToken.None));
        var none = await Service(s => s.SwitchModeAsync(id, null, null, "dave", CancellationToken.None));

        Assert.Equal((OperationMode.MonitoredOnly, ExecutionMode.Unattended), (switched.Value.OperationMode, switched.Value.ExecutionMode));
        Assert.Equal("mode-missing", none.Error?.Code);
        var actions = (await HistoryAsync(id)).Select(e => e.Action).ToList();
        Assert.Equal(["create", "switch-operation-mode", "switch-execution-mode"], actions);
    }

    [Fact]
    public async Task SwitchModeAsync_ToMonitoredWithOpenAcquisition_Refused()
    {
        var id = (await Service(s => s.CreateAsync(Fields("www.example.com"), "alice", CancellationToken.None))).Value.Id;
        await _fx.DbAsync(db =>
        {
            db.Requests.Add(new CertificateRequest { DefinitionId = id, Kind = RequestKind.New, Status = RequestStatus.Ordered });
            return db.SaveChangesAsync();
        });

        var switched = await Service(s => s.SwitchModeAsync(id, OperationMode.MonitoredOnly, null, "dave", CancellationToken.None));

        Assert.Equal("acquisition-in-progress", switched.Error?.Code);
        Assert.Equal(OperationMode.LifecycleManaged, (await _fx.DbAsync(db => db.Definitions.SingleAsync())).OperationMode);
    }

    [Fact]
    public async Task DeleteAsync_WithCurrentCertificate_DefinitionAndCertificatesGoneKeyStays()
    {
        await using var home = await CoreFixture.CreateAsync(database: Database);
        var pfx = TestCertificates.SelfSignedPfx("del.example.com", "pw");
        var summary = await home.WithAsync(sp => sp.GetRequiredService<ImportService>().ImportAsync(
            [new ImportFile("del.pfx", pfx)], new ImportSettings(OperationMode.LifecycleManaged, ["pw"]), "alice", CancellationToken.None));
        var id = summary.Files[0].DefinitionId!.Value;

        var deleted = await home.WithAsync(sp => sp.GetRequiredService<DefinitionService>().DeleteAsync(id, "admin", CancellationToken.None));
        var again = await home.WithAsync(sp => sp.GetRequiredService<DefinitionService>().DeleteAsync(id, "admin", CancellationToken.None));

        Assert.True(deleted.IsSuccess, deleted.Error?.Message);
        Assert.Equal(DefinitionService.NotFoundCode, again.Error?.Code);
        Assert.Equal((0, 0, 1), await home.DbAsync(async db => (await db.Definitions.CountAsync(), await db.Certificates.CountAsync(), await db.PrivateKeys.CountAsync(k => k.Source == PrivateKeySource.Imported))));
        Assert.True(await home.DbAsync(db => db.AuditEvents.AnyAsync(e => e.ObjectId == id.ToString() && e.Action == "delete" && e.Actor == "admin")));
    }
}
