using System.Security.Cryptography.X509Certificates;
using System.Text;
using CertMgr.Core.Acquisition;
using CertMgr.Core.Inventory;
using CertMgr.Core.Pki;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using X509Request = System.Security.Cryptography.X509Certificates.CertificateRequest;

namespace CertMgr.Core.Tests.Acquisition;

public class AcquisitionServiceTests
{
    /// <summary>The database the class runs on; a subclass in OnPostgres.cs runs it all again on PostgreSQL.</summary>
    protected virtual TestDatabase Database => TestDatabase.Sqlite;

    private static Task<T> With<T>(CoreFixture f, Func<AcquisitionService, Task<T>> action) =>
        f.WithAsync(sp => action(sp.GetRequiredService<AcquisitionService>()));

    private static async Task<Guid> StartWithKeyAsync(CoreFixture f, Guid definitionId)
    {
        var started = await With(f, s => s.StartAsync(definitionId, RequestKind.New, "alice", CancellationToken.None));
        Assert.True(started.IsSuccess, started.Error?.Message);
        var keyed = await With(f, s => s.SetKeyAsync(started.Value.Id, KeyChoice.New, null, "alice", CancellationToken.None));
        Assert.True(keyed.IsSuccess, keyed.Error?.Message);
        return started.Value.Id;
    }

    [Fact]
    public async Task Start_SecondOpenProcess_Refused()
    {
        await using var f = await CoreFixture.CreateAsync(database: Database);
        var id = await AcquisitionTestData.AddDefinitionAsync(f);

        var first = await With(f, s => s.StartAsync(id, RequestKind.New, "alice", CancellationToken.None));
        var second = await With(f, s => s.StartAsync(id, RequestKind.New, "alice", CancellationToken.None));

        Assert.True(first.IsSuccess);
        Assert.Equal(RequestStatus.Draft, first.Value.Status);
        Assert.Equal("acquisition-open", second.Error?.Code);
        Assert.Equal(1, await f.DbAsync(db => db.Requests.CountAsync()));
        var history = await f.DbAsync(db => db.AuditEvents.Where(e => e.ObjectType == DefinitionHistory.ObjectType && e.ObjectId == id.ToString()).ToListAsync());
        Assert.Contains(history, e => e.Action == AcquisitionActions.Start && e.Actor == "alice");
    }

    [Fact]
    public async Task Start_RenewalWithoutCurrentOrMonitoredOnlyOrUnknown_Refused()
    {
        await using var f = await CoreFixture.CreateAsync(database: Database);
        var id = await AcquisitionTestData.AddDefinitionAsync(f);
        var monitored = await AcquisitionTestData.AddDefinitionAsync(f, "mon.example.test", mode: OperationMode.MonitoredOnly);

        var renewal = await With(f, s => s.StartAsync(id, RequestKind.Renewal, "alice", CancellationToken.None));
        var mon = await With(f, s => s.StartAsync(monitored, RequestKind.New, "alice", CancellationToken.None));
        var unknown = await With(f, s => s.StartAsync(Guid.NewGuid(), RequestKind.New, "alice", CancellationToken.None));

        Assert.Equal("no-current-certificate", renewal.Error?.Code);
        Assert.Equal("definition-monitored-only", mon.Error?.Code);
        Assert.Equal("definition-not-found", unknown.Error?.Code);
        Assert.Equal(0, await f.DbAsync(db => db.Requests.CountAsync()));
    }

