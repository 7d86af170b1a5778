using System.Text;
using CertMgr.Core.Notifications.Webhooks;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static CertMgr.Core.Tests.Webhooks.WebhookTestKit;

namespace CertMgr.Core.Tests.Webhooks;

/// <summary>Channel administration: per-field refusals that change nothing, sealed URL and secret, audit without secrets, the test button.</summary>
public class WebhookChannelsTests
{
    protected virtual TestDatabase Database => TestDatabase.Sqlite;

    [Theory]
    [InlineData("ops", "ftp://hooks.example.test/x", "Generic", "unattended-interrupted", "url", "absolute http:// or https://")]
    [InlineData("ops", "hooks.example.test/x", "Generic", "unattended-interrupted", "url", "absolute http:// or https://")]
    [InlineData("ops", "", "Generic", "unattended-interrupted", "url", "Enter the receiver's URL")]
    [InlineData(" ", "https://hooks.example.test/x", "Generic", "unattended-interrupted", "name", "Enter a name.")]
    [InlineData("ops", "https://hooks.example.test/x", "Discord", "unattended-interrupted", "format", "Generic, Slack or Teams")]
    [InlineData("ops", "https://hooks.example.test/x", "1", "unattended-interrupted", "format", "Generic, Slack or Teams")]
    [InlineData("ops", "https://hooks.example.test/x", "Slack", "", "kinds", "at least one")]
    [InlineData("ops", "https://hooks.example.test/x", "Slack", "cert-expired", "kinds", "Unknown kind \"cert-expired\"")]
    public async Task Create_BadInput_FieldErrorAndNothingSaved(string name, string url, string format, string kind, string field, string message)
    {
        await using var f = await FixtureAsync(Database);

        var created = await f.WithAsync(sp => sp.GetRequiredService<WebhookChannels>().CreateAsync(
            new WebhookChannelInput { Name = name, Url = url, Format = format, Kinds = kind.Length == 0 ? [] : [kind] }, "alice", default));

        Assert.False(created.IsSuccess);
        Assert.Equal("webhook-invalid", created.Error.Code);
        Assert.Contains(message, Assert.Single(created.Error.Fields!, e => e.Key == field).Value[0], StringComparison.Ordinal);
        Assert.Equal(0, await f.DbAsync(db => db.WebhookChannels.CountAsync()));
        Assert.Equal(0, await f.DbAsync(db => db.AuditEvents.CountAsync(a => a.ObjectType == WebhookChannels.ObjectType)));
    }

    [Fact]
    public async Task Update_BadInputOrTakenName_ChangesNothing()
    {
        await using var f = await FixtureAsync(Database);
        var ops = await CreateChannelAsync(f, new Uri("https://hooks.example.test/a/tok3nPathSecret"), name: "ops");
        await CreateChannelAsync(f, new Uri("https://hooks.example.test/b"), name: "team");
        var before = await f.DbAsync(db => db.WebhookChannels.AsNoTracking().SingleAsync(c => c.Id == ops.Channel.Id));

        var taken = await f.WithAsync(sp => sp.GetRequiredService<WebhookChannels>().UpdateAsync(ops.Channel.Id,
            new WebhookChannelInput { Name = "team", Url = "gopher://x", Kinds = ["digest"] }, "alice", default));

        Assert.False(taken.IsSuccess);
        Assert.Equal(["name", "url"], taken.Error.Fields!.Keys.Order());
        var after = await f.DbAsync(db => db.WebhookChannels.AsNoTracking().SingleAsync(c => c.Id == ops.Channel.Id));
        Assert.Equal(before.Name, after.Name);
        Assert.Equal(before.Kinds, after.Kinds);
        Assert.Equal(before.EncryptedUrl, after.EncryptedUrl);
        Assert.Equal(before.UpdatedAt, after.UpdatedAt);
    }

