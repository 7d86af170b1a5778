using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using CertMgr.Core.Monitoring;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Web.Tests.Api;

/// <summary>/api/v1/monitor over real HTTPS with tokens: schedule, Run Now (202/409), history, reports, refusals.</summary>
public sealed class MonitorApiTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly PlatformApiServer _server = new();

    public Task InitializeAsync() => _server.InitializeAsync();

    public Task DisposeAsync() => _server.DisposeAsync();

    private async Task<HttpClient> ClientAsync(UserRole role) => _server.Client(await _server.TokenForNewUserAsync(role));

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private async Task AddMonitoredAsync(params (string Name, int Port)[] endpoints)
    {
        var now = TimeProvider.System.GetUtcNow();
        await _server.DbAsync(async db =>
        {
            foreach (var (name, port) in endpoints)
            {
                db.Definitions.Add(new CertificateDefinition
                {
                    Name = name, CommonName = name, OperationMode = OperationMode.MonitoredOnly, ServerNameForCheck = "127.0.0.1",
                    CheckPort = port, MonitoringEnabled = true, CreatedAt = now, UpdatedAt = now,
                });
            }

            return await db.SaveChangesAsync();
        });
    }

    [Fact]
    public async Task Endpoints_Anonymous_401()
    {
        using var http = _server.Client();

        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/v1/monitor/schedule")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PutAsync("/api/v1/monitor/schedule", Json("""{"kind":"off"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsync("/api/v1/monitor/runs", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/v1/monitor/runs")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync($"/api/v1/monitor/runs/{Guid.NewGuid()}")).StatusCode);
        Assert.Equal(0, await _server.DbAsync(db => db.MonitorRuns.CountAsync()));
    }

    [Fact]
    public async Task PutSchedule_UserForbiddenAdminSaves_GetShowsItWithNextRun()
    {
        using var user = await ClientAsync(UserRole.User);
        using var admin = await ClientAsync(UserRole.Admin);

        var forbidden = await user.PutAsync("/api/v1/monitor/schedule", Json("""{"kind":"off"}"""));
        var saved = await admin.PutAsync("/api/v1/monitor/schedule", Json("""{"kind":"interval","intervalMinutes":120}"""));
        using var shown = JsonDocument.Parse(await user.GetStringAsync("/api/v1/monitor/schedule"));

        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        var root = shown.RootElement;
        Assert.Equal("interval", root.GetProperty("kind").GetString());
        Assert.Equal(120, root.GetProperty("intervalMinutes").GetInt32());
        Assert.Equal("every 120 minutes", root.GetProperty("description").GetString());
        var next = root.GetProperty("nextRunAt").GetDateTimeOffset();
        var updated = root.GetProperty("updatedAt").GetDateTimeOffset();
        Assert.Equal(updated.AddMinutes(120), next);
        var stored = await _server.DbAsync(db => db.Settings.SingleAsync(s => s.Key == MonitorSchedule.SettingKey));
        Assert.Equal(MonitorScheduleKind.Interval, MonitorSchedule.FromJson(stored.Value).Kind);

        var off = await admin.PutAsync("/api/v1/monitor/schedule", Json("""{"kind":"off"}"""));
        using var offDoc = JsonDocument.Parse(await off.Content.ReadAsStringAsync());
        Assert.Equal(JsonValueKind.Null, offDoc.RootElement.GetProperty("nextRunAt").ValueKind);
    }

    [Theory]
    [InlineData("""{"kind":"interval","intervalMinutes":1}""", "interval-invalid")]
    [InlineData("""{"kind":"interval"}""", "interval-invalid")]
    [InlineData("""{"kind":"daily","dailyAtUtc":"25:00"}""", "time-invalid")]
    [InlineData("""{"kind":"daily","dailyAtUtc":"6 am"}""", "time-invalid")]
    [InlineData("""{"kind":"weekly"}""", "schedule-invalid")]
    [InlineData("""{}""", "schedule-invalid")]
    [InlineData("""{"kind":"interval","intervalMinutes":"soon"}""", null)]
    public async Task PutSchedule_BadValues_400AndNothingStored(string body, string? code)
    {
        using var admin = await ClientAsync(UserRole.Admin);

        var response = await admin.PutAsync("/api/v1/monitor/schedule", Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        if (code is not null)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal(code, problem.RootElement.GetProperty("code").GetString());
        }

        Assert.False(await _server.DbAsync(db => db.Settings.AnyAsync(s => s.Key == MonitorSchedule.SettingKey)));
    }

    [Fact]
    public async Task StartRun_WhileOneRuns_409ThenReportListsEveryResult()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var held = new List<Socket>();
        var accepting = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    held.Add(await silent.AcceptSocketAsync());
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // The listener was stopped.
            }
        });
        await AddMonitoredAsync(("silent.monitor.test", ((IPEndPoint)silent.LocalEndpoint).Port), ("closed.monitor.test", TestPorts.Next()));
        using var http = await ClientAsync(UserRole.User);

        var started = await http.PostAsync("/api/v1/monitor/runs", null);
        var again = await http.PostAsync("/api/v1/monitor/runs", null);

        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var id = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        Assert.Equal($"/api/v1/monitor/runs/{id}", started.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        using (var conflict = JsonDocument.Parse(await again.Content.ReadAsStringAsync()))
        {
            Assert.Equal("run-in-progress", conflict.RootElement.GetProperty("code").GetString());
        }

        using (var running = JsonDocument.Parse(await http.GetStringAsync($"/api/v1/monitor/runs/{id}")))
        {
            Assert.Equal("running", running.RootElement.GetProperty("run").GetProperty("status").GetString());
            Assert.Equal(2, running.RootElement.GetProperty("progress").GetProperty("total").GetInt32());
        }

        silent.Stop(); // hang up on the probe: the pass ends
        await accepting; // the accept loop has ended, so nothing adds to held any more
        foreach (var socket in held)
        {
            socket.Dispose();
        }

        var report = await UntilCompletedAsync(http, id);
        var run = report.GetProperty("run");
        Assert.Equal(("manual", 0, 0, 2, 2), (run.GetProperty("trigger").GetString(), run.GetProperty("okCount").GetInt32(),
            run.GetProperty("ngCount").GetInt32(), run.GetProperty("unreachableCount").GetInt32(), run.GetProperty("total").GetInt32()));
        Assert.Equal(JsonValueKind.Null, report.GetProperty("progress").ValueKind);
        var results = report.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(["closed.monitor.test", "silent.monitor.test"], results.Select(r => r.GetProperty("definitionName").GetString()).Order());
        Assert.All(results, r => Assert.Equal("Unreachable", r.GetProperty("status").GetString()));
        Assert.All(results, r => Assert.False(string.IsNullOrEmpty(r.GetProperty("reason").GetString())));
        Assert.All(results, r => Assert.Equal(JsonValueKind.Array, r.GetProperty("checks").ValueKind));

        using var closed = JsonDocument.Parse(await http.GetStringAsync($"/api/v1/monitor/runs/{id}?q=CLOSED.MONITOR&status=unreachable"));
        using var ng = JsonDocument.Parse(await http.GetStringAsync($"/api/v1/monitor/runs/{id}?status=ng"));
        using var list = JsonDocument.Parse(await http.GetStringAsync("/api/v1/monitor/runs?trigger=manual&status=completed"));
        Assert.Equal(1, closed.RootElement.GetProperty("resultTotal").GetInt32());
        Assert.Equal("closed.monitor.test", closed.RootElement.GetProperty("results")[0].GetProperty("definitionName").GetString());
        Assert.Equal(0, ng.RootElement.GetProperty("resultTotal").GetInt32());
        Assert.Equal(1, list.RootElement.GetProperty("total").GetInt32());
        Assert.Equal(id, list.RootElement.GetProperty("items")[0].GetProperty("id").GetGuid());
        Assert.Equal(2, list.RootElement.GetProperty("items")[0].GetProperty("unreachableCount").GetInt32());
    }

    private static async Task<JsonElement> UntilCompletedAsync(HttpClient http, Guid id)
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (true)
        {
            using var doc = JsonDocument.Parse(await http.GetStringAsync($"/api/v1/monitor/runs/{id}", timeout.Token));
            if (doc.RootElement.GetProperty("run").GetProperty("status").GetString() != "running")
            {
                return doc.RootElement.Clone();
            }

            await Task.Delay(50, timeout.Token);
        }
    }

    [Theory]
    [InlineData("/api/v1/monitor/runs?take=0")]
    [InlineData("/api/v1/monitor/runs?take=201")]
    [InlineData("/api/v1/monitor/runs?skip=-1")]
    [InlineData("/api/v1/monitor/runs?status=sleeping")]
    [InlineData("/api/v1/monitor/runs?status=1")]
    [InlineData("/api/v1/monitor/runs?trigger=cron")]
    [InlineData("/api/v1/monitor/runs?sort=password")]
    [InlineData("/api/v1/monitor/runs/00000000-0000-0000-0000-000000000001?status=maybe")]
    [InlineData("/api/v1/monitor/runs/00000000-0000-0000-0000-000000000001?sort=reason")]
    public async Task Runs_BadInput_400Problem(string url)
    {
        using var http = await ClientAsync(UserRole.User);

        var response = await http.GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task GetRun_Unknown_404()
    {
        using var http = await ClientAsync(UserRole.User);

        var response = await http.GetAsync($"/api/v1/monitor/runs/{Guid.NewGuid()}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("run-not-found", problem.RootElement.GetProperty("code").GetString());
    }
}