    [Fact]
    public async Task SetKey_New_SealedKeyOfDefinitionSpecAndCsrWithDnAndSans()
    {
        await using var f = await CoreFixture.CreateAsync(database: Database);
        var id = await AcquisitionTestData.AddDefinitionAsync(f, configure: d => { d.KeyAlgorithm = KeyAlgorithm.Rsa; d.KeySize = 2048; });

        var requestId = await StartWithKeyAsync(f, id);
        var pem = await With(f, s => s.CsrPemAsync(requestId, CancellationToken.None));

        var request = await f.DbAsync(db => db.Requests.Include(r => r.PrivateKey).SingleAsync(r => r.Id == requestId));
        Assert.Equal(RequestStatus.KeyAndCsrReady, request.Status);
        Assert.Equal(KeyAlgorithm.Rsa, request.PrivateKey!.Algorithm);
        Assert.Equal(2048, request.PrivateKey.KeySize);
        Assert.Equal(PrivateKeySource.Generated, request.PrivateKey.Source);
        var csr = X509Request.LoadSigningRequestPem(pem.Value, System.Security.Cryptography.HashAlgorithmName.SHA256,
            CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
        Assert.Contains("CN=shop.example.test", csr.SubjectName.Name, StringComparison.Ordinal);
        Assert.Contains("O=Example Ltd", csr.SubjectName.Name, StringComparison.Ordinal);
        var san = csr.CertificateExtensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal(["shop.example.test", "www.shop.example.test"], san.EnumerateDnsNames());
        Assert.Equal(request.PrivateKey.PublicKeySha256, Thumbprints.PublicKeySha256(csr.PublicKey.ExportSubjectPublicKeyInfo()));
    }

    [Fact]
    public async Task SetKey_AgainWithNewKey_ReplacesAndDropsUnusedGeneratedKey()
    {
        await using var f = await CoreFixture.CreateAsync(database: Database);
        var id = await AcquisitionTestData.AddDefinitionAsync(f);
        var requestId = await StartWithKeyAsync(f, id);
        var firstKey = await f.DbAsync(db => db.Requests.Where(r => r.Id == requestId).Select(r => r.PrivateKeyId).SingleAsync());

        var again = await With(f, s => s.SetKeyAsync(requestId, KeyChoice.New, null, "alice", CancellationToken.None));

        Assert.True(again.IsSuccess);
        Assert.NotEqual(firstKey, again.Value.PrivateKeyId);
        Assert.False(await f.DbAsync(db => db.PrivateKeys.AnyAsync(k => k.Id == firstKey)));
    }

    [Fact]
    public async Task SetKey_ReuseRefusals_WrongSpecUnknownKeyNoCurrent()
    {
        await using var f = await CoreFixture.CreateAsync(database: Database);
        var id = await AcquisitionTestData.AddDefinitionAsync(f);
        var other = await AcquisitionTestData.AddDefinitionAsync(f, "rsa.example.test", configure: d => { d.KeyAlgorithm = KeyAlgorithm.Rsa; d.KeySize = 2048; });
        var rsaRequest = await StartWithKeyAsync(f, other);
        var rsaKey = await f.DbAsync(db => db.Requests.Where(r => r.Id == rsaRequest).Select(r => r.PrivateKeyId!.Value).SingleAsync());
        var started = await With(f, s => s.StartAsync(id, RequestKind.New, "alice", CancellationToken.None));

        var wrongSpec = await With(f, s => s.SetKeyAsync(started.Value.Id, KeyChoice.Reuse, rsaKey, "alice", CancellationToken.None));
        var unknown = await With(f, s => s.SetKeyAsync(started.Value.Id, KeyChoice.Reuse, Guid.NewGuid(), "alice", CancellationToken.None));
        var noCurrent = await With(f, s => s.SetKeyAsync(started.Value.Id, KeyChoice.ReuseCurrent, null, "alice", CancellationToken.None));
        var caKey = await f.DbAsync(db => db.PrivateCas.Select(c => c.PrivateKeyId).FirstAsync());
        var ca = await With(f, s => s.SetKeyAsync(started.Value.Id, KeyChoice.Reuse, caKey, "alice", CancellationToken.None));

        Assert.Equal("key-spec-mismatch", wrongSpec.Error?.Code);
        Assert.Equal("key-not-found", unknown.Error?.Code);
        Assert.Equal("current-key-missing", noCurrent.Error?.Code);
        Assert.NotNull(ca.Error);
        Assert.Equal(RequestStatus.Draft, await f.DbAsync(db => db.Requests.Where(r => r.Id == started.Value.Id).Select(r => r.Status).SingleAsync()));
    }

    [Fact]
    public async Task BuiltInCaProduct_IssuesAtOnce_ThenCompleteMakesItCurrent()
    {
        await using var f = await CoreFixture.CreateAsync(database: Database);
        var id = await AcquisitionTestData.AddDefinitionAsync(f);
        var requestId = await StartWithKeyAsync(f, id);
        var product = await AcquisitionTestData.ProductAsync(f, "CertMgr", "Built-in Private CA");

        var chosen = await With(f, s => s.ChooseProductAsync(requestId, product.Id, "alice", CancellationToken.None));
        Assert.True(chosen.IsSuccess, chosen.Error?.Message);
        Assert.Equal(RequestStatus.Received, chosen.Value.Status);
        var order = await With(f, s => s.RecordOrderAsync(requestId, new OrderDetails(null, "X", null, null), "alice", CancellationToken.None));
        Assert.Equal("wrong-step", order.Error?.Code);

        var done = await With(f, s => s.CompleteAsync(requestId, "bob", CancellationToken.None));

        Assert.True(done.IsSuccess, done.Error?.Message);
        var definition = await f.DbAsync(db => db.Definitions.Include(d => d.CurrentCertificate).SingleAsync(d => d.Id == id));
        var current = definition.CurrentCertificate!;
        Assert.Equal(CertificateSource.IssuedByPrivateCa, current.Source);
        Assert.Equal(requestId, current.RequestId);
        Assert.NotNull(current.PrivateKeyId);
        Assert.NotNull(current.ChainPem);
        Assert.Equal(["shop.example.test", "www.shop.example.test"], current.SubjectAlternativeNames);
        Assert.True(await f.DbAsync(db => db.IssuedCertificates.AnyAsync(i => i.SerialNumber == current.SerialNumber)));
        var request = await f.DbAsync(db => db.Requests.SingleAsync(r => r.Id == requestId));
        Assert.Equal(RequestStatus.Completed, request.Status);
        Assert.NotNull(request.CompletedAt);
        var actions = await f.DbAsync(db => db.AuditEvents.Where(e => e.ObjectId == id.ToString()).Select(e => e.Action + ":" + e.Actor).ToListAsync());
        Assert.Contains(AcquisitionActions.Issued + ":alice", actions);
        Assert.Contains(AcquisitionActions.Complete + ":bob", actions);

        // Renewal now possible, reusing the current key.
        var renewal = await With(f, s => s.StartAsync(id, RequestKind.Renewal, "alice", CancellationToken.None));
        var reused = await With(f, s => s.SetKeyAsync(renewal.Value.Id, KeyChoice.ReuseCurrent, null, "alice", CancellationToken.None));
        Assert.True(reused.IsSuccess, reused.Error?.Message);
        Assert.Equal(current.PrivateKeyId, reused.Value.PrivateKeyId);
    }

    [Fact]
    public async Task ChooseProduct_Unsuitable_RefusedWithReason()
    {
        await using var f = await CoreFixture.CreateAsync(database: Database);
        var id = await AcquisitionTestData.AddDefinitionAsync(f, "*.wild.example.test", ["*.wild.example.test", "wild.example.test"]);
        var requestId = await StartWithKeyAsync(f, id);
        var positive = await AcquisitionTestData.ProductAsync(f, "Sectigo", "PositiveSSL DV");

        var refused = await With(f, s => s.ChooseProductAsync(requestId, positive.Id, "alice", CancellationToken.None));
        var unknown = await With(f, s => s.ChooseProductAsync(requestId, Guid.NewGuid(), "alice", CancellationToken.None));

        Assert.Equal("product-unsuitable", refused.Error?.Code);
        Assert.Contains("wildcard", refused.Error!.Message, StringComparison.Ordinal);
        Assert.Equal("product-not-found", unknown.Error?.Code);
        Assert.Equal(RequestStatus.KeyAndCsrReady, await f.DbAsync(db => db.Requests.Where(r => r.Id == requestId).Select(r => r.Status).SingleAsync()));
    }

    [Fact]
    public async Task CommercialFlow_OrderReceiveComplete_WrongCertificatesRefused()
    {
        await using var f = await CoreFixture.CreateAsync(database: Database);
        var now = f.Time.GetUtcNow();
        using var ca = new TestCommercialCa(now);
        var id = await AcquisitionTestData.AddDefinitionAsync(f);
        var requestId = await StartWithKeyAsync(f, id);
        var product = await AcquisitionTestData.ProductAsync(f, "Sectigo", "PositiveSSL DV");
        var account = await f.DbAsync(async db =>
        {
            var a = new ProviderAccount { Provider = "Sectigo", Username = "buyer", CreatedAt = now };
            db.ProviderAccounts.Add(a);
            await db.SaveChangesAsync();
            return a.Id;
        });
        Assert.True((await With(f, s => s.ChooseProductAsync(requestId, product.Id, "alice", CancellationToken.None))).IsSuccess);
        var early = await With(f, s => s.CompleteAsync(requestId, "alice", CancellationToken.None));
        Assert.Equal("wrong-step", early.Error?.Code);

        var badAccount = await With(f, s => s.RecordOrderAsync(requestId, new OrderDetails(null, "1", Guid.NewGuid(), null), "alice", CancellationToken.None));
        var ordered = await With(f, s => s.RecordOrderAsync(requestId, new OrderDetails(new DateOnly(2026, 11, 28), "SEC-12345", account, "paid by card"), "alice", CancellationToken.None));
        Assert.Equal("provider-account-not-found", badAccount.Error?.Code);
        Assert.True(ordered.IsSuccess, ordered.Error?.Message);
        Assert.Equal(RequestStatus.Ordered, ordered.Value.Status);
        Assert.Equal("SEC-12345", ordered.Value.OrderNumber);

        var csr = Encoding.ASCII.GetBytes((await With(f, s => s.CsrPemAsync(requestId, CancellationToken.None))).Value);
        using var otherKey = ca.SignOtherKey("shop.example.test", ["shop.example.test", "www.shop.example.test"], now);
        using var expired = ca.Sign(csr, now.AddDays(-100), now.AddDays(-1));
        using var good = ca.Sign(csr, now.AddDays(-1), now.AddDays(199));

        var wrongKey = await With(f, s => s.ReceiveAsync(requestId, Encoding.ASCII.GetBytes(ca.PemWithChain(otherKey)), null, null, "alice", CancellationToken.None));
        var tooOld = await With(f, s => s.ReceiveAsync(requestId, expired.RawData, null, null, "alice", CancellationToken.None));
        var garbage = await With(f, s => s.ReceiveAsync(requestId, Encoding.ASCII.GetBytes("not a certificate"), null, null, "alice", CancellationToken.None));
        Assert.Equal("cert-key-mismatch", wrongKey.Error?.Code);
        Assert.Equal("cert-expired", tooOld.Error?.Code);
        Assert.NotNull(garbage.Error);
        Assert.Equal(0, await f.DbAsync(db => db.Certificates.CountAsync()));
        Assert.True(await f.DbAsync(db => db.AuditEvents.AnyAsync(e => e.Action == AcquisitionActions.ReceiveRefused && e.Outcome == "failure")));

        var received = await With(f, s => s.ReceiveAsync(requestId, Encoding.ASCII.GetBytes(ca.PemWithChain(good)), null, null, "alice", CancellationToken.None));
        Assert.True(received.IsSuccess, received.Error?.Message);
        Assert.Equal(CertificateSource.Received, received.Value.Source);
        Assert.Contains("BEGIN CERTIFICATE", received.Value.ChainPem, StringComparison.Ordinal);
        var twice = await With(f, s => s.ReceiveAsync(requestId, good.RawData, null, null, "alice", CancellationToken.None));
        Assert.Equal("wrong-step", twice.Error?.Code);

        var done = await With(f, s => s.CompleteAsync(requestId, "alice", CancellationToken.None));
        Assert.True(done.IsSuccess);
        Assert.Equal(received.Value.Id, await f.DbAsync(db => db.Definitions.Where(d => d.Id == id).Select(d => d.CurrentCertificateId).SingleAsync()));
    }

    [Fact]
    public async Task Receive_MissingName_RefusedNamingIt()
    {
        await using var f = await CoreFixture.CreateAsync(database: Database);
        var now = f.Time.GetUtcNow();
        using var ca = new TestCommercialCa(now);
        var id = await AcquisitionTestData.AddDefinitionAsync(f);
        var requestId = await StartWithKeyAsync(f, id);
        var product = await AcquisitionTestData.ProductAsync(f, "DigiCert", "Secure Site OV");
        await With(f, s => s.ChooseProductAsync(requestId, product.Id, "alice", CancellationToken.None));
        // The definition gained a name after the CSR was made: the certificate no longer covers it.
        await f.DbAsync(async db =>
        {
            var d = await db.Definitions.SingleAsync(x => x.Id == id);
            d.SubjectAlternativeNames = [.. d.SubjectAlternativeNames, "api.shop.example.test"];
            return await db.SaveChangesAsync();
        });
        var csr = Encoding.ASCII.GetBytes((await With(f, s => s.CsrPemAsync(requestId, CancellationToken.None))).Value);
        using var cert = ca.Sign(csr, now.AddDays(-1), now.AddDays(100));

        var result = await With(f, s => s.ReceiveAsync(requestId, cert.RawData, null, null, "alice", CancellationToken.None));

        Assert.Equal("cert-names-missing", result.Error?.Code);
        Assert.Contains("api.shop.example.test", result.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancel_OpenProcess_CancelledAndNewOneMayStart()
    {
        await using var f = await CoreFixture.CreateAsync(database: Database);
        var id = await AcquisitionTestData.AddDefinitionAsync(f);
        var requestId = await StartWithKeyAsync(f, id);

        var cancelled = await With(f, s => s.CancelAsync(requestId, "alice", CancellationToken.None));
        var again = await With(f, s => s.CancelAsync(requestId, "alice", CancellationToken.None));
        var next = await With(f, s => s.StartAsync(id, RequestKind.New, "alice", CancellationToken.None));

        Assert.Equal(RequestStatus.Cancelled, cancelled.Value.Status);
        Assert.Equal("wrong-step", again.Error?.Code);
        Assert.True(next.IsSuccess);
        var missing = await With(f, s => s.CancelAsync(Guid.NewGuid(), "alice", CancellationToken.None));
        Assert.Equal("request-not-found", missing.Error?.Code);
    }
}
