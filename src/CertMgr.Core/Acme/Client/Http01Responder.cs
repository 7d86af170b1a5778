using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using CertMgr.Core.Common;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace CertMgr.Core.Acme.Client;

/// <summary>
/// CertMgr's own HTTP-01 responder (RFC 8555 8.3): a small Kestrel listener per configured address that answers
/// <c>GET /.well-known/acme-challenge/{token}</c> with the key authorization while a challenge is open, 404 otherwise.
/// Listeners start on first use and stay up for the process; tokens live in memory only while their challenge runs.
/// </summary>
public sealed partial class Http01Responder(ILogger<Http01Responder> logger) : IAsyncDisposable, IDisposable
{
    public const string PathPrefix = "/.well-known/acme-challenge/";

    private readonly ConcurrentDictionary<string, string> _tokens = new(StringComparer.Ordinal);
    private readonly Dictionary<IPEndPoint, WebApplication> _listeners = [];
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>How many challenge requests were answered with a key authorization.</summary>
    public int Served => _served;

    private int _served;

    /// <summary>Parses "127.0.0.1:5002" or "[::1]:5002".</summary>
    public static Result<IPEndPoint> ParseAddress(string? address) =>
        IPEndPoint.TryParse(address?.Trim() ?? "", out var endpoint) && endpoint.Port > 0
            ? endpoint
            : Error.Invalid("http01-address-invalid", "The HTTP-01 responder address must be an IP address and port, e.g. 0.0.0.0:80 or 127.0.0.1:5002.", "Http01Address");

    /// <summary>Starts a listener on the address unless one runs there already.</summary>
    public async Task<Result> EnsureListeningAsync(IPEndPoint endpoint, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        await _gate.WaitAsync(ct);
        try
        {
            if (_listeners.ContainsKey(endpoint))
            {
                return Result.Success();
            }

            var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
            builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
            {
                k.Listen(endpoint);
                k.Limits.MaxRequestBodySize = 0;
                k.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
            });
            var app = builder.Build();
            app.Run(AnswerAsync);
            try
            {
                await app.StartAsync(ct);
            }
            catch (IOException e)
            {
                await app.DisposeAsync();
                return Error.Unavailable("http01-listen-failed", $"The HTTP-01 responder cannot listen on {endpoint}: {e.Message}");
            }
            catch (SocketException e)
            {
                await app.DisposeAsync();
                return Error.Unavailable("http01-listen-failed", $"The HTTP-01 responder cannot listen on {endpoint}: {e.Message}");
            }

            _listeners[endpoint] = app;
            LogListening(logger, endpoint.ToString());
            return Result.Success();
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Publish(string token, string keyAuthorization) => _tokens[token] = keyAuthorization;

    public void Remove(string token) => _tokens.TryRemove(token, out _);

    private async Task AnswerAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        if (HttpMethods.IsGet(context.Request.Method) && path.StartsWith(PathPrefix, StringComparison.Ordinal)
            && _tokens.TryGetValue(path[PathPrefix.Length..], out var keyAuthorization))
        {
            Interlocked.Increment(ref _served);
            context.Response.ContentType = "application/octet-stream";
            await context.Response.WriteAsync(keyAuthorization, context.RequestAborted);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status404NotFound;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var app in _listeners.Values)
        {
            await app.DisposeAsync();
        }

        _listeners.Clear();
        _gate.Dispose();
    }

    // A container disposed synchronously (CLI verbs) must not fail on a singleton that only disposes asynchronously.
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    [LoggerMessage(Level = LogLevel.Information, Message = "HTTP-01 responder listening on {Endpoint}")]
    private static partial void LogListening(ILogger logger, string endpoint);
}
