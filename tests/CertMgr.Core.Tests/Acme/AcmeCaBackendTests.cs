using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.Acme.Client;
using CertMgr.Core.Acquisition.Backends;
using CertMgr.Core.Catalog;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CertMgr.Core.Tests.Acme;

/// <summary>ACME acquisitions end to end against a real pebble, with BIND 9 as the DNS it validates through.</summary>
public sealed class AcmeCaBackendTests(PebbleFixture pebble) : IClassFixture<PebbleFixture>
{
    private readonly AcmeTestbed _bed = pebble.Bed;

    [Fact]
    public async Task ChooseProduct_Http01AtPebble_IssuesChainToPebbleRoot()
    {
        await using var f = await AcmeSteps.CoreAsync();
        var connection = await AcmeSteps.ConnectionAsync(f, AcmeSteps.Http01(_bed));
        var product = await AcmeSteps.ProductAsync(f, connection.Id);

        var (requestId, outcome) = await AcmeSteps.AcquireAsync(f, product.Id, "shop.example.test", ["shop.example.test", "www.shop.example.test"]);

        Assert.True(outcome.IsSuccess, outcome.Error?.ToString() + "\n" + _bed.Log("pebble.log"));
        Assert.Equal(RequestStatus.Received, outcome.Value.Status);
        var certificate = await f.DbAsync(db => db.Certificates.AsNoTracking().SingleAsync(c => c.RequestId == requestId));
        Assert.Equal(CertificateSource.Acme, certificate.Source);
        Assert.Contains("www.shop.example.test", certificate.SubjectAlternativeNames);
        await AcmeSteps.VerifyWithOpensslAsync(_bed, certificate);
        var submission = await f.DbAsync(db => db.CaSubmissions.AsNoTracking().SingleAsync(s => s.RequestId == requestId));
        Assert.Equal(SubmissionStatus.Issued, submission.Status);
        Assert.StartsWith($"https://127.0.0.1:{_bed.AcmePort}/", submission.ExternalId, StringComparison.Ordinal);
        Assert.Contains("authz", _bed.Log("pebble.log"), StringComparison.OrdinalIgnoreCase);
        Assert.True(await f.WithAsync(sp => Task.FromResult(sp.GetRequiredService<Http01Responder>().Served)) >= 1);
        var stored = await f.DbAsync(db => db.CaConnections.AsNoTracking().SingleAsync(c => c.Id == connection.Id));
        Assert.Contains("\"accountUrl\":\"https://127.0.0.1:", stored.SettingsJson, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", stored.SettingsJson, StringComparison.Ordinal);
        Assert.DoesNotContain("accountKey", stored.SettingsJson, StringComparison.OrdinalIgnoreCase);
        Assert.NotNull(stored.EncryptedSecret);
    }

    [Fact]
    public async Task ChooseProduct_Dns01ThroughBind_RecordVisibleThenRemoved()
    {
        await using var f = await AcmeSteps.CoreAsync();
        var connection = await AcmeSteps.ConnectionAsync(f, AcmeSteps.Dns01(_bed));
        var product = await AcmeSteps.ProductAsync(f, connection.Id);
        Assert.True(product.Wildcard);

        var (requestId, outcome) = await AcmeSteps.AcquireAsync(f, product.Id, "mail.example.test", ["mail.example.test", "*.mail.example.test"]);

        Assert.True(outcome.IsSuccess, outcome.Error?.ToString() + "\n" + _bed.Log("pebble.log"));
        Assert.Equal(RequestStatus.Received, outcome.Value.Status);
        var certificate = await f.DbAsync(db => db.Certificates.AsNoTracking().SingleAsync(c => c.RequestId == requestId));
        Assert.Contains("*.mail.example.test", certificate.SubjectAlternativeNames);
        await AcmeSteps.VerifyWithOpensslAsync(_bed, certificate);
        // BIND took the records as TSIG-signed updates (added, then deleted), and they are gone afterwards.
        var named = _bed.Log("named.log");
        Assert.Contains($"signer \"{AcmeTestbed.TsigKeyName}\" approved", named, StringComparison.Ordinal);
        Assert.Contains("adding an RR at '_acme-challenge.mail.example.test' TXT", named, StringComparison.Ordinal);
        Assert.Contains("deleting an RR at _acme-challenge.mail.example.test TXT", named, StringComparison.Ordinal);
        var dns = new Rfc2136Client(System.Net.IPEndPoint.Parse(_bed.DnsServer), null, TimeProvider.System);
        var left = await dns.QueryTxtAsync("_acme-challenge.mail.example.test", CancellationToken.None);
        Assert.True(left.IsSuccess, left.Error?.ToString());
        Assert.Empty(left.Value);
    }

    [Fact]
    public async Task Rfc2136_AddQueryDelete_WithTsigAndWrongSecretRefused()
    {
        var server = System.Net.IPEndPoint.Parse(_bed.DnsServer);
        var key = new TsigKey(AcmeTestbed.TsigKeyName, "hmac-sha256", Convert.FromBase64String(_bed.TsigSecret));
        var dns = new Rfc2136Client(server, key, TimeProvider.System);
        const string name = "_acme-challenge.direct.example.test";

        Assert.True((await dns.AddTxtAsync(AcmeTestbed.Zone, name, "token-value", 60, CancellationToken.None)).IsSuccess);
        Assert.Equal(["token-value"], (await dns.QueryTxtAsync(name, CancellationToken.None)).Value);
        Assert.True((await dns.DeleteTxtAsync(AcmeTestbed.Zone, name, "token-value", CancellationToken.None)).IsSuccess);
        Assert.Empty((await dns.QueryTxtAsync(name, CancellationToken.None)).Value);

        var wrong = new Rfc2136Client(server, key with { Secret = new byte[32] }, TimeProvider.System);
        var refused = await wrong.AddTxtAsync(AcmeTestbed.Zone, name, "forged", 60, CancellationToken.None);
        Assert.Equal("dns-update-notauth", refused.Error?.Code);
        Assert.Empty((await dns.QueryTxtAsync(name, CancellationToken.None)).Value);
        var unsigned = await new Rfc2136Client(server, null, TimeProvider.System).AddTxtAsync(AcmeTestbed.Zone, name, "forged", 60, CancellationToken.None);
        Assert.Equal("dns-update-refused", unsigned.Error?.Code);
    }

    [Fact]
    public async Task Revoke_IssuedCertificate_RevokedAtPebbleAndSecondTimeRefused()
    {
        await using var f = await AcmeSteps.CoreAsync();
        var connection = await AcmeSteps.ConnectionAsync(f, AcmeSteps.Http01(_bed));
        var product = await AcmeSteps.ProductAsync(f, connection.Id);
        var (requestId, outcome) = await AcmeSteps.AcquireAsync(f, product.Id, "revoke.example.test");
        Assert.True(outcome.IsSuccess, outcome.Error?.ToString());

        var certificate = await f.DbAsync(db => db.Certificates.AsNoTracking().SingleAsync(c => c.RequestId == requestId));
        var productWithConnection = await f.DbAsync(db => db.Products.AsNoTracking().Include(p => p.CaConnection).SingleAsync(p => p.Id == product.Id));
        var revoke = new CaRevokeRequest(certificate, productWithConnection, X509RevocationReason.KeyCompromise, AcmeSteps.Actor);
        var first = await f.WithAsync(sp => sp.GetServices<ICaBackend>().Single(b => b.Kind == CaBackendKind.Acme).RevokeAsync(revoke, CancellationToken.None));
        var second = await f.WithAsync(sp => sp.GetServices<ICaBackend>().Single(b => b.Kind == CaBackendKind.Acme).RevokeAsync(revoke, CancellationToken.None));

        Assert.True(first.IsSuccess, first.Error?.ToString());
        Assert.False(second.IsSuccess);
        Assert.Equal("acme-already-revoked", second.Error!.Code);
        Assert.Contains("already", second.Error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task ChooseProduct_NameTheCaCannotValidate_ClearErrorAndNothingChanged()
    {
        await using var f = await AcmeSteps.CoreAsync();
        var connection = await AcmeSteps.ConnectionAsync(f, AcmeSteps.Http01(_bed));
        var product = await AcmeSteps.ProductAsync(f, connection.Id);

        // BIND is not authoritative for other.test and does not recurse: pebble's validation cannot resolve the name.
        var (requestId, outcome) = await AcmeSteps.AcquireAsync(f, product.Id, "www.other.test");

        Assert.False(outcome.IsSuccess);
        Assert.StartsWith("acme-", outcome.Error!.Code, StringComparison.Ordinal);
        Assert.Contains("www.other.test", outcome.Error.Message, StringComparison.Ordinal);
        Assert.Contains("The CA refused", outcome.Error.Message, StringComparison.Ordinal);
        var request = await f.DbAsync(db => db.Requests.AsNoTracking().SingleAsync(r => r.Id == requestId));
        Assert.Equal(RequestStatus.KeyAndCsrReady, request.Status);
        Assert.False(await f.DbAsync(db => db.Certificates.AnyAsync(c => c.RequestId == requestId)));
        // The Request to CA: failed at the challenge, with the order it belongs to and the CA's problem.
        var submission = await f.DbAsync(db => db.CaSubmissions.AsNoTracking().SingleAsync(s => s.RequestId == requestId));
        Assert.Equal(SubmissionStatus.Failed, submission.Status);
        Assert.StartsWith($"https://127.0.0.1:{_bed.AcmePort}/", submission.ExternalId, StringComparison.Ordinal);
        Assert.Equal(outcome.Error.Message, submission.Detail);
        Assert.Contains("http-01 validation of www.other.test", submission.Detail, StringComparison.Ordinal);
        Assert.NotNull(submission.CompletedAt);
    }

    [Fact]
    public async Task ChooseProduct_NameRefusedByCaPolicy_SubmissionFailedBeforeAnyOrder()
    {
        await using var f = await AcmeSteps.CoreAsync();
        var connection = await AcmeSteps.ConnectionAsync(f, AcmeSteps.Http01(_bed, "Pebble policy"));
        var product = await AcmeSteps.ProductAsync(f, connection.Id);

        var (requestId, outcome) = await AcmeSteps.AcquireAsync(f, product.Id, AcmeTestbed.BlockedName);

        Assert.False(outcome.IsSuccess);
        Assert.Equal("acme-rejected-identifier", outcome.Error!.Code);
        Assert.Contains("forbidden by policy", outcome.Error.Message, StringComparison.Ordinal);
        var submission = await f.DbAsync(db => db.CaSubmissions.AsNoTracking().SingleAsync(s => s.RequestId == requestId));
        Assert.Equal(SubmissionStatus.Failed, submission.Status);
        Assert.Null(submission.ExternalId);
        Assert.Contains("forbidden by policy", submission.Detail, StringComparison.Ordinal);
        Assert.Contains(AcmeTestbed.BlockedName, submission.Detail, StringComparison.Ordinal);
        Assert.Equal(connection.Id, submission.CaConnectionId);
        var request = await f.DbAsync(db => db.Requests.AsNoTracking().SingleAsync(r => r.Id == requestId));
        Assert.Equal(RequestStatus.KeyAndCsrReady, request.Status);
    }

    [Fact]
    public async Task AccountActions_LookupRolloverDeactivate_AgreeWithPebble()
    {
        await using var f = await AcmeSteps.CoreAsync();
        var connection = await AcmeSteps.ConnectionAsync(f, AcmeSteps.Http01(_bed, "Pebble accounts"));
        Assert.Equal(["Pebble accounts DV"], (await f.DbAsync(db => db.Products.Where(p => p.CaConnectionId == connection.Id).Select(p => p.Name).ToListAsync())));

        CaConnectionService Service(IServiceProvider sp) => sp.GetRequiredService<CaConnectionService>();
        var lookup = await f.WithAsync(sp => Service(sp).RegisterAccountAsync(connection.Id, lookupOnly: true, AcmeSteps.Actor, CancellationToken.None));
        Assert.Equal("acme-account-does-not-exist", lookup.Error?.Code);

        var registered = await f.WithAsync(sp => Service(sp).RegisterAccountAsync(connection.Id, lookupOnly: false, AcmeSteps.Actor, CancellationToken.None));
        Assert.True(registered.IsSuccess, registered.Error?.ToString());
        Assert.Equal("valid", registered.Value.Acme.AccountStatus);
        var accountUrl = registered.Value.Acme.AccountUrl;
        Assert.NotNull(accountUrl);

        var rolled = await f.WithAsync(sp => Service(sp).RollOverKeyAsync(connection.Id, AcmeSteps.Actor, CancellationToken.None));
        Assert.True(rolled.IsSuccess, rolled.Error?.ToString());
        // The new key finds the same account.
        var found = await f.WithAsync(sp => Service(sp).RegisterAccountAsync(connection.Id, lookupOnly: true, AcmeSteps.Actor, CancellationToken.None));
        Assert.True(found.IsSuccess, found.Error?.ToString());
        Assert.Equal(accountUrl, found.Value.Acme.AccountUrl);

        var deactivated = await f.WithAsync(sp => Service(sp).DeactivateAccountAsync(connection.Id, AcmeSteps.Actor, CancellationToken.None));
        Assert.True(deactivated.IsSuccess, deactivated.Error?.ToString());
        Assert.Equal("deactivated", deactivated.Value.Acme.AccountStatus);
        Assert.Null(deactivated.Value.Acme.AccountUrl);
    }

    [Fact]
    public async Task Client_Rs256Account_RegistersAndOrders()
    {
        using var http = AcmeHttp.Create(_bed.ListenerCaPem);
        using var key = AcmeAccountKey.CreateRs256();
        var client = new AcmeClient(http, new Uri(_bed.DirectoryUrl), key, TimeProvider.System);

        var account = await client.AccountAsync(new AcmeRegistration(null, true), CancellationToken.None);
        var order = await client.NewOrderAsync(["rsa.example.test"], null, null, CancellationToken.None);

        Assert.True(account.IsSuccess, account.Error?.ToString());
        Assert.True(order.IsSuccess, order.Error?.ToString());
        Assert.Single(order.Value.Authorizations);
    }
}

/// <summary>A pebble that requires External Account Binding.</summary>
public sealed class AcmeEabTests(EabPebbleFixture pebble) : IClassFixture<EabPebbleFixture>
{
    private readonly AcmeTestbed _bed = pebble.Bed;

    [Fact]
    public async Task RegisterAccount_EabRequired_RefusedWithoutAndRegisteredWith()
    {
        await using var f = await AcmeSteps.CoreAsync();
        var without = await AcmeSteps.ConnectionAsync(f, AcmeSteps.Http01(_bed, "No EAB"));
        var refused = await f.WithAsync(sp => sp.GetRequiredService<CaConnectionService>().RegisterAccountAsync(without.Id, false, AcmeSteps.Actor, CancellationToken.None));
        Assert.Equal("acme-external-account-required", refused.Error?.Code);
        Assert.Contains("External Account Binding", refused.Error!.Message, StringComparison.Ordinal);

        // A submission through the connection without EAB fails at the account, before any order: still on record.
        var withoutProduct = await AcmeSteps.ProductAsync(f, without.Id);
        var (refusedRequestId, refusedOutcome) = await AcmeSteps.AcquireAsync(f, withoutProduct.Id, "no-eab.example.test");
        Assert.Equal("acme-external-account-required", refusedOutcome.Error?.Code);
        var failed = await f.DbAsync(db => db.CaSubmissions.AsNoTracking().SingleAsync(s => s.RequestId == refusedRequestId));
        Assert.Equal(SubmissionStatus.Failed, failed.Status);
        Assert.Null(failed.ExternalId);
        Assert.Contains("External Account Binding", failed.Detail, StringComparison.Ordinal);

        var with = await AcmeSteps.ConnectionAsync(f, AcmeSteps.Http01(_bed, "With EAB") with { EabKeyId = AcmeTestbed.EabKeyId, EabHmacKey = _bed.EabHmacKey });
        Assert.True(with.HasEabHmacKey);
        var registered = await f.WithAsync(sp => sp.GetRequiredService<CaConnectionService>().RegisterAccountAsync(with.Id, false, AcmeSteps.Actor, CancellationToken.None));
        Assert.True(registered.IsSuccess, registered.Error?.ToString() + "\n" + _bed.Log("pebble.log"));
        Assert.Equal("valid", registered.Value.Acme.AccountStatus);

        // The account issues: EAB was only needed once.
        var product = await AcmeSteps.ProductAsync(f, with.Id);
        var (_, outcome) = await AcmeSteps.AcquireAsync(f, product.Id, "eab.example.test");
        Assert.True(outcome.IsSuccess, outcome.Error?.ToString());
        Assert.Equal(RequestStatus.Received, outcome.Value.Status);
    }

    [Fact]
    public async Task RegisterAccount_WrongEabKey_RefusedAndNoAccountStored()
    {
        await using var f = await AcmeSteps.CoreAsync();
        var wrong = await AcmeSteps.ConnectionAsync(f, AcmeSteps.Http01(_bed, "Wrong EAB") with { EabKeyId = AcmeTestbed.EabKeyId, EabHmacKey = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" });

        var refused = await f.WithAsync(sp => sp.GetRequiredService<CaConnectionService>().RegisterAccountAsync(wrong.Id, false, AcmeSteps.Actor, CancellationToken.None));

        Assert.False(refused.IsSuccess);
        Assert.StartsWith("acme-", refused.Error!.Code, StringComparison.Ordinal);
        Assert.DoesNotContain("AAAAAAAAAAAAAAAA", refused.Error.Message, StringComparison.Ordinal);
        var stored = await f.DbAsync(db => db.CaConnections.AsNoTracking().SingleAsync(c => c.Id == wrong.Id));
        Assert.Null(AcmeConnectionSettings.Of(stored).AccountUrl);
    }
}

/// <summary>A pebble that rejects 30 % of all nonces: the client must send again with the fresh one.</summary>
public sealed class AcmeBadNonceTests(BadNoncePebbleFixture pebble) : IClassFixture<BadNoncePebbleFixture>
{
    private readonly AcmeTestbed _bed = pebble.Bed;

    [Fact]
    public async Task Client_HalfTheNoncesRejected_RetriesAndSucceeds()
    {
        using var http = AcmeHttp.Create(_bed.ListenerCaPem);
        using var key = AcmeAccountKey.CreateEs256();
        var client = new AcmeClient(http, new Uri(_bed.DirectoryUrl), key, TimeProvider.System);

        var account = await client.AccountAsync(new AcmeRegistration("pki@example.test", true), CancellationToken.None);
        Assert.True(account.IsSuccess, account.Error?.ToString());
        for (var i = 0; i < 30; i++)
        {
            var order = await client.NewOrderAsync([$"n{i}.example.test"], null, null, CancellationToken.None);
            Assert.True(order.IsSuccess, order.Error?.ToString());
            Assert.Equal("pending", order.Value.Status);
        }

        Assert.True(client.BadNonceRetries > 0, "pebble rejected no nonce in 31 requests at 30 %");
    }
}
