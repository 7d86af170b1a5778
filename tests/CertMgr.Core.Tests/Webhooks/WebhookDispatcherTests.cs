using System.Text.Json;
using CertMgr.Core.Notifications.Webhooks;
using CertMgr.Data.Model;
using Microsoft.Extensions.DependencyInjection;
using static CertMgr.Core.Tests.Webhooks.WebhookTestKit;

namespace CertMgr.Core.Tests.Webhooks;

/// <summary>
/// Delivery of Notification rows to a real HTTP receiver on loopback: the signature checked with openssl, the Slack and
/// Teams shapes, retries after 500 and 429 (Retry-After), Failed after the last try, a silent receiver's timeout, a
/// crash mid-POST, only notices newer than the channel, kinds, duplicates suppressed.
/// </summary>
public class WebhookDispatcherTests
{
    protected virtual TestDatabase Database => TestDatabase.Sqlite;

    [Fact]
    public async Task Run_GenericChannel_PostsSignedJsonThatOpensslVerifies()
    {
        await using var receiver = await TestWebhookReceiver.StartAsync();
        await using var f = await FixtureAsync(Database);
        var channel = await CreateChannelAsync(f, receiver.Url);
        var definition = Guid.CreateVersion7();
        var n = await NotifyAsync(f, "Renewal of www.example.test needs a person", definitionId: definition);

        Assert.Equal(new WebhookPassResult(1, 0, 1, 0, 0), await PassAsync(f));

        var post = Assert.Single(receiver.Received);
        Assert.Equal("/hooks/T0SECRET/B0SECRET/tok3nPathSecret", post.Path);
        Assert.StartsWith("application/json", post.Header("Content-Type"), StringComparison.Ordinal);
        Assert.Equal("unattended-interrupted", post.Header("X-CertMgr-Event"));
        var timestamp = post.Header("X-CertMgr-Timestamp");
        Assert.Equal(f.Time.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), timestamp);

        // Independent check: openssl's HMAC-SHA256 over "timestamp.body" with the secret shown at creation.
        var signed = Path.Combine(f.Root, "signed.bin");
        await File.WriteAllBytesAsync(signed, [.. System.Text.Encoding.ASCII.GetBytes(timestamp + "."), .. post.Body]);
        var openssl = await ExternalTool.RunAsync("openssl", "dgst", "-sha256", "-hmac", channel.Secret, "-r", signed);
        Assert.Equal("sha256=" + openssl.Stdout.Split(' ')[0], post.Header("X-CertMgr-Signature"));
        // A replay with another timestamp does not verify.
        await File.WriteAllBytesAsync(signed, [.. System.Text.Encoding.ASCII.GetBytes((long.Parse(timestamp, System.Globalization.CultureInfo.InvariantCulture) + 1) + "."), .. post.Body]);
        var replay = await ExternalTool.RunAsync("openssl", "dgst", "-sha256", "-hmac", channel.Secret, "-r", signed);
        Assert.NotEqual("sha256=" + replay.Stdout.Split(' ')[0], post.Header("X-CertMgr-Signature"));

        using var json = JsonDocument.Parse(post.Body);
        var root = json.RootElement;
        Assert.Equal(n.Id, root.GetProperty("id").GetGuid());
        Assert.Equal("unattended-interrupted", root.GetProperty("kind").GetString());
        Assert.Equal("Renewal of www.example.test needs a person", root.GetProperty("subject").GetString());
        Assert.Contains("waits at step product", root.GetProperty("body").GetString(), StringComparison.Ordinal);
        Assert.Equal(definition, root.GetProperty("definitionId").GetGuid());
        Assert.False(root.GetProperty("test").GetBoolean());

        var d = Assert.Single(await DeliveriesAsync(f));
        Assert.Equal(WebhookDeliveryStatus.Sent, d.Status);
        Assert.Equal(1, d.Tries);
        Assert.Equal(200, d.LastHttpStatus);
        Assert.Equal(f.Time.GetUtcNow(), d.SentAt);
        Assert.Equal(d.Id.ToString(), post.Header("X-CertMgr-Delivery"));

