using System.Net;
using System.Text.Json;
using CertMgr.Core.Audit;
using CertMgr.Core.Inventory;
using CertMgr.Data.Model;

namespace CertMgr.Web.Tests.Api;

/// <summary>/api/v1/events over real HTTPS with tokens: filters, search, sort, paging, refusals.</summary>
public sealed class EventsApiTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly PlatformApiServer _server = new();
    private readonly Guid _definition = Guid.NewGuid();
    private readonly Guid _run = Guid.NewGuid();

    public async Task InitializeAsync()
    {
        await _server.InitializeAsync();
        await _server.DbAsync(db =>
        {
            db.Record(T0, "alice", DefinitionHistory.ObjectType, _definition.ToString(), "create", detail: "Created www.events.example", address: "192.0.2.10");
            db.Record(T0.AddMinutes(1), "bob", DefinitionHistory.ObjectType, _definition.ToString(), "delete", success: false, detail: "Refused: not an admin", address: "198.51.100.7");
            db.Record(T0.AddMinutes(2), AuditLog.System, nameof(MonitorRun), _run.ToString(), "complete", detail: "OK 3, NG 1, Unreachable 0");
            db.Record(T0.AddMinutes(3), "alice", "MonitorSchedule", null, "update", detail: "daily at 06:00 UTC → every 60 minutes");
            return db.SaveChangesAsync();
        });
    }

    public Task DisposeAsync() => _server.DisposeAsync();

    private async Task<HttpClient> ClientAsync(UserRole role) => _server.Client(await _server.TokenForNewUserAsync(role));

    /// <summary>The actions of the seeded events (time ≥ T0) that a query returns, in order.</summary>
    private static async Task<List<string>> ActionsAsync(HttpClient http, string query)
    {
        var separator = query.Length == 0 ? "?" : "&";
        using var doc = JsonDocument.Parse(await http.GetStringAsync($"/api/v1/events{query}{separator}since={Uri.EscapeDataString(T0.ToString("O"))}&until=2026-11-02T00:00:00Z"));
        return [.. doc.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("action").GetString()!)];
    }

    [Fact]
    public async Task List_Anonymous_401()
    {
        using var http = _server.Client();

        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/v1/events")).StatusCode);
    }

    [Fact]
    public async Task List_FilterSearchSortPage_AnyUser()
    {
        using var http = await ClientAsync(UserRole.User);

        Assert.Equal(["update", "complete", "delete", "create"], await ActionsAsync(http, ""));
        Assert.Equal(["create", "delete", "complete", "update"], await ActionsAsync(http, "?sort=time&dir=asc"));
        Assert.Equal(["delete"], await ActionsAsync(http, "?outcome=failure"));
        Assert.Equal(["delete", "create"], await ActionsAsync(http, $"?objectType={DefinitionHistory.ObjectType}"));
        Assert.Equal(["complete"], await ActionsAsync(http, $"?objectId={_run}"));
        Assert.Equal(["update", "create"], await ActionsAsync(http, "?actor=alice"));
        Assert.Equal(["complete"], await ActionsAsync(http, "?q=ng%201"));
        Assert.Equal(["delete"], await ActionsAsync(http, "?q=198.51."));
        Assert.Equal(["update"], await ActionsAsync(http, "?take=1"));
        Assert.Equal(["delete"], await ActionsAsync(http, "?skip=2&take=1"));

        using var doc = JsonDocument.Parse(await http.GetStringAsync("/api/v1/events?outcome=failure"));
        var item = doc.RootElement.GetProperty("items")[0];
        Assert.Equal(1, doc.RootElement.GetProperty("total").GetInt32());
        Assert.Equal(("bob", "198.51.100.7", "failure", _definition.ToString()),
            (item.GetProperty("actor").GetString(), item.GetProperty("address").GetString(), item.GetProperty("outcome").GetString(), item.GetProperty("objectId").GetString()));
    }

    [Theory]
    [InlineData("?take=0")]
    [InlineData("?take=500")]
    [InlineData("?skip=-5")]
    [InlineData("?sort=detail")]
    [InlineData("?outcome=maybe")]
    [InlineData("?since=yesterday")]
    public async Task List_BadInput_400(string query)
    {
        using var http = await ClientAsync(UserRole.User);

        var response = await http.GetAsync("/api/v1/events" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
