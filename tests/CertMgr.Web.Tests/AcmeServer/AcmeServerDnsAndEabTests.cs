using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using CertMgr.Core.Acme.Client;
using CertMgr.Core.Acme.Server;
using CertMgr.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using X509Request = System.Security.Cryptography.X509Certificates.CertificateRequest;

namespace CertMgr.Web.Tests.AcmeServer;

/// <summary>
/// DNS-01 validated by real DNS queries over loopback to an in-test authoritative TXT responder (a wildcard order), and
/// external account binding: required, refused without, accepted with console-issued credentials whose allow-list
/// then governs the account.
/// </summary>
public sealed class AcmeServerDnsAndEabTests
{
    [Fact]
    public async Task Dns01_WildcardAndBase_ValidatedOverRealDns_Issued()
    {
        using var dns = new TxtResponder();
        await using var server = await AcmeServerHost.StartAsync(dnsServer: $"127.0.0.1:{dns.Port}");
        using var http = server.Client();
        using var client = new AcmeTestClient(http, server.DirectoryUrl);
        await client.RegisterAsync();
        var order = await client.NewOrderAsync("*.w.acme.test", "w.acme.test");
        Assert.Equal(HttpStatusCode.Created, order.Status);
        var challenges = new List<string>();
        foreach (var authzUrl in order.Json["authorizations"]!.AsArray())
        {
            var authz = await client.PostAsync(authzUrl!.GetValue<string>(), null);
            var dns01 = authz.Json["challenges"]!.AsArray().Single(c => c!["type"]!.GetValue<string>() == "dns-01")!;
            var digest = Base64Url.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(client.Key.KeyAuthorization(dns01["token"]!.GetValue<string>()))));
            dns.Add("_acme-challenge.w.acme.test", digest);
            challenges.Add(dns01["url"]!.GetValue<string>());
        }

        foreach (var url in challenges)
        {
            var answered = await client.PostAsync(url, []);
            Assert.True(answered.Json["status"]!.GetValue<string>() == "valid", answered.Body + "\n" + server.Log);
        }

        Assert.True(dns.Queries >= 2);
        var ready = await client.PostAsync(order.Location!, null);
        Assert.Equal("ready", ready.Json["status"]!.GetValue<string>());
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new X509Request("CN=w.acme.test", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("w.acme.test");
        san.AddDnsName("*.w.acme.test");
        request.CertificateExtensions.Add(san.Build());
        var done = await client.PostAsync(ready.Json["finalize"]!.GetValue<string>(), new JsonObject { ["csr"] = Base64Url.Encode(request.CreateSigningRequest()) });
        Assert.True(done.Json["status"]!.GetValue<string>() == "valid", done.Body);
    }

    [Fact]
    public async Task NewAccount_EabRequired_RefusedWithout_AcceptedWith_AllowListFromCredentials()
    {
        await using var server = await AcmeServerHost.StartAsync(requireEab: true);
        using var http = server.Client();
        using var client = new AcmeTestClient(http, server.DirectoryUrl);
        var refused = await client.RegisterAsync();
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Equal("urn:ietf:params:acme:error:externalAccountRequired", refused.ProblemType);

        EabCredentials eab;
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var admin = scope.ServiceProvider.GetRequiredService<AcmeServerAdmin>();
            Assert.False((await admin.CreateEabAsync(null, ["*.bad"], "test", CancellationToken.None)).IsSuccess);
            eab = (await admin.CreateEabAsync("team A", ["eab.acme.test"], "test", CancellationToken.None)).Value;
            Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<CertMgrDbContext>().AcmeServerAccounts.CountAsync());
        }

        // A binding signed with the wrong HMAC key is refused.
        var wrong = await client.RegisterAsync(new JsonObject { ["externalAccountBinding"] = Binding(client, eab.KeyId, Base64Url.Encode(new byte[32])) });
        Assert.Equal("urn:ietf:params:acme:error:unauthorized", wrong.ProblemType);

        var accepted = await client.RegisterAsync(new JsonObject { ["externalAccountBinding"] = Binding(client, eab.KeyId, eab.HmacKey) });
        Assert.True(accepted.Status == HttpStatusCode.Created, accepted.Body);
        Assert.Equal("urn:ietf:params:acme:error:rejectedIdentifier", (await client.NewOrderAsync("www.acme.test")).ProblemType);
        Assert.Equal(HttpStatusCode.Created, (await client.NewOrderAsync("www.eab.acme.test")).Status);

        using var second = new AcmeTestClient(http, server.DirectoryUrl);
        var reused = await second.RegisterAsync(new JsonObject { ["externalAccountBinding"] = Binding(second, eab.KeyId, eab.HmacKey) });
        Assert.Equal("urn:ietf:params:acme:error:unauthorized", reused.ProblemType);
    }

    private static JsonObject Binding(AcmeTestClient client, string keyId, string hmacKey)
    {
        var header = Base64Url.Encode(new JsonObject { ["alg"] = "HS256", ["kid"] = keyId, ["url"] = client.Base + "/new-account" }.ToJsonString());
        var payload = Base64Url.Encode(client.Key.Jwk().ToJsonString());
        var signature = HMACSHA256.HashData(Base64Url.Decode(hmacKey), Encoding.ASCII.GetBytes(header + "." + payload));
        return new JsonObject { ["protected"] = header, ["payload"] = payload, ["signature"] = Base64Url.Encode(signature) };
    }

    /// <summary>An authoritative DNS responder on a loopback UDP port that answers TXT queries from a table.</summary>
    private sealed class TxtResponder : IDisposable
    {
        private readonly UdpClient _udp = new(new IPEndPoint(IPAddress.Loopback, 0));
        private readonly ConcurrentDictionary<string, ConcurrentBag<string>> _records = new(StringComparer.OrdinalIgnoreCase);
        private readonly CancellationTokenSource _stop = new();
        private int _queries;

        public TxtResponder() => _ = Task.Run(ServeAsync);

        public int Port => ((IPEndPoint)_udp.Client.LocalEndPoint!).Port;

        public int Queries => _queries;

        public void Add(string name, string value) => _records.GetOrAdd(name, _ => []).Add(value);

        private async Task ServeAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                UdpReceiveResult received;
                try
                {
                    received = await _udp.ReceiveAsync(_stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                Interlocked.Increment(ref _queries);
                var q = received.Buffer;
                var offset = 12;
                var labels = new List<string>();
                while (q[offset] != 0)
                {
                    labels.Add(Encoding.ASCII.GetString(q, offset + 1, q[offset]));
                    offset += q[offset] + 1;
                }

                var questionEnd = offset + 5;
                var values = _records.TryGetValue(string.Join('.', labels), out var found) ? found.ToArray() : [];
                var answer = new List<byte>();
                answer.AddRange(q[..2]);
                answer.AddRange(new byte[] { 0x84, 0x00, 0, 1, 0, (byte)values.Length, 0, 0, 0, 0 });
                answer.AddRange(q[12..questionEnd]);
                foreach (var v in values)
                {
                    answer.AddRange(new byte[] { 0xC0, 0x0C, 0, 16, 0, 1, 0, 0, 0, 60, 0, (byte)(v.Length + 1), (byte)v.Length });
                    answer.AddRange(Encoding.ASCII.GetBytes(v));
                }

                await _udp.SendAsync(answer.ToArray(), received.RemoteEndPoint);
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _udp.Dispose();
            _stop.Dispose();
        }
    }
}
