using CertMgr.Core.Acquisition;
using CertMgr.Core.Acquisition.Backends;
using CertMgr.Core.Common;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Data.Secrets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace CertMgr.Core.Tests.Acquisition;

/// <summary>
/// The CA-backend seam with an asynchronous CA (order → poll → download, the shape of ACME) standing in at the I/O
/// seam: the acquisition flow takes it without change.
/// </summary>
public sealed class CaBackendTests
{
    private const string OrderUrl = "https://ca.example.test/order/1";

    /// <summary>Answers "pending" to the submission and to the first <c>pendingPolls</c> polls, then issues (or fails).</summary>
    private sealed class AsyncCa(TestCommercialCa ca, TimeProvider time, int pendingPolls, Error? failWith = null) : ICaBackend
    {
        private byte[]? _csr;

        public int Polls { get; private set; }

        public CaBackendKind Kind => CaBackendKind.Acme;

        public bool CanAutomate => true;

        public Task<CaOutcome> SubmitAsync(CaSubmitRequest request, CancellationToken ct)
        {
            _csr = request.Csr;
            return Task.FromResult<CaOutcome>(new CaOutcome.Pending(OrderUrl, TimeSpan.FromSeconds(5), "order processing"));
        }

        public Task<CaOutcome> PollAsync(CaPollRequest request, CancellationToken ct)
        {
            Assert.Equal(OrderUrl, request.OrderRef);
            Polls++;
            if (Polls <= pendingPolls)
            {
                return Task.FromResult<CaOutcome>(new CaOutcome.Pending(OrderUrl, TimeSpan.FromSeconds(5), "still processing"));
            }

            if (failWith is not null)
            {
                return Task.FromResult<CaOutcome>(new CaOutcome.Failed(failWith));
            }

            var now = time.GetUtcNow();
            using var leaf = ca.Sign(_csr!, now.AddMinutes(-1), now.AddDays(90));
            return Task.FromResult<CaOutcome>(new CaOutcome.Issued(leaf.RawData, [ca.Intermediate.RawData], CertificateSource.Acme, OrderUrl + "/cert"));
        }

        public Task<Result> RevokeAsync(CaRevokeRequest request, CancellationToken ct) => Task.FromResult(Result.Success());
    }

    private static async Task<T> WithAsync<T>(CoreFixture f, ICaBackend backend, Func<AcquisitionService, Task<T>> action)
    {
        await using var scope = f.Scope();
        var s = scope.ServiceProvider;
        var service = new AcquisitionService(s.GetRequiredService<CertMgrDbContext>(), s.GetRequiredService<SecretProtector>(),
            new CaBackends([backend, new ManualCaBackend()]), f.Time, NullLogger<AcquisitionService>.Instance);
        return await action(service);
    }

    private static async Task<(Guid RequestId, Guid ProductId)> KeyedRequestWithAcmeProductAsync(CoreFixture f)
    {
        var definitionId = await AcquisitionTestData.AddDefinitionAsync(f);
        var productId = await f.DbAsync(async db =>
        {
            var connection = new CaConnection { Name = "Test ACME", Kind = CaConnectionKind.Acme, Endpoint = "https://ca.example.test/directory", CreatedAt = f.Time.GetUtcNow() };
            var product = new Product { Provider = "Test ACME", Name = "DV 90 days", ValidationLevel = ValidationLevel.DV, MaxSans = 100, MaxValidityDays = 90, CaConnection = connection, CreatedAt = f.Time.GetUtcNow() };
            db.Products.Add(product);
            await db.SaveChangesAsync();
            return product.Id;
        });
        var requestId = await f.WithAsync(async sp =>
        {
            var service = sp.GetRequiredService<AcquisitionService>();
            var started = await service.StartAsync(definitionId, RequestKind.New, "alice", CancellationToken.None);
            var keyed = await service.SetKeyAsync(started.Value.Id, KeyChoice.New, null, "alice", CancellationToken.None);
            Assert.True(keyed.IsSuccess, keyed.Error?.Message);
            return started.Value.Id;
        });
        return (requestId, productId);
    }

    [Fact]
    public async Task ChooseProduct_AsyncCa_OrderedThenPollUntilIssued_ReceivedAndCompletes()
    {
        await using var f = await CoreFixture.CreateAsync();
        using var ca = new TestCommercialCa(f.Time.GetUtcNow());
        var backend = new AsyncCa(ca, f.Time, pendingPolls: 1);
        var (requestId, productId) = await KeyedRequestWithAcmeProductAsync(f);

        var chosen = await WithAsync(f, backend, s => s.ChooseProductAsync(requestId, productId, "alice", CancellationToken.None));
        Assert.True(chosen.IsSuccess, chosen.Error?.Message);
        Assert.Equal(RequestStatus.Ordered, chosen.Value.Status);
        var submission = await f.DbAsync(db => db.CaSubmissions.AsNoTracking().SingleAsync(s => s.RequestId == requestId));
        Assert.Equal(SubmissionStatus.Pending, submission.Status);
        Assert.Equal(OrderUrl, submission.ExternalId);

        var stillPending = await WithAsync(f, backend, s => s.PollAsync(requestId, "engine", CancellationToken.None));
        Assert.Equal(RequestStatus.Ordered, stillPending.Value.Status);
        var issued = await WithAsync(f, backend, s => s.PollAsync(requestId, "engine", CancellationToken.None));
        Assert.True(issued.IsSuccess, issued.Error?.Message);
        Assert.Equal(RequestStatus.Received, issued.Value.Status);
        Assert.Equal(2, backend.Polls);

        var stored = await f.DbAsync(db => db.Certificates.AsNoTracking().SingleAsync(c => c.RequestId == requestId));
        Assert.Equal(CertificateSource.Acme, stored.Source);
        var done = await f.DbAsync(db => db.CaSubmissions.AsNoTracking().SingleAsync(s => s.RequestId == requestId));
        Assert.Equal(SubmissionStatus.Issued, done.Status);
        Assert.NotNull(done.CompletedAt);
        var completed = await WithAsync(f, backend, s => s.CompleteAsync(requestId, "alice", CancellationToken.None));
        Assert.Equal(RequestStatus.Completed, completed.Value.Status);
        var again = await WithAsync(f, backend, s => s.PollAsync(requestId, "engine", CancellationToken.None));
        Assert.Equal(ErrorKind.Conflict, again.Error?.Kind);
    }

