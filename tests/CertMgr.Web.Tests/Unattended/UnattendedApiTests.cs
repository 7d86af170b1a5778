using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CertMgr.Core.Unattended;
using CertMgr.Data.Model;
using CertMgr.Web.Tests.Api;

namespace CertMgr.Web.Tests.Unattended;

/// <summary>/api/v1/unattended over real HTTPS with tokens: run a pass, status with the waiting process, report, interval.</summary>
public sealed class UnattendedApiTests : IAsyncLifetime
{
    private readonly PlatformApiServer _server = new();

    public Task InitializeAsync() => _server.InitializeAsync();

    public Task DisposeAsync() => _server.DisposeAsync();

    private async Task<HttpClient> ClientAsync(UserRole role) => _server.Client(await _server.TokenForNewUserAsync(role));

    [Fact]
    public async Task Run_DefinitionWithoutProduct_ReportedInterruptedAndWaitingInStatus()
    {
        var now = TimeProvider.System.GetUtcNow();
        var definitionId = await _server.DbAsync(async db =>
        {
            var d = new CertificateDefinition { Name = "api.unattended.test", CommonName = "api.unattended.test", ExecutionMode = ExecutionMode.Unattended, CreatedAt = now, UpdatedAt = now };
            db.Definitions.Add(d);
            await db.SaveChangesAsync();
            return d.Id;
        });
        using var http = await ClientAsync(UserRole.User);

        var started = await http.PostAsync("/api/v1/unattended/run", null);

        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var id = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        Assert.Equal($"/api/v1/unattended/runs/{id}", started.Headers.Location?.OriginalString);
        JsonElement report = default;
        for (var i = 0; i < 300; i++)
        {
            report = await http.GetFromJsonAsync<JsonElement>($"/api/v1/unattended/runs/{id}");
            if (report.GetProperty("run").GetProperty("status").GetString() != "running")
            {
                break;
            }

            await Task.Delay(100);
        }

        Assert.Equal("completed", report.GetProperty("run").GetProperty("status").GetString());
        var item = Assert.Single(report.GetProperty("items").EnumerateArray());
        Assert.Equal(definitionId, item.GetProperty("definitionId").GetGuid());
        Assert.Equal("Interrupted", item.GetProperty("outcome").GetString());
        Assert.Equal(UnattendedSteps.Product, item.GetProperty("step").GetString());

        var status = await http.GetFromJsonAsync<JsonElement>("/api/v1/unattended");
        Assert.Equal(id, status.GetProperty("lastRun").GetProperty("id").GetGuid());
        Assert.Equal("60m", status.GetProperty("schedule").GetProperty("interval").GetString());
        Assert.Equal(1, status.GetProperty("waitingTotal").GetInt32());
        var waiting = Assert.Single(status.GetProperty("waiting").EnumerateArray());
        Assert.Contains("no product", waiting.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, await _server.DbAsync(db => Task.FromResult(db.Notifications.Count(n => n.DefinitionId == definitionId))));
    }

    [Fact]
    public async Task Schedule_AdminSetsOffUserForbiddenBadIntervalRefused()
    {
        using var admin = await ClientAsync(UserRole.Admin);
        using var user = await ClientAsync(UserRole.User);
        static StringContent Body(string interval) => new($$"""{"interval":"{{interval}}"}""", Encoding.UTF8, "application/json");

        Assert.Equal(HttpStatusCode.Forbidden, (await user.PutAsync("/api/v1/unattended/schedule", Body("off"))).StatusCode);
        var bad = await admin.PutAsync("/api/v1/unattended/schedule", Body("every tuesday"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("interval-invalid", (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        var off = await admin.PutAsync("/api/v1/unattended/schedule", Body("off"));

        Assert.Equal(HttpStatusCode.OK, off.StatusCode);
        var view = await off.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(view.GetProperty("off").GetBoolean());
        Assert.Equal(JsonValueKind.Null, view.GetProperty("nextRunAt").ValueKind);
        Assert.Equal(HttpStatusCode.NotFound, (await user.GetAsync($"/api/v1/unattended/runs/{Guid.NewGuid()}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _server.Client().GetAsync("/api/v1/unattended")).StatusCode);
    }
}
