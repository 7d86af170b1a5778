using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.Acme.Client;
using CertMgr.Core.Acquisition;
using CertMgr.Core.Catalog;
using CertMgr.Core.Unattended;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Web.Tests.AcmeServer;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CertMgr.Web.Tests.AcmeClientAri;

/// <summary>
/// CertMgr's ACME client against CertMgr's own ACME server, which offers ARI (RFC 9773): the client reads the suggested
/// window of the certificate it obtained, the unattended renewal decision follows the window instead of the lead time,
/// and the renewal order names the certificate it replaces.
/// </summary>
public sealed class AcmeClientAriTests : IAsyncLifetime
{
    private const string Actor = "admin";
    private AcmeServerHost _server = null!;

    public async Task InitializeAsync() => _server = await AcmeServerHost.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Renewal_OwnServerWithAri_WindowStoredDecisionFollowsItRenewalNamesReplaced()
    {
        var ct = CancellationToken.None;
        using var http = _server.Client();
        var directory = await http.GetStringAsync("/acme/directory", ct);
        Assert.Contains("\"renewalInfo\":\"" + _server.BaseAddress + "acme/renewal-info\"", directory, StringComparison.Ordinal);

        var connectionId = await WithAsync(sp => ConnectionAsync(sp, ct));
        var productId = await WithAsync(sp => sp.GetRequiredService<CertMgrDbContext>().Products.Where(p => p.CaConnectionId == connectionId).Select(p => p.Id).SingleAsync(ct));
        var definitionId = await WithAsync(async sp =>
        {
            var db = sp.GetRequiredService<CertMgrDbContext>();
            var now = TimeProvider.System.GetUtcNow();
            var d = new CertificateDefinition
            {
                Name = "ari client", CommonName = "ari.acme.test", SubjectAlternativeNames = ["ari.acme.test"],
                OperationMode = OperationMode.LifecycleManaged, ExecutionMode = ExecutionMode.Unattended, RenewalLeadDays = 1,
                CreatedAt = now, UpdatedAt = now,
            };
            db.Definitions.Add(d);
            await db.SaveChangesAsync(ct);
            return d.Id;
        });

        // First certificate: the client stores the server's window.
        var first = await AcquireAsync(definitionId, productId, RequestKind.New, ct);
        var (firstDer, sha256, notBefore, notAfter) = await WithAsync(sp => sp.GetRequiredService<CertMgrDbContext>().Certificates.AsNoTracking()
            .Where(c => c.RequestId == first).Select(c => new Tuple<byte[], string, DateTimeOffset, DateTimeOffset>(c.Der, c.Sha256, c.NotBefore, c.NotAfter)).SingleAsync(ct));
        var window = await WithAsync(sp => sp.GetRequiredService<AcmeRenewalWindows>().WindowAsync(sha256, ct));
        Assert.NotNull(window);
        var (start, end) = CertMgr.Core.Acme.Server.AcmeRenewalInfo.Window(notBefore, notAfter);
        Assert.True(Math.Abs((start - window.Start).TotalSeconds) < 1, $"window start {window.Start}, expected {start}");
        Assert.True(Math.Abs((end - window.End).TotalSeconds) < 1, $"window end {window.End}, expected {end}");

        // The decision follows the window: due once it has begun, although the 1-day lead time is far off.
        var engine = _server.Services.GetRequiredService<UnattendedEngine>();
        var completed = await WithAsync(sp => sp.GetRequiredService<AcquisitionService>().CompleteAsync(first, Actor, ct));
        Assert.True(completed.IsSuccess, completed.Error?.ToString());
        Assert.True(window.Start.AddMinutes(1) < notAfter.AddDays(-1));
        Assert.DoesNotContain(definitionId, await engine.DueAsync(window.Start.AddMinutes(-1), ct));
        Assert.Contains(definitionId, await engine.DueAsync(window.Start.AddMinutes(1), ct));

        // The renewal order names the certificate it replaces (RFC 9773 5).
        using var firstCertificate = X509CertificateLoader.LoadCertificate(firstDer);
        var replaces = AcmeClient.RenewalId(firstCertificate);
        Assert.NotNull(replaces);
        var renewal = await AcquireAsync(definitionId, productId, RequestKind.Renewal, ct);
        Assert.Contains($"placed for request {renewal}; replaces (ARI) {replaces}", _server.Log, StringComparison.Ordinal);
        Assert.Contains($"placed for request {first}; replaces (ARI) none", _server.Log, StringComparison.Ordinal);
        // The server checked and recorded it on the renewal order (finalized), and only there.
        var recorded = await WithAsync(sp => sp.GetRequiredService<CertMgrDbContext>().AcmeServerOrders.AsNoTracking()
            .OrderBy(o => o.CreatedAt).Select(o => new Tuple<string?, AcmeServerStatus>(o.Replaces, o.Status)).ToListAsync(ct));
        Assert.Equal([new Tuple<string?, AcmeServerStatus>(null, AcmeServerStatus.Valid), new Tuple<string?, AcmeServerStatus>(replaces, AcmeServerStatus.Valid)], recorded);

        // The server answers the client's certID, and refuses ids it never issued.
        using var answer = await http.GetAsync($"/acme/renewal-info/{replaces}", ct);
        Assert.Equal(System.Net.HttpStatusCode.OK, answer.StatusCode);
        using var unknown = await http.GetAsync($"/acme/renewal-info/{replaces!.Split('.')[0]}.AQID", ct);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("application/problem+json", unknown.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        using var malformed = await http.GetAsync("/acme/renewal-info/not-a-cert-id", ct);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, malformed.StatusCode);
    }

    private async Task<Guid> ConnectionAsync(IServiceProvider sp, CancellationToken ct)
    {
        var input = new CaConnectionInput("Own ACME", CaConnectionKind.Acme, _server.DirectoryUrl, "pki@acme.test", TermsOfServiceAgreed: true,
            CaBundlePem: await File.ReadAllTextAsync(_server.CaBundle, ct), Challenge: AcmeChallengeType.Http01, Http01Address: $"127.0.0.1:{_server.Http01Port}");
        var created = await sp.GetRequiredService<CaConnectionService>().CreateAsync(input, Actor, ct);
        Assert.True(created.IsSuccess, created.Error?.ToString());
        return created.Value.Id;
    }

    private async Task<Guid> AcquireAsync(Guid definitionId, Guid productId, RequestKind kind, CancellationToken ct) =>
        await WithAsync(async sp =>
        {
            var service = sp.GetRequiredService<AcquisitionService>();
            var started = await service.StartAsync(definitionId, kind, Actor, ct);
            Assert.True(started.IsSuccess, started.Error?.ToString());
            var keyed = await service.SetKeyAsync(started.Value.Id, KeyChoice.New, null, Actor, ct);
            Assert.True(keyed.IsSuccess, keyed.Error?.ToString());
            var chosen = await service.ChooseProductAsync(started.Value.Id, productId, Actor, ct);
            Assert.True(chosen.IsSuccess, chosen.Error?.ToString() + "\n" + _server.Log);
            Assert.Equal(RequestStatus.Received, chosen.Value.Status);
            return started.Value.Id;
        });

    private async Task<T> WithAsync<T>(Func<IServiceProvider, Task<T>> action)
    {
        await using var scope = _server.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider);
    }
}
