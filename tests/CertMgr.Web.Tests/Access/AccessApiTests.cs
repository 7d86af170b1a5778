using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using CertMgr.Core.Security;
using CertMgr.Data;
using CertMgr.Web.Tests.Api;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CertMgr.Web.Tests.Access;

/// <summary>
/// Users management, the audit API, role restrictions and the IP allow-list over real HTTPS on loopback; the allow-list
/// is proven with clients that connect from 127.0.0.2 and 127.0.0.3 by binding their local address.
/// </summary>
public sealed class AccessApiTests : IAsyncLifetime
{
    private ApiServer _server = null!;
    private HttpClient _admin = null!;
    private HttpClient _user = null!;

    public async Task InitializeAsync()
    {
        _server = await ApiServer.StartAsync();
        _admin = await _server.SignInAsync("api-admin");
        _user = await _server.SignInAsync("api-user");
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        _user.Dispose();
        await _server.DisposeAsync();
    }

    /// <summary>Every admin-only endpoint, as (method, path); a plain user must get 403 from each and change nothing.</summary>
    public static TheoryData<string, string> AdminOnlyEndpoints() => new()
    {
        { "GET", "/api/v1/users" },
        { "POST", "/api/v1/users" },
        { "PUT", "/api/v1/users/00000000-0000-0000-0000-000000000001" },
        { "DELETE", "/api/v1/users/00000000-0000-0000-0000-000000000001" },
        { "POST", "/api/v1/users/00000000-0000-0000-0000-000000000001/reset-password" },
        { "GET", "/api/v1/ip-acl" },
        { "GET", "/api/v1/audit" },
        { "GET", "/api/v1/audit?format=csv" },
        { "POST", "/api/v1/ca/issue" },
        { "POST", "/api/v1/ca/issue-batch" },
        { "POST", "/api/v1/ca/issued/01/revoke" },
        { "POST", "/api/v1/keys/00000000-0000-0000-0000-000000000001/export" },
        { "POST", "/api/v1/certificates/00000000-0000-0000-0000-000000000001/export" },
        { "POST", "/api/v1/ca-connections" },
        { "DELETE", "/api/v1/ca-connections/00000000-0000-0000-0000-000000000001" },
        { "POST", "/api/v1/products" },
        { "POST", "/api/v1/provider-accounts" },
        { "POST", "/api/v1/trusted-ca-sets" },
        { "PUT", "/api/v1/monitor/schedule" },
        { "PUT", "/api/v1/unattended/schedule" },
        { "DELETE", "/api/v1/definitions/00000000-0000-0000-0000-000000000001" },
    };

    [Theory]
    [MemberData(nameof(AdminOnlyEndpoints))]
    public async Task AdminOnlyEndpoint_PlainUser_Gets403(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method != "GET")
        {
            request.Content = JsonContent.Create(new { userName = "sneaky", role = "Admin" });
        }

