using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using CertMgr.Core.Acme.Client;
using CertMgr.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using X509Request = System.Security.Cryptography.X509Certificates.CertificateRequest;

namespace CertMgr.Web.Tests.AcmeServer;

/// <summary>
/// Bad input to the ACME server gets RFC 8555 problem documents with a fresh Replay-Nonce and changes nothing:
/// malformed JWS, reused nonce, wrong key, unknown account, URL mismatch, names outside the allow-list, oversized body,
/// CSR names not the order's, weak CSR key. Plus the order status machine with a real HTTP-01 validation.
/// </summary>
public sealed class AcmeServerProtocolTests : IAsyncLifetime
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

    private AcmeTestClient NewClient() => new(_http, _server.DirectoryUrl);

    private async Task<(int Accounts, int Orders)> CountsAsync()
    {
        await using var scope = _server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CertMgrDbContext>();
        return (await db.AcmeServerAccounts.CountAsync(), await db.AcmeServerOrders.CountAsync());
    }

    private static void AssertProblem(AcmeTestClient.Reply reply, HttpStatusCode status, string type)
    {
        Assert.True(reply.Status == status, $"Expected {status}, got {reply.Status}: {reply.Body}");
        Assert.Equal("application/problem+json", reply.ContentType);
        Assert.Equal("urn:ietf:params:acme:error:" + type, reply.ProblemType);
        Assert.False(string.IsNullOrEmpty(reply.Nonce));
    }

    [Fact]
    public async Task Directory_ListsResources_WithNonceAndIndexLink()
    {
        using var response = await _http.GetAsync("/acme/directory");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(_server.BaseAddress + "acme/new-order", json["newOrder"]!.GetValue<string>());
        Assert.NotEmpty(response.Headers.GetValues("Replay-Nonce").Single());
        Assert.Contains(response.Headers.GetValues("Link"), l => l.Contains("rel=\"index\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Post_MalformedJws_Malformed()
    {
        using var client = NewClient();
        AssertProblem(await client.PostRawAsync(client.Base + "/new-account", "{\"protected\": 1}"), HttpStatusCode.BadRequest, "malformed");
        AssertProblem(await client.PostRawAsync(client.Base + "/new-account", "not json"), HttpStatusCode.BadRequest, "malformed");
        Assert.Equal((0, 0), await CountsAsync());
    }

    [Fact]
    public async Task Post_ReusedOrUnknownNonce_BadNonceWithFreshNonce()
    {
        using var client = NewClient();
        var nonce = await client.NonceAsync();
        var url = client.Base + "/new-account";
        var payload = new JsonObject { ["termsOfServiceAgreed"] = true }.ToJsonString();
        var first = await client.PostRawAsync(url, AcmeTestClient.Jws(client.Key, client.Header(url, nonce), payload));
        Assert.Equal(HttpStatusCode.Created, first.Status);
        using var other = NewClient();
        var reused = await other.PostRawAsync(url, AcmeTestClient.Jws(other.Key, other.Header(url, nonce), payload));
        AssertProblem(reused, HttpStatusCode.BadRequest, "badNonce");
        Assert.NotEqual(nonce, reused.Nonce);
        AssertProblem(await other.PostRawAsync(url, AcmeTestClient.Jws(other.Key, other.Header(url, "made-up"), payload)), HttpStatusCode.BadRequest, "badNonce");
        Assert.Equal((1, 0), await CountsAsync());
    }

    [Fact]
    public async Task Post_SignedWithAnotherKey_Malformed()
    {
        using var client = NewClient();
        using var wrong = AcmeAccountKey.CreateEs256();
        var url = client.Base + "/new-account";
        var reply = await client.PostRawAsync(url, AcmeTestClient.Jws(wrong, client.Header(url, await client.NonceAsync()), "{}"));
        AssertProblem(reply, HttpStatusCode.BadRequest, "malformed");
        Assert.Equal((0, 0), await CountsAsync());
    }

    [Fact]
    public async Task Post_UnknownAccount_AccountDoesNotExist()
    {
        using var client = NewClient();
        client.Kid = client.Base + "/acct/" + Guid.NewGuid().ToString("N");
        AssertProblem(await client.NewOrderAsync("a.acme.test"), HttpStatusCode.BadRequest, "accountDoesNotExist");
        Assert.Equal((0, 0), await CountsAsync());
    }

    [Fact]
    public async Task Post_UrlMismatch_Unauthorized()
    {
        using var client = NewClient();
        var header = client.Header(client.Base + "/new-order", await client.NonceAsync(), useJwk: true);
        AssertProblem(await client.PostRawAsync(client.Base + "/new-account", AcmeTestClient.Jws(client.Key, header, "{}")), HttpStatusCode.Forbidden, "unauthorized");
        Assert.Equal((0, 0), await CountsAsync());
    }

    [Fact]
    public async Task NewOrder_NameOutsideAllowList_RejectedIdentifier()
    {
        using var client = NewClient();
        await client.RegisterAsync();
        AssertProblem(await client.NewOrderAsync("a.acme.test", "www.example.com"), HttpStatusCode.BadRequest, "rejectedIdentifier");
        AssertProblem(await client.NewOrderAsync("notacme.test"), HttpStatusCode.BadRequest, "rejectedIdentifier");
        Assert.Equal((1, 0), await CountsAsync());
    }

    [Fact]
    public async Task NewOrder_Profiles_DirectoryListsThemUnknownOrMalformedRefusedKnownRecorded()
    {
        using var response = await _http.GetAsync("/acme/directory");
        var profiles = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["meta"]!["profiles"]!.AsObject();
        Assert.Equal(["shortlived", "tlsserver"], profiles.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Contains("7 days", profiles["shortlived"]!.GetValue<string>(), StringComparison.Ordinal);

        using var client = NewClient();
        await client.RegisterAsync();
        JsonObject Order(JsonNode profile) => new()
        {
            ["identifiers"] = new JsonArray(new JsonObject { ["type"] = "dns", ["value"] = "p.acme.test" }),
            ["profile"] = profile,
        };
        var unknown = await client.PostAsync(client.Base + "/new-order", Order("longlived"));
        AssertProblem(unknown, HttpStatusCode.BadRequest, "invalidProfile");
        Assert.Contains("this server offers tlsserver, shortlived", unknown.Json["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        AssertProblem(await client.PostAsync(client.Base + "/new-order", Order(7)), HttpStatusCode.BadRequest, "malformed");
        AssertProblem(await client.PostAsync(client.Base + "/new-order", Order(new string('a', 5000))), HttpStatusCode.BadRequest, "invalidProfile");
        Assert.Equal((1, 0), await CountsAsync());

        var placed = await client.PostAsync(client.Base + "/new-order", Order("shortlived"));
        Assert.Equal(HttpStatusCode.Created, placed.Status);
        Assert.Equal("shortlived", placed.Json["profile"]!.GetValue<string>());
        Assert.Equal("shortlived", (await client.PostAsync(placed.Location!, null)).Json["profile"]!.GetValue<string>());
        var plain = await client.NewOrderAsync("q.acme.test");
        Assert.Equal(HttpStatusCode.Created, plain.Status);
        Assert.Null(plain.Json["profile"]);
    }

    [Fact]
    public async Task Post_OversizedBody_413()
    {
        using var client = NewClient();
        var reply = await client.PostRawAsync(client.Base + "/new-account", new string('x', 200_000));
        AssertProblem(reply, HttpStatusCode.RequestEntityTooLarge, "malformed");
        Assert.Equal((0, 0), await CountsAsync());
    }

    [Fact]
    public async Task Order_ValidatedOverHttp01_ReadyThenBadCsrsChangeNothing_ThenValid()
    {
        using var client = NewClient();
        await client.RegisterAsync();
        var order = await client.NewOrderAsync("b.acme.test");
        Assert.Equal(HttpStatusCode.Created, order.Status);
        Assert.Equal("pending", order.Json["status"]!.GetValue<string>());
        var orderUrl = order.Location!;
        var authz = await client.PostAsync(order.Json["authorizations"]![0]!.GetValue<string>(), null);
        var challenge = authz.Json["challenges"]!.AsArray().Single(c => c!["type"]!.GetValue<string>() == "http-01")!;
        var token = challenge["token"]!.GetValue<string>();
        // A minimal HTTP responder on loopback (HttpListener would refuse the Host header b.acme.test).
        using (var responder = new TcpListener(IPAddress.Loopback, _server.Http01Port))
        {
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

                Assert.StartsWith($"GET /.well-known/acme-challenge/{token} ", request, StringComparison.Ordinal);
                var body = client.Key.KeyAuthorization(token);
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}"));
            });
            var answered = await client.PostAsync(challenge["url"]!.GetValue<string>(), []);
            Assert.True(answered.Json["status"]!.GetValue<string>() == "valid", answered.Body);
            await serve;
        }

        var ready = await client.PostAsync(orderUrl, null);
        Assert.Equal("ready", ready.Json["status"]!.GetValue<string>());
        var finalize = ready.Json["finalize"]!.GetValue<string>();

        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        AssertProblem(await client.PostAsync(finalize, Csr(ec, "c.acme.test")), HttpStatusCode.BadRequest, "badCSR");
        using var weak = RSA.Create(1024);
        AssertProblem(await client.PostAsync(finalize, Csr(weak, "b.acme.test")), HttpStatusCode.BadRequest, "badCSR");
        Assert.Equal("ready", (await client.PostAsync(orderUrl, null)).Json["status"]!.GetValue<string>());

        var done = await client.PostAsync(finalize, Csr(ec, "b.acme.test"));
        Assert.True(done.Json["status"]!.GetValue<string>() == "valid", done.Body);
        var pem = await client.PostAsync(done.Json["certificate"]!.GetValue<string>(), null);
        var leaf = X509Certificate2.CreateFromPem(pem.Body);
        Assert.Equal("b.acme.test", leaf.GetNameInfo(X509NameType.DnsName, false));
        AssertProblem(await client.PostAsync(finalize, Csr(ec, "b.acme.test")), HttpStatusCode.Forbidden, "orderNotReady");
    }

    private static JsonObject Csr(AsymmetricAlgorithm key, string name)
    {
        var dn = new X500DistinguishedName("CN=" + name);
        var request = key is RSA rsa
            ? new X509Request(dn, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new X509Request(dn, (ECDsa)key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        request.CertificateExtensions.Add(san.Build());
        return new JsonObject { ["csr"] = Base64Url.Encode(request.CreateSigningRequest()) };
    }
}
