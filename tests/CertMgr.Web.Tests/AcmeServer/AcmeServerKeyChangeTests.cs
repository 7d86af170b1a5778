using System.Net;
using System.Text.Json.Nodes;
using CertMgr.Core.Acme.Client;
using CertMgr.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CertMgr.Web.Tests.AcmeServer;

/// <summary>
/// keyChange (RFC 8555 7.3.5): CertMgr's own ACME client rolls its account over and goes on with the new key while the
/// old one is refused; an oldKey that is not the account's, an inner JWS signed by the old key or with a nonce, another
/// account's url, and a new key another account holds (409 with that account's Location) change nothing.
/// </summary>
public sealed class AcmeServerKeyChangeTests : IAsyncLifetime
{
    private AcmeServerHost _server = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _server = await AcmeServerHost.StartAsync();
        _http = _server.Client();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task ChangeKey_OwnClient_NewKeyWorks_OldKeyRefused()
    {
        using var oldKey = AcmeAccountKey.CreateEs256();
        var client = new AcmeClient(_http, new Uri(_server.DirectoryUrl), oldKey, TimeProvider.System);
        var account = await client.AccountAsync(new AcmeRegistration("roll@acme.test", true), CancellationToken.None);
        Assert.True(account.IsSuccess, account.Error?.Message);
        var directory = await client.DirectoryAsync(CancellationToken.None);
        Assert.Equal(new Uri(_server.DirectoryUrl.Replace("/directory", "/key-change", StringComparison.Ordinal)), directory.Value.KeyChange);

        using var newKey = AcmeAccountKey.CreateRs256();
        var changed = await client.ChangeKeyAsync(newKey, CancellationToken.None);
        Assert.True(changed.IsSuccess, changed.Error?.Message + "\n" + _server.Log);
        Assert.Equal(Thumbprint(newKey), await StoredThumbprintAsync(client.AccountUrl!.AbsoluteUri));

        var order = await client.NewOrderAsync(["roll.acme.test"], null, null, CancellationToken.None);
        Assert.True(order.IsSuccess, order.Error?.Message);
        // The new key finds the same account; the old key is no account's any more.
        var again = new AcmeClient(_http, new Uri(_server.DirectoryUrl), newKey, TimeProvider.System);
        var found = await again.AccountAsync(new AcmeRegistration(null, true, OnlyReturnExisting: true), CancellationToken.None);
        Assert.Equal(client.AccountUrl, found.Value.Url);
        var old = new AcmeClient(_http, new Uri(_server.DirectoryUrl), oldKey, TimeProvider.System);
        var lost = await old.AccountAsync(new AcmeRegistration(null, true, OnlyReturnExisting: true), CancellationToken.None);
        Assert.False(lost.IsSuccess);
        await using var scope = _server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CertMgrDbContext>();
        Assert.True(await db.AuditEvents.AnyAsync(e => e.Action == "key-change"));
    }

    [Fact]
    public async Task ChangeKey_BadInputs_ProblemsAndNothingChanges()
    {
        using var a = new AcmeTestClient(_http, _server.DirectoryUrl);
        using var b = new AcmeTestClient(_http, _server.DirectoryUrl);
        await a.RegisterAsync();
        var bReply = await b.RegisterAsync();
        Assert.Equal(HttpStatusCode.Created, bReply.Status);
        using var newKey = AcmeAccountKey.CreateEs256();
        using var stranger = AcmeAccountKey.CreateEs256();
        var before = await StoredThumbprintAsync(a.Kid!);

        // oldKey is not the account's current key.
        AssertMalformed(await KeyChangeAsync(a, newKey, newKey.Jwk(), stranger.Jwk()), "oldKey");
        // The inner JWS is signed by the old key although it names the new one.
        AssertMalformed(await KeyChangeAsync(a, a.Key, newKey.Jwk(), a.Key.Jwk()), "signed by the new key");
        // The inner JWS carries a nonce.
        AssertMalformed(await KeyChangeAsync(a, newKey, newKey.Jwk(), a.Key.Jwk(), innerNonce: true), "nonce");
        // The inner payload names another account.
        AssertMalformed(await KeyChangeAsync(a, newKey, newKey.Jwk(), a.Key.Jwk(), account: b.Kid), "account");
        // The new key is account b's: 409 with b's URL.
        var conflict = await KeyChangeAsync(a, b.Key, b.Key.Jwk(), a.Key.Jwk());
        Assert.True(conflict.Status == HttpStatusCode.Conflict, conflict.Body);
        Assert.Equal("application/problem+json", conflict.ContentType);
        Assert.Equal(b.Kid, conflict.Location);

        Assert.Equal(before, await StoredThumbprintAsync(a.Kid!));
        var stillA = await a.PostAsync(a.Kid!, null);
        Assert.Equal(HttpStatusCode.OK, stillA.Status);

        // And the well-formed one works.
        var ok = await KeyChangeAsync(a, newKey, newKey.Jwk(), a.Key.Jwk());
        Assert.True(ok.Status == HttpStatusCode.OK, ok.Body);
        Assert.Equal(Thumbprint(newKey), await StoredThumbprintAsync(a.Kid!));
        var oldSigned = await a.PostAsync(a.Kid!, null);
        Assert.Equal(HttpStatusCode.BadRequest, oldSigned.Status);
    }

    private static async Task<AcmeTestClient.Reply> KeyChangeAsync(
        AcmeTestClient client, AcmeAccountKey innerSigner, JsonObject innerJwk, JsonObject oldKey, bool innerNonce = false, string? account = null)
    {
        var url = client.Base + "/key-change";
        var header = new JsonObject { ["alg"] = innerSigner.Algorithm, ["jwk"] = innerJwk, ["url"] = url };
        if (innerNonce)
        {
            header["nonce"] = await client.NonceAsync();
        }

        var inner = AcmeTestClient.Jws(innerSigner, header, new JsonObject { ["account"] = account ?? client.Kid, ["oldKey"] = oldKey }.ToJsonString());
        return await client.PostAsync(url, (JsonObject)JsonNode.Parse(inner)!);
    }

    private static void AssertMalformed(AcmeTestClient.Reply reply, string detailPart)
    {
        Assert.True(reply.Status == HttpStatusCode.BadRequest, reply.Body);
        Assert.Equal("urn:ietf:params:acme:error:malformed", reply.ProblemType);
        Assert.Contains(detailPart, reply.Json["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private static string Thumbprint(AcmeAccountKey key) => key.Thumbprint();

    private async Task<string> StoredThumbprintAsync(string kid)
    {
        var id = Guid.ParseExact(kid[(kid.LastIndexOf('/') + 1)..], "N");
        await using var scope = _server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CertMgrDbContext>();
        return (await db.AcmeServerAccounts.AsNoTracking().SingleAsync(x => x.Id == id)).KeyThumbprint;
    }
}