        using var response = await _user.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.False(await DbAsync(db => db.Users.AnyAsync(u => u.UserName == "sneaky")));
    }

    [Fact]
    public async Task Users_AddEditDisableResetDelete_AdminManagesAndEveryChangeIsAudited()
    {
        using var created = await _admin.PostAsJsonAsync("/api/v1/users", new { userName = "carol", role = "User", email = "carol@example.com" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement;
        var id = body.GetProperty("user").GetProperty("id").GetGuid();
        var initial = body.GetProperty("initialPassword").GetString()!;
        Assert.False(body.GetProperty("user").TryGetProperty("passwordHash", out _));

        using var edited = await _admin.PutAsJsonAsync($"/api/v1/users/{id}", new { role = "Admin", displayName = "Carol" });
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        Assert.Equal("Admin", JsonDocument.Parse(await edited.Content.ReadAsStringAsync()).RootElement.GetProperty("role").GetString());

        using var disabled = await _admin.PutAsJsonAsync($"/api/v1/users/{id}", new { disabled = true });
        Assert.True(JsonDocument.Parse(await disabled.Content.ReadAsStringAsync()).RootElement.GetProperty("disabled").GetBoolean());

        using var reset = await _admin.PostAsync($"/api/v1/users/{id}/reset-password", null);
        var temporary = JsonDocument.Parse(await reset.Content.ReadAsStringAsync()).RootElement.GetProperty("temporaryPassword").GetString()!;

        using var deleted = await _admin.DeleteAsync($"/api/v1/users/{id}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var gone = await _admin.GetAsync($"/api/v1/users/{id}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);

        var audit = await _admin.GetStringAsync($"/api/v1/audit?objectType=User&q={id}&take=200");
        var actions = JsonDocument.Parse(audit).RootElement.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.Contains("create-user", actions);
        Assert.Contains("update-user", actions);
        Assert.Contains("disable-user", actions);
        Assert.Contains("reset-password", actions);
        Assert.Contains("delete-user", actions);
        var csv = await _admin.GetStringAsync("/api/v1/audit?format=csv&objectType=User");
        var json = await _admin.GetStringAsync("/api/v1/audit?format=json&objectType=User");
        foreach (var export in new[] { audit, csv, json })
        {
            Assert.DoesNotContain(initial, export, StringComparison.Ordinal);
            Assert.DoesNotContain(temporary, export, StringComparison.Ordinal);
        }

        Assert.StartsWith("id,at,actor,address,objectType,objectId,action,outcome,detail\r\n", csv, StringComparison.Ordinal);
        Assert.Contains("delete-user", csv, StringComparison.Ordinal);
        Assert.Contains(JsonDocument.Parse(json).RootElement.EnumerateArray(), e => e.GetProperty("action").GetString() == "delete-user" && e.GetProperty("actor").GetString() == "api-admin");
    }

    [Theory]
    [InlineData("/api/v1/users", """{"userName":"bad name!","role":"User"}""", "user-name-invalid", "userName")]
    [InlineData("/api/v1/users", """{"userName":"dave","role":"Root"}""", "role-invalid", "role")]
    [InlineData("/api/v1/users", """{"userName":"dave","role":"1"}""", "role-invalid", "role")]
    public async Task Users_BadInput_PerFieldProblemAndNothingCreated(string path, string json, string code, string field)
    {
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        using var response = await _admin.PostAsync(path, content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
        Assert.Equal(2, await DbAsync(db => db.Users.CountAsync(u => u.UserName != "admin")));
    }

    [Fact]
    public async Task Audit_BadFilters_ProblemsNamingTheField()
    {
        foreach (var (query, code) in new[] { ("outcome=maybe", "outcome-invalid"), ("format=xml", "format-invalid"), ("take=0", "paging-invalid"),
            ("since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z", "range-invalid"), ("sort=password", "sort-invalid") })
        {
            using var response = await _admin.GetAsync($"/api/v1/audit?{query}");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal(code, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
        }
    }

    [Fact]
    public async Task IpAllowList_FileEditedWhileRunning_AllowsListedAddressRefusesOthersAndReportsBadLines()
    {
        var file = _server.Services.GetRequiredService<IpAccessListFile>();
        try
        {
            using var from2 = ClientFrom("127.0.0.2");
            using var from3 = ClientFrom("127.0.0.3");
            Assert.Equal(HttpStatusCode.OK, (await from2.GetAsync("/healthz")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await from3.GetAsync("/healthz")).StatusCode);

            await File.WriteAllTextAsync(file.Path, "# the admin's desk\n127.0.0.2/32\n127.0.0.1\n127.0.0.3/8\n");
            file.Reload();
            Assert.Equal(HttpStatusCode.OK, (await from2.GetAsync("/healthz")).StatusCode);
            using var refused = await from3.GetAsync("/account/login");
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await from3.GetAsync("/pki/ca.crt")).StatusCode);

            var status = JsonDocument.Parse(await _admin.GetStringAsync("/api/v1/ip-acl")).RootElement;
            var problem = Assert.Single(status.GetProperty("problems").EnumerateArray());
            Assert.Equal(4, problem.GetProperty("lineNumber").GetInt32());
            Assert.Contains("bits set", problem.GetProperty("reason").GetString(), StringComparison.Ordinal);

            // Only bad lines: remote addresses are closed, loopback stays open (all test clients are loopback).
            await File.WriteAllTextAsync(file.Path, "not-an-address\n");
            file.Reload();
            Assert.Equal(HttpStatusCode.OK, (await from3.GetAsync("/healthz")).StatusCode);
            Assert.True(JsonDocument.Parse(await _admin.GetStringAsync("/api/v1/ip-acl")).RootElement.GetProperty("loopbackOnly").GetBoolean());

            File.Delete(file.Path);
            file.Reload();
            Assert.Equal(HttpStatusCode.OK, (await from3.GetAsync("/healthz")).StatusCode);
        }
        finally
        {
            File.Delete(file.Path);
            file.Reload();
        }
    }

    [Fact]
    public async Task IpAllowList_ForwardedForFromUnconfiguredProxy_IsIgnored()
    {
        var file = _server.Services.GetRequiredService<IpAccessListFile>();
        try
        {
            await File.WriteAllTextAsync(file.Path, "127.0.0.2/32\n127.0.0.1/32\n");
            file.Reload();
            using var from3 = ClientFrom("127.0.0.3");
            using var request = new HttpRequestMessage(HttpMethod.Get, "/healthz");
            request.Headers.Add("X-Forwarded-For", "127.0.0.2");
            using var response = await from3.SendAsync(request);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }
        finally
        {
            File.Delete(file.Path);
            file.Reload();
        }
    }

    private HttpClient ClientFrom(string localAddress)
    {
        var caFile = Path.Combine(_server.Services.GetRequiredService<CertMgr.Core.Setup.DataDirectory>().CaDirectory, "ca-cert.pem");
        var caSubject = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(caFile)).Subject;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(IPAddress.Parse(localAddress), 0));
                    await socket.ConnectAsync(context.DnsEndPoint, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
            SslOptions = { RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && cert.Issuer == caSubject },
        };
        return new HttpClient(handler) { BaseAddress = _server.BaseAddress };
    }

    private async Task<T> DbAsync<T>(Func<CertMgrDbContext, Task<T>> query)
    {
        await using var scope = _server.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<CertMgrDbContext>());
    }
}
