using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using CertMgr.Data.Model;

namespace CertMgr.Core.Notifications.Webhooks;

/// <summary>
/// What became of one POST: the receiver's status, reason and first bytes of its answer, or a network error; whether
/// another try makes sense (network errors, 408, 429, 5xx) and the receiver's Retry-After.
/// </summary>
public sealed record WebhookAnswer(int? Status, string? Reason, string? BodyStart, string? NetworkError, TimeSpan? RetryAfter)
{
    public bool Delivered => Status is >= 200 and < 300;

    public bool Retryable => NetworkError is not null || Status is 408 or 429 or >= 500;

    /// <summary>One line for the delivery's LastError and the console (never the URL's path or the secret).</summary>
    public string Describe() => NetworkError
        ?? $"HTTP {Status} {Reason}".TrimEnd() + (string.IsNullOrWhiteSpace(BodyStart) ? "" : ": " + BodyStart);
}

/// <summary>
/// POSTs one webhook: the format's body, signed with the channel's secret, within <see cref="WebhookOptions.Timeout"/>,
/// no redirects followed. Errors name only the receiver's host and port.
/// </summary>
public sealed class WebhookSender : IDisposable
{
    /// <summary>How much of the receiver's answer is kept.</summary>
    public const int BodyStartBytes = 300;

    private readonly WebhookOptions _options;
    private readonly TimeProvider _time;
    private readonly HttpClient _http;

    public WebhookSender(WebhookOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _time = time;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            ConnectTimeout = options.Timeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            UseCookies = false,
        };
        if (options.ServerCertificateValidation is { } validate)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = validate;
        }

        _http = new HttpClient(handler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("CertMgr-Webhook", "1"));
    }

    public async Task<WebhookAnswer> PostAsync(Uri url, WebhookFormat format, string secret, WebhookMessage message, Guid deliveryId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(message);
        var body = WebhookPayloads.Body(format, message);
        var timestamp = _time.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add(WebhookPayloads.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookPayloads.SignatureHeader, WebhookPayloads.Signature(secret, timestamp, body));
        request.Headers.Add(WebhookPayloads.EventHeader, message.Kind);
        request.Headers.Add(WebhookPayloads.DeliveryHeader, deliveryId.ToString());

        var target = $"{url.Host}:{url.Port}";
        using var timeout = new CancellationTokenSource(_options.Timeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            var start = await ReadStartAsync(response, linked.Token);
            return new WebhookAnswer((int)response.StatusCode, response.ReasonPhrase, start, null, RetryAfter(response));
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            return Network($"No answer from {target} within {_options.Timeout.TotalSeconds:0.#} s.");
        }
        catch (HttpRequestException ex)
        {
            return Network(ex.HttpRequestError switch
            {
                HttpRequestError.NameResolutionError => $"Cannot resolve the host name {url.Host}.",
                HttpRequestError.SecureConnectionError => $"The TLS handshake with {target} failed: {ex.InnerException?.Message ?? "no detail"}",
                HttpRequestError.ConnectionError when ex.InnerException is SocketException s => $"Cannot connect to {target}: {Words(s.SocketErrorCode.ToString())}.",
                HttpRequestError.ConnectionError => $"Cannot connect to {target}.",
                _ => $"The connection to {target} failed: {Words(ex.HttpRequestError.ToString())}.",
            });
        }
        catch (IOException)
        {
            return Network($"The connection to {target} was cut.");
        }
    }

    public void Dispose() => _http.Dispose();

    private static WebhookAnswer Network(string message) => new(null, null, null, message, null);

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        var wait = header?.Delta ?? (header?.Date is { } date ? date - _time.GetUtcNow() : null);
        return wait is null ? null : TimeSpan.FromTicks(Math.Clamp(wait.Value.Ticks, 0, _options.MaxRetryAfter.Ticks));
    }

    private static async Task<string> ReadStartAsync(HttpResponseMessage response, CancellationToken ct)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        var buffer = new byte[BodyStartBytes];
        var read = 0;
        int n;
        while (read < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(read), ct)) > 0)
        {
            read += n;
        }

        // Printable text only: the answer is shown in the console and stored as the last error.
        var text = Encoding.UTF8.GetString(buffer, 0, read);
        var clean = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            clean.Append(char.IsControl(c) ? ' ' : c);
        }

        return clean.ToString().Trim();
    }

    // "ConnectionRefused" -> "connection refused"
    private static string Words(string pascal)
    {
        var sb = new StringBuilder();
        foreach (var c in pascal)
        {
            if (char.IsUpper(c) && sb.Length > 0)
            {
                sb.Append(' ');
            }

            sb.Append(char.ToLowerInvariant(c));
        }

        return sb.ToString();
    }
}
