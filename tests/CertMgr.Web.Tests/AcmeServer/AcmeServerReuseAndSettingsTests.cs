using System.Net;
using System.Net.Sockets;
using System.Text;
using CertMgr.Core.Acme.Server;
using CertMgr.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CertMgr.Web.Tests.AcmeServer;

/// <summary>
/// Reuse of valid authorizations (the same account's next order for a validated name is valid at once; another account
/// validates anew; reuse off in the console settings stops it), and the console settings overriding certmgr.json:
/// bad input refused per field with nothing stored, the directory switched off and on, an account deactivated by the
/// admin refused as unauthorized.
/// </summary>
public sealed class AcmeServerReuseAndSettingsTests : IAsyncLifetime
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
    public async Task NewOrder_NameValidatedBySameAccount_ReusedAtOnce_OtherAccountNot_OffStopsIt()
    {
        using var a = new AcmeTestClient(_http, _server.DirectoryUrl);
        using var b = new AcmeTestClient(_http, _server.DirectoryUrl);
        await a.RegisterAsync();
        await b.RegisterAsync();
        var first = await a.NewOrderAsync("reuse.acme.test");
        Assert.Equal("pending", first.Json["status"]!.GetValue<string>());
        await ValidateHttp01Async(a, first.Json["authorizations"]![0]!.GetValue<string>());
        Assert.Equal("ready", (await a.PostAsync(first.Location!, null)).Json["status"]!.GetValue<string>());

        var second = await a.NewOrderAsync("reuse.acme.test");
        Assert.Equal(HttpStatusCode.Created, second.Status);
        Assert.Equal("ready", second.Json["status"]!.GetValue<string>());
        var reused = await a.PostAsync(second.Json["authorizations"]![0]!.GetValue<string>(), null);
        Assert.Equal("valid", reused.Json["status"]!.GetValue<string>());
        Assert.True(DateTimeOffset.Parse(reused.Json["expires"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture) > TimeProvider.System.GetUtcNow().AddDays(29));

        // Another account proves control itself.
        var other = await b.NewOrderAsync("reuse.acme.test");
        Assert.Equal("pending", other.Json["status"]!.GetValue<string>());
        Assert.Equal("pending", (await b.PostAsync(other.Json["authorizations"]![0]!.GetValue<string>(), null)).Json["status"]!.GetValue<string>());

        // Reuse switched off in the console settings.
        await using (var scope = _server.Services.CreateAsyncScope())
        {
            var settings = scope.ServiceProvider.GetRequiredService<AcmeServerSettings>();
            Assert.True((await settings.SaveAsync(new AcmeServerSettingsInput(null, null, false, null, null, 0), "test", CancellationToken.None)).IsSuccess);
        }

        var third = await a.NewOrderAsync("reuse.acme.test");
        Assert.Equal("pending", third.Json["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Settings_BadInput_PerFieldAndNothingStored_ThenOverrideAppliesAtOnce()
    {
        await using (var scope = _server.Services.CreateAsyncScope())
        {
            var settings = scope.ServiceProvider.GetRequiredService<AcmeServerSettings>();
            var refused = await settings.SaveAsync(new AcmeServerSettingsInput(false, true, true, "ok.test\n*.bad.test", 5000, -1), "test", CancellationToken.None);
            Assert.False(refused.IsSuccess);
            Assert.Equal(["allowedDomains", "authorizationReuseDays", "certificateDays"], refused.Error!.Fields!.Keys.Order(StringComparer.Ordinal));
            var db = scope.ServiceProvider.GetRequiredService<CertMgrDbContext>();
            Assert.False(await db.Settings.AnyAsync(s => s.Key == AcmeServerSettings.SettingKey));
        }

        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/acme/directory")).StatusCode);
        await using (var scope = _server.Services.CreateAsyncScope())
        {
            var settings = scope.ServiceProvider.GetRequiredService<AcmeServerSettings>();
            var saved = await settings.SaveAsync(new AcmeServerSettingsInput(false, true, true, "Other.Test, more.test", 30, null), "alice", CancellationToken.None);
            Assert.True(saved.IsSuccess, saved.Error?.Message);
            var effective = await scope.ServiceProvider.GetRequiredService<AcmeServerSettings>().EffectiveAsync(CancellationToken.None);
            Assert.Equal(["other.test", "more.test"], effective.AllowedDomains);
            var db = scope.ServiceProvider.GetRequiredService<CertMgrDbContext>();
            var audit = await db.AuditEvents.AsNoTracking().SingleAsync(e => e.ObjectType == "AcmeServerSettings");
            Assert.Equal("alice", audit.Actor);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync("/acme/directory")).StatusCode);
        await using (var scope = _server.Services.CreateAsyncScope())
        {
            var settings = scope.ServiceProvider.GetRequiredService<AcmeServerSettings>();
            Assert.True((await settings.SaveAsync(new AcmeServerSettingsInput(true, false, false, null, null, null), "alice", CancellationToken.None)).IsSuccess);
        }

        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/acme/directory")).StatusCode);
    }

    [Fact]
    public async Task DeactivateAccount_ByAdmin_RequestsUnauthorized_AndEabRevocationOnlyUnused()
    {
        using var a = new AcmeTestClient(_http, _server.DirectoryUrl);
        await a.RegisterAsync();
        var kid = a.Kid!;
        var id = Guid.ParseExact(kid[(kid.LastIndexOf('/') + 1)..], "N");
        await using var scope = _server.Services.CreateAsyncScope();
        var admin = scope.ServiceProvider.GetRequiredService<AcmeServerAdmin>();
        Assert.True((await admin.DeactivateAccountAsync(id, "alice", CancellationToken.None)).IsSuccess);
        Assert.Equal(Core.Common.ErrorKind.Conflict, (await admin.DeactivateAccountAsync(id, "alice", CancellationToken.None)).Error!.Kind);
        var refused = await a.NewOrderAsync("x.acme.test");
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Equal("urn:ietf:params:acme:error:unauthorized", refused.ProblemType);

        var eab = (await admin.CreateEabAsync("spare", [], "alice", CancellationToken.None)).Value;
        Assert.True((await admin.RevokeEabAsync(eab.KeyId, "alice", CancellationToken.None)).IsSuccess);
        Assert.Equal(Core.Common.ErrorKind.NotFound, (await admin.RevokeEabAsync(eab.KeyId, "alice", CancellationToken.None)).Error!.Kind);
        var db = scope.ServiceProvider.GetRequiredService<CertMgrDbContext>();
        var events = await db.AuditEvents.AsNoTracking().Where(e => e.ObjectType == "AcmeServerEabKey").ToListAsync();
        Assert.Contains(events, e => e.Action == "revoke");
        Assert.DoesNotContain(events, e => (e.Detail ?? "").Contains(eab.HmacKey, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Deactivate_ByClientAndAuthorization_RefusedAfterwards()
    {
        using var key = Core.Acme.Client.AcmeAccountKey.CreateEs256();
        var client = new Core.Acme.Client.AcmeClient(_http, new Uri(_server.DirectoryUrl), key, TimeProvider.System);
        Assert.True((await client.AccountAsync(new Core.Acme.Client.AcmeRegistration("gone@acme.test", true), CancellationToken.None)).IsSuccess);
        var order = await client.NewOrderAsync(["gone.acme.test"], null, null, CancellationToken.None);
        Assert.True(order.IsSuccess, order.Error?.Message);

        // An authorization deactivated by the client makes its order invalid; a second deactivation is refused.
        using var hand = new AcmeTestClient(_http, _server.DirectoryUrl);
        await hand.RegisterAsync();
        var handOrder = await hand.NewOrderAsync("authz.acme.test");
        var authzUrl = handOrder.Json["authorizations"]![0]!.GetValue<string>();
        var deactivated = await hand.PostAsync(authzUrl, new System.Text.Json.Nodes.JsonObject { ["status"] = "deactivated" });
        Assert.Equal("deactivated", deactivated.Json["status"]!.GetValue<string>());
        Assert.Equal("invalid", (await hand.PostAsync(handOrder.Location!, null)).Json["status"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, (await hand.PostAsync(authzUrl, new System.Text.Json.Nodes.JsonObject { ["status"] = "deactivated" })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await hand.PostAsync(hand.Kid!, new System.Text.Json.Nodes.JsonObject { ["status"] = 7 })).Status);

        var gone = await client.DeactivateAsync(CancellationToken.None);
        Assert.True(gone.IsSuccess, gone.Error?.Message);
        Assert.Equal("deactivated", gone.Value!.Status);
        var refused = await client.NewOrderAsync(["gone.acme.test"], null, null, CancellationToken.None);
        Assert.False(refused.IsSuccess);
        var again = new Core.Acme.Client.AcmeClient(_http, new Uri(_server.DirectoryUrl), key, TimeProvider.System);
        Assert.False((await again.AccountAsync(new Core.Acme.Client.AcmeRegistration("gone@acme.test", true), CancellationToken.None)).IsSuccess);
    }

    /// <summary>Answers the authorization's HTTP-01 challenge from a one-shot loopback responder.</summary>
    private async Task ValidateHttp01Async(AcmeTestClient client, string authzUrl)
    {
        var authz = await client.PostAsync(authzUrl, null);
        var challenge = authz.Json["challenges"]!.AsArray().Single(c => c!["type"]!.GetValue<string>() == "http-01")!;
        var token = challenge["token"]!.GetValue<string>();
        using var responder = new TcpListener(IPAddress.Loopback, _server.Http01Port);
        responder.Start();
        var serve = Task.Run(async () =>
        {
            using var socket = await responder.AcceptTcpClientAsync();
            var stream = socket.GetStream();
            var buffer = new byte[4096];
            var request = "";
            while (!request.Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var n = await stream.ReadAsync(buffer);
                request += Encoding.ASCII.GetString(buffer, 0, n);
            }

            var body = client.Key.KeyAuthorization(token);
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}"));
        });
        var answered = await client.PostAsync(challenge["url"]!.GetValue<string>(), []);
        Assert.True(answered.Json["status"]!.GetValue<string>() == "valid", answered.Body);
        await serve;
    }
}