    [Fact]
    public async Task Poll_CaFailsOrder_InterruptedWithReasonThenResubmitted()
    {
        await using var f = await CoreFixture.CreateAsync();
        using var ca = new TestCommercialCa(f.Time.GetUtcNow());
        var failing = new AsyncCa(ca, f.Time, pendingPolls: 0, new Error("ca-refused", "The CA could not validate www.shop.example.test."));
        var (requestId, productId) = await KeyedRequestWithAcmeProductAsync(f);
        await WithAsync(f, failing, s => s.ChooseProductAsync(requestId, productId, "alice", CancellationToken.None));

        var polled = await WithAsync(f, failing, s => s.PollAsync(requestId, "engine", CancellationToken.None));

        Assert.Equal(RequestStatus.Interrupted, polled.Value.Status);
        Assert.Equal("The CA could not validate www.shop.example.test.", polled.Value.InterruptReason);
        var failed = await f.DbAsync(db => db.CaSubmissions.AsNoTracking().SingleAsync(s => s.RequestId == requestId));
        Assert.Equal(SubmissionStatus.Failed, failed.Status);
        Assert.Equal(0, await f.DbAsync(db => db.Certificates.CountAsync(c => c.RequestId == requestId)));

        var working = new AsyncCa(ca, f.Time, pendingPolls: 0);
        var resubmitted = await WithAsync(f, working, s => s.ChooseProductAsync(requestId, productId, "alice", CancellationToken.None));
        Assert.Equal(RequestStatus.Ordered, resubmitted.Value.Status);
        Assert.Null(resubmitted.Value.InterruptReason);
        var issued = await WithAsync(f, working, s => s.PollAsync(requestId, "engine", CancellationToken.None));
        Assert.Equal(RequestStatus.Received, issued.Value.Status);
        Assert.Equal(2, await f.DbAsync(db => db.CaSubmissions.CountAsync(s => s.RequestId == requestId)));
    }

    [Fact]
    public async Task ChooseProduct_NoBackendForTheCaKind_UnavailableAndNothingChanged()
    {
        await using var f = await CoreFixture.CreateAsync();
        var (requestId, productId) = await KeyedRequestWithAcmeProductAsync(f);
        // ACME has a backend now; AD CS does not yet.
        await f.DbAsync(db => db.CaConnections.ExecuteUpdateAsync(u => u.SetProperty(c => c.Kind, CaConnectionKind.MicrosoftAdcs)));

        var chosen = await f.WithAsync(sp => sp.GetRequiredService<AcquisitionService>().ChooseProductAsync(requestId, productId, "alice", CancellationToken.None));

        Assert.Equal("ca-backend-missing", chosen.Error?.Code);
        Assert.Equal(ErrorKind.Unavailable, chosen.Error?.Kind);
        var request = await f.DbAsync(db => db.Requests.AsNoTracking().SingleAsync(r => r.Id == requestId));
        Assert.Equal(RequestStatus.KeyAndCsrReady, request.Status);
        Assert.Null(request.ProductId);
        Assert.Equal(0, await f.DbAsync(db => db.CaSubmissions.CountAsync()));
    }

    [Fact]
    public async Task ChooseProduct_BuiltInCa_IssuedAtOnceAndSubmissionRecorded()
    {
        await using var f = await CoreFixture.CreateAsync();
        var definitionId = await AcquisitionTestData.AddDefinitionAsync(f);
        var product = await AcquisitionTestData.ProductAsync(f, "CertMgr", "Built-in Private CA");
        var chosen = await f.WithAsync(async sp =>
        {
            var service = sp.GetRequiredService<AcquisitionService>();
            var started = await service.StartAsync(definitionId, RequestKind.New, "alice", CancellationToken.None);
            await service.SetKeyAsync(started.Value.Id, KeyChoice.New, null, "alice", CancellationToken.None);
            return await service.ChooseProductAsync(started.Value.Id, product.Id, "alice", CancellationToken.None);
        });

        Assert.True(chosen.IsSuccess, chosen.Error?.Message);
        Assert.Equal(RequestStatus.Received, chosen.Value.Status);
        var submission = await f.DbAsync(db => db.CaSubmissions.AsNoTracking().SingleAsync(s => s.RequestId == chosen.Value.Id));
        Assert.Equal(SubmissionStatus.Issued, submission.Status);
        Assert.Equal(chosen.Value.Certificate!.SerialNumber, submission.ExternalId);
    }
}
