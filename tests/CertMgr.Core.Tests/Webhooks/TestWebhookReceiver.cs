using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CertMgr.Core.Tests.Webhooks;

/// <summary>How the receiver answers one POST: a status and body, an optional Retry-After, or silence.</summary>
public sealed record ReceiverAnswer(int Status = 200, string Body = "ok", string? RetryAfter = null, bool Silent = false);

/// <summary>One POST as the receiver got it: the raw body bytes and the headers.</summary>
public sealed record ReceivedPost(string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var v) ? v : "";

    public string Text => System.Text.Encoding.UTF8.GetString(Body);
}

/// <summary>
/// A real HTTP receiver (Kestrel) on a free 127.0.0.1 port. It answers each POST with the next scripted
/// <see cref="ReceiverAnswer"/> (then with <see cref="Default"/>) and records what it got.
/// </summary>
public sealed class TestWebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestWebhookReceiver(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    /// <summary>A URL whose path looks like a Slack token: it must never show up outside the sealed column.</summary>
    public Uri Url => new($"http://127.0.0.1:{Port}/hooks/T0SECRET/B0SECRET/tok3nPathSecret");

    public ConcurrentQueue<ReceiverAnswer> Script { get; } = new();

    public ReceiverAnswer Default { get; set; } = new();

    public ConcurrentQueue<ReceivedPost> Received { get; } = new();

    public static async Task<TestWebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        TestWebhookReceiver? self = null;
        app.MapPost("/{**path}", async (HttpContext http) =>
        {
            using var buffer = new MemoryStream();
            await http.Request.Body.CopyToAsync(buffer, http.RequestAborted);
            self!.Received.Enqueue(new ReceivedPost(http.Request.Path, http.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()), buffer.ToArray()));
            var answer = self.Script.TryDequeue(out var next) ? next : self.Default;
            if (answer.Silent)
            {
                await Task.Delay(Timeout.Infinite, http.RequestAborted);
            }

            http.Response.StatusCode = answer.Status;
            if (answer.RetryAfter is not null)
            {
                http.Response.Headers.RetryAfter = answer.RetryAfter;
            }

            await http.Response.WriteAsync(answer.Body, http.RequestAborted);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        self = new TestWebhookReceiver(app, new Uri(address).Port);
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }
}