        // Delivered once: the next pass sends nothing.
        Assert.Equal(new WebhookPassResult(0, 0, 0, 0, 0), await PassAsync(f));
        Assert.Single(receiver.Received);
    }

    [Fact]
    public async Task Run_SlackAndTeamsChannels_PostTheirPayloadShapes()
    {
        await using var receiver = await TestWebhookReceiver.StartAsync();
        await using var f = await FixtureAsync(Database);
        await CreateChannelAsync(f, new Uri(receiver.Url, "/slack/T1/B1/x"), WebhookFormat.Slack, "slack");
        await CreateChannelAsync(f, new Uri(receiver.Url, "/teams/workflow"), WebhookFormat.Teams, "teams");
        await NotifyAsync(f, "Install <www.example.test> & check", body: "Line one\nLine two");

        await PassAsync(f);

        var posts = receiver.Received.ToDictionary(p => p.Path.Split('/')[1]);
        using var slack = JsonDocument.Parse(posts["slack"].Body);
        var slackProperty = Assert.Single(slack.RootElement.EnumerateObject());
        Assert.Equal("text", slackProperty.Name);
        Assert.Equal("*Install &lt;www.example.test&gt; &amp; check*\nLine one\nLine two", slackProperty.Value.GetString());

        using var teams = JsonDocument.Parse(posts["teams"].Body);
        Assert.Equal("message", teams.RootElement.GetProperty("type").GetString());
        var attachment = Assert.Single(teams.RootElement.GetProperty("attachments").EnumerateArray());
        Assert.Equal("application/vnd.microsoft.card.adaptive", attachment.GetProperty("contentType").GetString());
        var card = attachment.GetProperty("content");
        Assert.Equal("AdaptiveCard", card.GetProperty("type").GetString());
        Assert.Equal("1.4", card.GetProperty("version").GetString());
        var blocks = card.GetProperty("body").EnumerateArray().ToList();
        Assert.Equal("TextBlock", blocks[0].GetProperty("type").GetString());
        Assert.Equal("Install <www.example.test> & check", blocks[0].GetProperty("text").GetString());
        Assert.Equal("Line one\nLine two", blocks[1].GetProperty("text").GetString());
        Assert.All(await DeliveriesAsync(f), d => Assert.Equal(WebhookDeliveryStatus.Sent, d.Status));
    }

    [Fact]
    public async Task Run_ServerErrorThenOk_RetriesAfterBackoff()
    {
        await using var receiver = await TestWebhookReceiver.StartAsync();
        receiver.Script.Enqueue(new ReceiverAnswer(500, "database is down"));
        await using var f = await FixtureAsync(Database);
        await CreateChannelAsync(f, receiver.Url);
        await NotifyAsync(f, "Interrupted");
        var start = f.Time.GetUtcNow();

        Assert.Equal(new WebhookPassResult(1, 0, 0, 1, 0), await PassAsync(f));
        var d = Assert.Single(await DeliveriesAsync(f));
        Assert.Equal(WebhookDeliveryStatus.Pending, d.Status);
        Assert.Equal(1, d.Tries);
        Assert.Equal(500, d.LastHttpStatus);
        Assert.Equal("HTTP 500 Internal Server Error: database is down", d.LastError);
        Assert.Equal(start.AddSeconds(30), d.NextAttemptAt);

        f.Time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(new WebhookPassResult(0, 0, 0, 0, 0), await PassAsync(f));
        Assert.Single(receiver.Received);

        f.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(new WebhookPassResult(0, 0, 1, 0, 0), await PassAsync(f));
        d = Assert.Single(await DeliveriesAsync(f));
        Assert.Equal(WebhookDeliveryStatus.Sent, d.Status);
        Assert.Equal(2, d.Tries);
        Assert.Null(d.LastError);
        Assert.Equal(2, receiver.Received.Count);
        // Both tries carry the same notice id: a receiver can drop the repeat.
        Assert.Single(receiver.Received.Select(p => JsonDocument.Parse(p.Body).RootElement.GetProperty("id").GetGuid()).Distinct());
    }

    [Fact]
    public async Task Run_TooManyRequestsWithRetryAfter_WaitsAsTold()
    {
        await using var receiver = await TestWebhookReceiver.StartAsync();
        receiver.Script.Enqueue(new ReceiverAnswer(429, "slow down", RetryAfter: "120"));
        await using var f = await FixtureAsync(Database);
        await CreateChannelAsync(f, receiver.Url);
        await NotifyAsync(f, "Interrupted");
        var start = f.Time.GetUtcNow();

        await PassAsync(f);
        var d = Assert.Single(await DeliveriesAsync(f));
        Assert.Equal(429, d.LastHttpStatus);
        Assert.Equal(start.AddSeconds(120), d.NextAttemptAt);

        f.Time.Advance(TimeSpan.FromSeconds(119));
        await PassAsync(f);
        Assert.Single(receiver.Received);

        f.Time.Advance(TimeSpan.FromSeconds(1));
        await PassAsync(f);
        Assert.Equal(WebhookDeliveryStatus.Sent, Assert.Single(await DeliveriesAsync(f)).Status);
        Assert.Equal(2, receiver.Received.Count);
    }

    [Fact]
    public async Task Run_AlwaysUnavailable_FailedAfterLastTryAndNotTriedAgain()
    {
        await using var receiver = await TestWebhookReceiver.StartAsync();
        receiver.Default = new ReceiverAnswer(503, "maintenance");
        await using var f = await FixtureAsync(Database, maxTries: 3);
        await CreateChannelAsync(f, receiver.Url);
        await NotifyAsync(f, "Interrupted");

        await PassAsync(f);
        f.Time.Advance(TimeSpan.FromSeconds(30));
        await PassAsync(f);
        f.Time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(new WebhookPassResult(0, 0, 0, 0, 1), await PassAsync(f));

        var d = Assert.Single(await DeliveriesAsync(f));
        Assert.Equal(WebhookDeliveryStatus.Failed, d.Status);
        Assert.Equal(3, d.Tries);
        Assert.Null(d.NextAttemptAt);
        Assert.Equal("HTTP 503 Service Unavailable: maintenance", d.LastError);

        receiver.Default = new ReceiverAnswer();
        f.Time.Advance(TimeSpan.FromHours(3));
        await PassAsync(f);
        Assert.Equal(3, receiver.Received.Count);
    }

    [Fact]
    public async Task Run_ClientError_FailsAtOnce()
    {
        await using var receiver = await TestWebhookReceiver.StartAsync();
        receiver.Default = new ReceiverAnswer(404, "no such hook");
        await using var f = await FixtureAsync(Database);
        await CreateChannelAsync(f, receiver.Url);
        await NotifyAsync(f, "Interrupted");

        Assert.Equal(new WebhookPassResult(1, 0, 0, 0, 1), await PassAsync(f));
        var d = Assert.Single(await DeliveriesAsync(f));
        Assert.Equal(WebhookDeliveryStatus.Failed, d.Status);
        Assert.Equal("HTTP 404 Not Found: no such hook", d.LastError);
    }

    [Fact]
    public async Task Run_SilentReceiver_TimesOutAndRetriesLater()
    {
        await using var receiver = await TestWebhookReceiver.StartAsync();
        receiver.Default = new ReceiverAnswer(Silent: true);
        await using var f = await FixtureAsync(Database, timeout: TimeSpan.FromSeconds(1));
        await CreateChannelAsync(f, receiver.Url);
        await NotifyAsync(f, "Interrupted");
        await NotifyAsync(f, "Interrupted again", kind: "unattended-interrupted", definitionId: Guid.CreateVersion7());

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var pass = await PassAsync(f);
        clock.Stop();

        // One timeout, not one per delivery: after a network error the channel's other deliveries wait for the next pass.
        Assert.Equal(new WebhookPassResult(2, 0, 0, 1, 0), pass);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(4));
        var tried = (await DeliveriesAsync(f)).Single(d => d.Tries == 1);
        Assert.Equal(WebhookDeliveryStatus.Pending, tried.Status);
        Assert.Null(tried.LastHttpStatus);
        Assert.Equal($"No answer from 127.0.0.1:{receiver.Port} within 1 s.", tried.LastError);
    }

    [Fact]
    public async Task Run_ClosedPort_RecordsConnectionRefusedWithoutThePath()
    {
        await using var f = await FixtureAsync(Database);
        var port = TestPorts.Next();
        await CreateChannelAsync(f, new Uri($"http://127.0.0.1:{port}/hooks/tok3nPathSecret"));
        await NotifyAsync(f, "Interrupted");

        await PassAsync(f);

        var d = Assert.Single(await DeliveriesAsync(f));
        Assert.Equal(WebhookDeliveryStatus.Pending, d.Status);
        Assert.Equal($"Cannot connect to 127.0.0.1:{port}: connection refused.", d.LastError);
    }

    [Fact]
    public async Task Run_CrashDuringPost_TryIsOnRecordAndDeliveredAfterRestart()
    {
        await using var receiver = await TestWebhookReceiver.StartAsync();
        receiver.Script.Enqueue(new ReceiverAnswer(Silent: true));
        await using var f = await FixtureAsync(Database);
        await CreateChannelAsync(f, receiver.Url);
        await NotifyAsync(f, "Interrupted");

        // The process dies while the receiver holds the POST: the pass is cut off mid-send.
        using var crash = new CancellationTokenSource();
        var pass = PassAsync(f, crash.Token);
        while (receiver.Received.IsEmpty)
        {
            await Task.Delay(20);
        }

        await crash.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pass);
        var d = Assert.Single(await DeliveriesAsync(f));
        Assert.Equal(WebhookDeliveryStatus.Pending, d.Status);
        Assert.Equal(1, d.Tries);
        Assert.Equal(f.Time.GetUtcNow().AddSeconds(30), d.NextAttemptAt);

        // After the restart (new scope, state only in the database) the delivery is tried again once its backoff passed.
        f.Time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(new WebhookPassResult(0, 0, 1, 0, 0), await PassAsync(f));
        d = Assert.Single(await DeliveriesAsync(f));
        Assert.Equal(WebhookDeliveryStatus.Sent, d.Status);
        Assert.Equal(2, d.Tries);
        Assert.Equal(2, receiver.Received.Count);
    }

    [Fact]
    public async Task Run_OlderNoticesAndOtherKinds_NotDelivered()
    {
        await using var receiver = await TestWebhookReceiver.StartAsync();
        await using var f = await FixtureAsync(Database);
        await NotifyAsync(f, "Before the channel existed");
        f.Time.Advance(TimeSpan.FromSeconds(1));
        await CreateChannelAsync(f, receiver.Url, kinds: ["unattended-interrupted", "monitor-ng"]);
        await NotifyAsync(f, "Monitor OK", kind: "monitor-ok");
        await NotifyAsync(f, "Endpoint NG", kind: "monitor-ng");

        await PassAsync(f);

        var post = Assert.Single(receiver.Received);
        Assert.Equal("Endpoint NG", JsonDocument.Parse(post.Body).RootElement.GetProperty("subject").GetString());
        Assert.Single(await DeliveriesAsync(f));
    }

    [Fact]
    public async Task Run_SameNoticeWithinWindow_DeliveredOnceThenAgainAfterWindow()
    {
        await using var receiver = await TestWebhookReceiver.StartAsync();
        await using var f = await FixtureAsync(Database);
        await CreateChannelAsync(f, receiver.Url);
        var definition = Guid.CreateVersion7();
        await NotifyAsync(f, "www.example.test interrupted", definitionId: definition);
        await PassAsync(f);
        f.Time.Advance(TimeSpan.FromMinutes(1));
        await NotifyAsync(f, "www.example.test interrupted", definitionId: definition);
        await NotifyAsync(f, "www.example.test interrupted", definitionId: definition);
        await NotifyAsync(f, "www.example.test interrupted", definitionId: Guid.CreateVersion7()); // another definition

        Assert.Equal(new WebhookPassResult(1, 2, 1, 0, 0), await PassAsync(f));
        var deliveries = await DeliveriesAsync(f);
        Assert.Equal(
            [WebhookDeliveryStatus.Sent, WebhookDeliveryStatus.Suppressed, WebhookDeliveryStatus.Suppressed],
            deliveries.Where(d => d.Notification.DefinitionId == definition).Select(d => d.Status));
        Assert.Equal(2, receiver.Received.Count);

        f.Time.Advance(TimeSpan.FromMinutes(10));
        await NotifyAsync(f, "www.example.test interrupted", definitionId: definition);
        Assert.Equal(new WebhookPassResult(1, 0, 1, 0, 0), await PassAsync(f));
        Assert.Equal(3, receiver.Received.Count);
    }

    [Fact]
    public async Task Run_DisabledThenEnabled_NoticesWhileOffNotSent()
    {
        await using var receiver = await TestWebhookReceiver.StartAsync();
        await using var f = await FixtureAsync(Database);
        var channel = await CreateChannelAsync(f, receiver.Url);
        var input = new WebhookChannelInput { Name = "ops", Kinds = ["unattended-interrupted"], Enabled = false };
        Assert.True((await f.WithAsync(sp => sp.GetRequiredService<WebhookChannels>().UpdateAsync(channel.Channel.Id, input, "alice", default))).IsSuccess);
        await NotifyAsync(f, "While off");
        await PassAsync(f);
        Assert.Empty(receiver.Received);

        f.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.True((await f.WithAsync(sp => sp.GetRequiredService<WebhookChannels>().UpdateAsync(channel.Channel.Id, input with { Enabled = true }, "alice", default))).IsSuccess);
        await NotifyAsync(f, "After on");
        await PassAsync(f);

        var post = Assert.Single(receiver.Received);
        Assert.Equal("After on", JsonDocument.Parse(post.Body).RootElement.GetProperty("subject").GetString());
    }
}