    [Fact]
    public async Task Create_UrlAndSecret_SealedShownOnceAndNeverAudited()
    {
        await using var f = await FixtureAsync(Database);
        var created = await CreateChannelAsync(f, new Uri("https://hooks.slack.test/services/T0SECRET/B0SECRET/tok3nPathSecret"), WebhookFormat.Slack);

        Assert.StartsWith("whsec_", created.Secret, StringComparison.Ordinal);
        Assert.True(created.Secret.Length >= 48);
        Assert.Equal("https://hooks.slack.test/services/…", created.Channel.UrlDisplay);
        var row = await f.DbAsync(db => db.WebhookChannels.AsNoTracking().SingleAsync());
        var stored = Encoding.UTF8.GetString(row.EncryptedUrl) + Encoding.UTF8.GetString(row.EncryptedSecret);
        Assert.DoesNotContain("tok3nPathSecret", stored, StringComparison.Ordinal);
        Assert.DoesNotContain(created.Secret, stored, StringComparison.Ordinal);

        var newSecret = await f.WithAsync(sp => sp.GetRequiredService<WebhookChannels>().NewSecretAsync(row.Id, "alice", default));
        Assert.True(newSecret.IsSuccess);
        Assert.NotEqual(created.Secret, newSecret.Value);

        var audit = await f.DbAsync(db => db.AuditEvents.AsNoTracking().Where(a => a.ObjectType == WebhookChannels.ObjectType).ToListAsync());
        Assert.Equal(["create", "new-secret"], audit.Select(a => a.Action).Order());
        Assert.All(audit, a =>
        {
            Assert.DoesNotContain("tok3nPathSecret", a.Detail ?? "", StringComparison.Ordinal);
            Assert.DoesNotContain("whsec_", a.Detail ?? "", StringComparison.Ordinal);
        });
        Assert.Contains("hooks.slack.test/services/…", audit.Single(a => a.Action == "create").Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://user:pw@hooks.example.test:8443/a/b?token=x", "https://hooks.example.test:8443/a/…?…")]
    [InlineData("http://127.0.0.1:9000/", "http://127.0.0.1:9000/")]
    [InlineData("https://outlook.office.test/webhookb2", "https://outlook.office.test/webhookb2")]
    public void DisplayUrl_HidesPathQueryAndUserInfo(string url, string expected) =>
        Assert.Equal(expected, WebhookChannels.DisplayUrl(new Uri(url)));

    [Fact]
    public async Task SendTest_ReceiverAnswers_ReportsStatusAndBodyStart()
    {
        await using var receiver = await TestWebhookReceiver.StartAsync();
        await using var f = await FixtureAsync(Database);
        var channel = await CreateChannelAsync(f, receiver.Url);
        var channels = (IServiceProvider sp) => sp.GetRequiredService<WebhookChannels>();

        receiver.Script.Enqueue(new ReceiverAnswer(200, "accepted by receiver"));
        var ok = await f.WithAsync(sp => channels(sp).SendTestAsync(channel.Channel.Id, "alice", default));
        Assert.True(ok.IsSuccess);
        Assert.Equal(new WebhookTestResult(true, 200, "OK", "accepted by receiver", "HTTP 200 OK: accepted by receiver"), ok.Value);
        var post = Assert.Single(receiver.Received);
        Assert.Equal("test", post.Header("X-CertMgr-Event"));
        Assert.Contains("\"test\":true", post.Text, StringComparison.Ordinal);

        receiver.Script.Enqueue(new ReceiverAnswer(401, new string('x', 1000)));
        var refused = await f.WithAsync(sp => channels(sp).SendTestAsync(channel.Channel.Id, "alice", default));
        Assert.True(refused.IsSuccess);
        Assert.False(refused.Value.Delivered);
        Assert.Equal(401, refused.Value.HttpStatus);
        Assert.Equal(WebhookSender.BodyStartBytes, refused.Value.BodyStart!.Length);

        // Test posts are not deliveries; they are audited.
        Assert.Empty(await DeliveriesAsync(f));
        var audit = await f.DbAsync(db => db.AuditEvents.AsNoTracking().Where(a => a.Action == "test").OrderBy(a => a.Id).ToListAsync());
        Assert.Equal(["success", "failure"], audit.Select(a => a.Outcome));
    }

    [Fact]
    public async Task SendTest_ClosedPort_UnavailableWithTheNetworkError()
    {
        await using var f = await FixtureAsync(Database);
        var port = TestPorts.Next();
        var channel = await CreateChannelAsync(f, new Uri($"http://127.0.0.1:{port}/hooks/tok3nPathSecret"));

        var sent = await f.WithAsync(sp => sp.GetRequiredService<WebhookChannels>().SendTestAsync(channel.Channel.Id, "alice", default));

        Assert.False(sent.IsSuccess);
        Assert.Equal("webhook-unreachable", sent.Error.Code);
        Assert.Equal(Common.ErrorKind.Unavailable, sent.Error.Kind);
        Assert.Equal($"Cannot connect to 127.0.0.1:{port}: connection refused.", sent.Error.Message);
    }

    [Fact]
    public async Task Delete_RemovesChannelAndItsDeliveries()
    {
        await using var receiver = await TestWebhookReceiver.StartAsync();
        await using var f = await FixtureAsync(Database);
        var channel = await CreateChannelAsync(f, receiver.Url);
        await NotifyAsync(f, "Interrupted");
        await PassAsync(f);

        var deleted = await f.WithAsync(sp => sp.GetRequiredService<WebhookChannels>().DeleteAsync(channel.Channel.Id, "alice", default));

        Assert.True(deleted.IsSuccess);
        Assert.Empty(await DeliveriesAsync(f));
        Assert.Equal(1, await f.DbAsync(db => db.Notifications.CountAsync())); // the notice itself stays (the email side's too)
    }
}

public sealed class WebhookChannelsOnPostgresTests : WebhookChannelsTests
{
    protected override TestDatabase Database => TestDatabase.Postgres;
}

public sealed class WebhookDispatcherOnPostgresTests : WebhookDispatcherTests
{
    protected override TestDatabase Database => TestDatabase.Postgres;
}
