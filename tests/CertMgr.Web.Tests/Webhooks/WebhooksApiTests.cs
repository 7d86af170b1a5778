using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CertMgr.Core.Tests.Webhooks;
using CertMgr.Data.Model;
using CertMgr.Web.Tests.Api;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Web.Tests.Webhooks;

/// <summary>
/// /api/v1/webhooks over real HTTPS with a real receiver on loopback: create (secret once) / read / update / delete,
/// per-field refusals that change nothing, 403 for the User role, the test endpoint, and the server's worker delivering
/// a new Notification row; the URL's token and the secret never appear in answers or the audit log.
/// </summary>
public sealed class WebhooksApiTests : IAsyncLifetime
{
    private static readonly string[] MonitorNg = ["monitor-ng"];
    private static readonly string[] MonitorNgAndDigest = ["monitor-ng", "digest"];
    private static readonly string[] Digest = ["digest"];
    private static readonly string[] Interrupted = ["unattended-interrupted"];

    private readonly PlatformApiServer _server = new();

    public Task InitializeAsync() => _server.InitializeAsync();

    public Task DisposeAsync() => _server.DisposeAsync();

    private async Task<HttpClient> ClientAsync(UserRole role) => _server.Client(await _server.TokenForNewUserAsync(role));

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.Clone();
    }

    [Fact]
    public async Task Crud_CreateReadUpdateDelete_SecretOnceAndNoTokenAnywhere()
    {
        await using var receiver = await TestWebhookReceiver.StartAsync();
        using var http = await ClientAsync(UserRole.Admin);

        using var created = await http.PostAsJsonAsync("/api/v1/webhooks", new { name = "ops", url = receiver.Url.AbsoluteUri, format = "Slack", kinds = MonitorNg });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await JsonAsync(created);
        var secret = body.GetProperty("secret").GetString()!;
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        var id = body.GetProperty("channel").GetProperty("id").GetGuid();
        Assert.Equal($"http://127.0.0.1:{receiver.Port}/hooks/…", body.GetProperty("channel").GetProperty("url").GetString());
        Assert.Equal($"/api/v1/webhooks/{id}", created.Headers.Location!.OriginalString);

        var list = await http.GetStringAsync("/api/v1/webhooks?q=OPS");
        using (var doc = JsonDocument.Parse(list))
        {
            Assert.Equal(1, doc.RootElement.GetProperty("total").GetInt32());
            var item = doc.RootElement.GetProperty("items")[0];
            Assert.Equal("Slack", item.GetProperty("format").GetString());
            Assert.Equal(JsonValueKind.Null, item.GetProperty("lastStatus").ValueKind);
        }

        using var updated = await http.PutAsJsonAsync($"/api/v1/webhooks/{id}", new { name = "ops-2", url = "", format = "Teams", kinds = MonitorNgAndDigest, enabled = false });
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        var after = await JsonAsync(updated);
        Assert.Equal("ops-2", after.GetProperty("name").GetString());
        Assert.Equal(["monitor-ng", "digest"], after.GetProperty("kinds").EnumerateArray().Select(k => k.GetString()));
        Assert.False(after.GetProperty("enabled").GetBoolean());
        Assert.Equal($"http://127.0.0.1:{receiver.Port}/hooks/…", after.GetProperty("url").GetString()); // kept

        var get = await http.GetStringAsync($"/api/v1/webhooks/{id}");
        Assert.DoesNotContain("tok3nPathSecret", get + list, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, get + list, StringComparison.Ordinal);

        using var deleted = await http.DeleteAsync($"/api/v1/webhooks/{id}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var gone = await http.GetAsync($"/api/v1/webhooks/{id}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);

        var audit = await _server.DbAsync(db => db.AuditEvents.AsNoTracking().Where(a => a.ObjectType == "WebhookChannel").ToListAsync());
        Assert.Equal(["create", "delete", "update"], audit.Select(a => a.Action).Order());
        Assert.All(audit, a =>
        {
            Assert.DoesNotContain("tok3nPathSecret", a.Detail ?? "", StringComparison.Ordinal);
            Assert.DoesNotContain(secret, a.Detail ?? "", StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Create_BadInput_400PerFieldAndNothingSaved()
    {
        using var http = await ClientAsync(UserRole.Admin);

        using var response = await http.PostAsJsonAsync("/api/v1/webhooks", new { name = "", url = "ftp://hooks.example.test/tok3nPathSecret", format = "Discord", kinds = Array.Empty<string>() });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("tok3nPathSecret", text, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(text);
        Assert.Equal("webhook-invalid", doc.RootElement.GetProperty("code").GetString());
        Assert.Equal(["format", "kinds", "name", "url"], doc.RootElement.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(0, await _server.DbAsync(db => db.WebhookChannels.CountAsync()));

        using var missing = await http.PostAsync("/api/v1/webhooks", JsonContent.Create<object?>(null));
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal(0, await _server.DbAsync(db => db.WebhookChannels.CountAsync()));
    }

    [Fact]
    public async Task Changes_UserRole_403AndReadsAllowed()
    {
        using var admin = await ClientAsync(UserRole.Admin);
        using var user = await ClientAsync(UserRole.User);
        using var created = await admin.PostAsJsonAsync("/api/v1/webhooks", new { name = "ops", url = "https://hooks.example.test/x", kinds = Digest });
        var id = (await JsonAsync(created)).GetProperty("channel").GetProperty("id").GetGuid();

        Assert.Equal(HttpStatusCode.Forbidden, (await user.PostAsJsonAsync("/api/v1/webhooks", new { name = "u", url = "https://x.test/", kinds = Digest })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await user.PutAsJsonAsync($"/api/v1/webhooks/{id}", new { name = "u", kinds = Digest })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await user.DeleteAsync($"/api/v1/webhooks/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await user.PostAsync($"/api/v1/webhooks/{id}/test", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await user.PostAsync($"/api/v1/webhooks/{id}/new-secret", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await user.GetAsync("/api/v1/webhooks")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await user.GetAsync($"/api/v1/webhooks/{id}/deliveries")).StatusCode);
        var row = await _server.DbAsync(db => db.WebhookChannels.AsNoTracking().SingleAsync());
        Assert.Equal("ops", row.Name);
    }

    [Fact]
    public async Task Test_ReceiverAnswersOrPortClosed_AnswerOr503()
    {
        await using var receiver = await TestWebhookReceiver.StartAsync();
        receiver.Default = new ReceiverAnswer(202, "queued for the channel");
        using var http = await ClientAsync(UserRole.Admin);
        using var created = await http.PostAsJsonAsync("/api/v1/webhooks", new { name = "ops", url = receiver.Url.AbsoluteUri, kinds = Digest });
        var id = (await JsonAsync(created)).GetProperty("channel").GetProperty("id").GetGuid();

        using var ok = await http.PostAsync($"/api/v1/webhooks/{id}/test", null);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var answer = await JsonAsync(ok);
        Assert.True(answer.GetProperty("delivered").GetBoolean());
        Assert.Equal(202, answer.GetProperty("httpStatus").GetInt32());
        Assert.Equal("queued for the channel", answer.GetProperty("bodyStart").GetString());
        Assert.Single(receiver.Received);

        var closed = TestPorts.Next();
        using var moved = await http.PutAsJsonAsync($"/api/v1/webhooks/{id}", new { name = "ops", url = $"http://127.0.0.1:{closed}/tok3nPathSecret", kinds = Digest });
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        using var down = await http.PostAsync($"/api/v1/webhooks/{id}/test", null);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        var problem = await JsonAsync(down);
        Assert.Equal($"Cannot connect to 127.0.0.1:{closed}: connection refused.", problem.GetProperty("title").GetString());
        Assert.Equal("webhook-unreachable", problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Worker_NewNotification_DeliveredAndShownAsLastDelivery()
    {
        await using var receiver = await TestWebhookReceiver.StartAsync();
        using var http = await ClientAsync(UserRole.Admin);
        using var created = await http.PostAsJsonAsync("/api/v1/webhooks", new { name = "ops", url = receiver.Url.AbsoluteUri, kinds = Interrupted });
        var id = (await JsonAsync(created)).GetProperty("channel").GetProperty("id").GetGuid();
        var time = await _server.ServiceAsync<TimeProvider, DateTimeOffset>(t => Task.FromResult(t.GetUtcNow()));
        await _server.DbAsync(async db =>
        {
            db.Notifications.Add(new Notification { Kind = "unattended-interrupted", Subject = "www.example.test waits", Body = "Step product.", CreatedAt = time.AddSeconds(1) });
            return await db.SaveChangesAsync();
        });

        // The worker ticks every 10 s.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var deadline = TimeSpan.FromSeconds(30);
        while (receiver.Received.IsEmpty && clock.Elapsed < deadline)
        {
            await Task.Delay(200);
        }

        var post = Assert.Single(receiver.Received);
        Assert.Contains("www.example.test waits", post.Text, StringComparison.Ordinal);
        JsonElement deliveries = default;
        while (clock.Elapsed < deadline)
        {
            deliveries = await JsonAsync(await http.GetAsync($"/api/v1/webhooks/{id}/deliveries"));
            if (deliveries.GetProperty("items")[0].GetProperty("status").GetString() == "Sent")
            {
                break;
            }

            await Task.Delay(200);
        }

        var d = deliveries.GetProperty("items")[0];
        Assert.Equal("Sent", d.GetProperty("status").GetString());
        Assert.Equal(200, d.GetProperty("lastHttpStatus").GetInt32());
        Assert.Equal("www.example.test waits", d.GetProperty("subject").GetString());
        var item = await JsonAsync(await http.GetAsync($"/api/v1/webhooks/{id}"));
        Assert.Equal("Sent", item.GetProperty("lastStatus").GetString());
    }
}
