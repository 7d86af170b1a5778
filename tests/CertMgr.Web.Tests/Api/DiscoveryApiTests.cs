using System.Net;
using System.Text;
using System.Text.Json;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Web.Tests.Api;

/// <summary>/api/v1/discovery/scans over real HTTPS with a token: start, progress, findings, export, import, refusals.</summary>
public sealed class DiscoveryApiTests : IAsyncLifetime
{
    private readonly PlatformApiServer _server = new();

    public Task InitializeAsync() => _server.InitializeAsync();

    public Task DisposeAsync() => _server.DisposeAsync();

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<JsonElement> JsonOf(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    [Fact]
    public async Task Scan_StartPollFindingsExportImport_OverTheServersOwnPort()
    {
        using var client = _server.Client(await _server.TokenForNewUserAsync(UserRole.User));
        var port = _server.BaseAddress.Port;
        var closed = TestPorts.Next();

        var start = await client.PostAsync("/api/v1/discovery/scans", Json($$"""{"targets": ["127.0.0.1"], "ports": "{{port}},{{closed}}", "timeoutMs": 2000}"""));
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var id = (await JsonOf(start)).GetProperty("id").GetGuid();

        JsonElement scan = default;
        for (var i = 0; i < 300; i++)
        {
            scan = await JsonOf(await client.GetAsync($"/api/v1/discovery/scans/{id}"));
            if (scan.GetProperty("status").GetString() != "Running")
            {
                break;
            }

            await Task.Delay(100);
        }

        Assert.Equal("Completed", scan.GetProperty("status").GetString());
        Assert.Equal(2, scan.GetProperty("targets").GetInt32());
        Assert.Equal(2, scan.GetProperty("done").GetInt32());
        Assert.Equal(1, scan.GetProperty("found").GetInt32());
        Assert.Equal(1, scan.GetProperty("unreachable").GetInt32());

        var findings = await JsonOf(await client.GetAsync($"/api/v1/discovery/scans/{id}/findings?sort=-expires"));
        var finding = Assert.Single(findings.GetProperty("items").EnumerateArray());
        Assert.Equal("Tls", finding.GetProperty("kind").GetString());
        Assert.Equal(port, finding.GetProperty("port").GetInt32());
        Assert.True(finding.GetProperty("trusted").GetBoolean(), finding.GetProperty("trustDetail").GetString()); // the built-in CA is in the default set
        Assert.Equal(0, (await JsonOf(await client.GetAsync($"/api/v1/discovery/scans/{id}/findings?verdict=non-tls"))).GetProperty("total").GetInt32());
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync($"/api/v1/discovery/scans/{id}/findings?verdict=bogus")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync($"/api/v1/discovery/scans/{id}/findings?sort=bogus")).StatusCode);

        var csv = await client.GetAsync($"/api/v1/discovery/scans/{id}/export?format=csv");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith($"127.0.0.1,{port},", lines[1], StringComparison.Ordinal);
        var json = await JsonOf(await client.GetAsync($"/api/v1/discovery/scans/{id}/export?format=json"));
        Assert.Equal(finding.GetProperty("sha256").GetString(), Assert.Single(json.GetProperty("found").EnumerateArray()).GetProperty("sha256").GetString());

        var import = await client.PostAsync($"/api/v1/discovery/scans/{id}/import", Json($$"""{"findingIds": [{{finding.GetProperty("id").GetInt64()}}], "mode": "lifecycle-managed"}"""));
        Assert.Equal(HttpStatusCode.OK, import.StatusCode);
        var imported = await JsonOf(import);
        Assert.Equal(1, imported.GetProperty("imported").GetInt32());
        var definitionId = imported.GetProperty("definitionIds")[0].GetGuid();
        var definition = await _server.DbAsync(db => db.Definitions.Include(d => d.CurrentCertificate).SingleAsync(d => d.Id == definitionId));
        Assert.Equal(OperationMode.LifecycleManaged, definition.OperationMode);
        Assert.Equal("127.0.0.1", definition.ServerNameForCheck);
        Assert.Equal(port, definition.CheckPort);
        Assert.Equal(finding.GetProperty("sha256").GetString(), definition.CurrentCertificate?.Sha256);

        var again = await JsonOf(await client.PostAsync($"/api/v1/discovery/scans/{id}/import", Json("""{"allMatching": true, "verdict": "all"}""")));
        Assert.Equal(0, again.GetProperty("imported").GetInt32());
        Assert.Equal(1, again.GetProperty("alreadyKnown").GetInt32());
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsync($"/api/v1/discovery/scans/{id}/cancel", null)).StatusCode);
        var list = await JsonOf(await client.GetAsync("/api/v1/discovery/scans"));
        Assert.Equal(1, list.GetProperty("total").GetInt32());
    }

    [Theory]
    [InlineData("""{"targets": ["127.0.0.1"], "ports": "0"}""", "ports-invalid")]
    [InlineData("""{"targets": ["10.0.0.0/8"], "ports": "443"}""", "too-many-targets")]
    [InlineData("""{"targets": [], "ports": "443"}""", "targets-invalid")]
    [InlineData("""{"targets": ["127.0.0.1"], "ports": "443", "sni": ["*.x.test"]}""", "sni-invalid")]
    [InlineData("""{"targets": ["127.0.0.1"], "ports": "443", "timeoutMs": 1}""", "timeout-invalid")]
    public async Task Start_BadInput_ProblemWithFieldCodeNothingStored(string body, string code)
    {
        using var client = _server.Client(await _server.TokenForNewUserAsync(UserRole.User));

        var response = await client.PostAsync("/api/v1/discovery/scans", Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(code, (await JsonOf(response)).GetProperty("code").GetString());
        Assert.Equal(0, await _server.DbAsync(db => db.DiscoveryScans.CountAsync()));
    }

    [Fact]
    public async Task UnknownScan_NotFound()
    {
        using var client = _server.Client(await _server.TokenForNewUserAsync(UserRole.User));

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/v1/discovery/scans/{Guid.NewGuid()}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync($"/api/v1/discovery/scans/{Guid.NewGuid()}/import", Json("""{"findingIds": [1]}"""))).StatusCode);
    }
}
