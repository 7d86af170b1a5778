using CertMgr.Core.Acme.Client;
using CertMgr.Core.Acquisition;
using CertMgr.Core.Catalog;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Web.Tests.AcmeServer;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CertMgr.Web.Tests.AcmeClientAri;

/// <summary>
/// Profiles as products (draft-ietf-acme-profiles): CertMgr's ACME client against CertMgr's own ACME server, which
/// lists "tlsserver" (the server's default validity) and "shortlived" (7 days). Registering the account turns each
/// profile into a product of the connection; acquiring with a profile's product names the profile in the order, and
/// the certificate has the profile's validity.
/// </summary>
public sealed class AcmeClientProfilesTests : IAsyncLifetime
{
    private const string Actor = "admin";
    private AcmeServerHost _server = null!;

    public async Task InitializeAsync() => _server = await AcmeServerHost.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Register_DirectoryListsProfiles_EachIsAProductAndOrdersWithItGetItsValidity()
    {
        var ct = CancellationToken.None;
        var connectionId = await WithAsync(async sp =>
        {
            var input = new CaConnectionInput("Own ACME", CaConnectionKind.Acme, _server.DirectoryUrl, "pki@acme.test", TermsOfServiceAgreed: true,
                CaBundlePem: await File.ReadAllTextAsync(_server.CaBundle, ct), Challenge: AcmeChallengeType.Http01, Http01Address: $"127.0.0.1:{_server.Http01Port}");
            var created = await sp.GetRequiredService<CaConnectionService>().CreateAsync(input, Actor, ct);
            Assert.True(created.IsSuccess, created.Error?.ToString());
            return created.Value.Id;
        });

        // Before the account exists, the profiles are unknown: one default product.
        Assert.Equal([("Own ACME DV", (string?)null)], await ProductsAsync(connectionId, ct));

        // Registering reads the directory: one product per profile, beside the default one.
        var registered = await WithAsync(sp => sp.GetRequiredService<CaConnectionService>().RegisterAccountAsync(connectionId, lookupOnly: false, Actor, ct));
        Assert.True(registered.IsSuccess, registered.Error?.ToString());
        Assert.Equal(["shortlived", "tlsserver"], registered.Value.Acme.Profiles);
        var expected = new[] { ("Own ACME DV", (string?)null), ("Own ACME shortlived", "shortlived"), ("Own ACME tlsserver", "tlsserver") };
        Assert.Equal(expected, await ProductsAsync(connectionId, ct));

        // Looking the account up again adds no duplicates.
        var again = await WithAsync(sp => sp.GetRequiredService<CaConnectionService>().RegisterAccountAsync(connectionId, lookupOnly: true, Actor, ct));
        Assert.True(again.IsSuccess, again.Error?.ToString());
        Assert.Equal(expected, await ProductsAsync(connectionId, ct));

        // The profile products are offered to a definition like any other product.
        var definitionId = await DefinitionAsync(ct);
        var offered = await WithAsync(sp => sp.GetRequiredService<CertMgrDbContext>().Products.AsNoTracking()
            .Where(p => p.CaConnectionId == connectionId && p.Enabled).Select(p => p.Name).OrderBy(n => n).ToListAsync(ct));
        Assert.Equal(expected.Select(e => e.Item1), offered);

        // Acquire with the short-lived product: the order names the profile, the certificate lives 7 days.
        var shortLived = await ProductIdAsync(connectionId, "shortlived", ct);
        var first = await AcquireAsync(definitionId, shortLived, RequestKind.New, ct);
        Assert.Equal(7, await ValidityDaysAsync(first, ct));

        // Renew with the default product: no profile, the server's default validity (90 days).
        var plain = await ProductIdAsync(connectionId, null, ct);
        var renewal = await AcquireAsync(definitionId, plain, RequestKind.Renewal, ct);
        Assert.Equal(90, await ValidityDaysAsync(renewal, ct));

        var orders = await WithAsync(sp => sp.GetRequiredService<CertMgrDbContext>().AcmeServerOrders.AsNoTracking()
            .OrderBy(o => o.CreatedAt).Select(o => new Tuple<string?, AcmeServerStatus>(o.Profile, o.Status)).ToListAsync(ct));
        Assert.Equal([new Tuple<string?, AcmeServerStatus>("shortlived", AcmeServerStatus.Valid), new Tuple<string?, AcmeServerStatus>(null, AcmeServerStatus.Valid)], orders);
    }

    private async Task<List<(string Name, string? Template)>> ProductsAsync(Guid connectionId, CancellationToken ct) =>
        [.. (await WithAsync(sp => sp.GetRequiredService<CaConnectionService>().ProductsAsync(connectionId, ct))).Select(p => (p.Name, p.Template))];

    private Task<Guid> ProductIdAsync(Guid connectionId, string? template, CancellationToken ct) =>
        WithAsync(sp => sp.GetRequiredService<CertMgrDbContext>().Products.Where(p => p.CaConnectionId == connectionId && p.Template == template).Select(p => p.Id).SingleAsync(ct));

    private Task<int> ValidityDaysAsync(Guid requestId, CancellationToken ct) =>
        WithAsync(async sp =>
        {
            var c = await sp.GetRequiredService<CertMgrDbContext>().Certificates.AsNoTracking().Where(c => c.RequestId == requestId)
                .Select(c => new { c.NotBefore, c.NotAfter }).SingleAsync(ct);
            return (int)Math.Round((c.NotAfter - c.NotBefore).TotalDays);
        });

    private Task<Guid> DefinitionAsync(CancellationToken ct) =>
        WithAsync(async sp =>
        {
            var db = sp.GetRequiredService<CertMgrDbContext>();
            var now = TimeProvider.System.GetUtcNow();
            var d = new CertificateDefinition
            {
                Name = "profiles client", CommonName = "profiles.acme.test", SubjectAlternativeNames = ["profiles.acme.test"],
                OperationMode = OperationMode.LifecycleManaged, ExecutionMode = ExecutionMode.Interactive, RenewalLeadDays = 30,
                CreatedAt = now, UpdatedAt = now,
            };
            db.Definitions.Add(d);
            await db.SaveChangesAsync(ct);
            return d.Id;
        });

    private Task<Guid> AcquireAsync(Guid definitionId, Guid productId, RequestKind kind, CancellationToken ct) =>
        WithAsync(async sp =>
        {
            var service = sp.GetRequiredService<AcquisitionService>();
            var started = await service.StartAsync(definitionId, kind, Actor, ct);
            Assert.True(started.IsSuccess, started.Error?.ToString());
            var keyed = await service.SetKeyAsync(started.Value.Id, KeyChoice.New, null, Actor, ct);
            Assert.True(keyed.IsSuccess, keyed.Error?.ToString());
            var chosen = await service.ChooseProductAsync(started.Value.Id, productId, Actor, ct);
            Assert.True(chosen.IsSuccess, chosen.Error?.ToString() + "\n" + _server.Log);
            Assert.Equal(RequestStatus.Received, chosen.Value.Status);
            var completed = await service.CompleteAsync(started.Value.Id, Actor, ct);
            Assert.True(completed.IsSuccess, completed.Error?.ToString());
            return started.Value.Id;
        });

    private async Task<T> WithAsync<T>(Func<IServiceProvider, Task<T>> action)
    {
        await using var scope = _server.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider);
    }
}
