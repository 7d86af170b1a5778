using System.Net.Security;

namespace CertMgr.Core.Notifications.Webhooks;

/// <summary>Webhook delivery tuning. <see cref="Backoff"/>[i] is the wait after the (i+1)-th failed try; the last repeats.</summary>
public sealed class WebhookOptions
{
    public IReadOnlyList<TimeSpan> Backoff { get; init; } =
        [TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2)];

    /// <summary>Tries before a delivery is Failed (the first try counts).</summary>
    public int MaxTries { get; init; } = 6;

    /// <summary>How long one POST may take, connect to last header.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest Retry-After honoured; a longer one is cut to this.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How often the worker fans out new notifications and delivers due ones.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The same notice (kind, definition, subject) within this window goes to a channel once.</summary>
    public TimeSpan DuplicateWindow { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How far behind the clock fan-out keeps looking, for notifications whose transaction committed late.</summary>
    public TimeSpan ScanLag { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Notifications fanned out, and deliveries tried, per channel and pass.</summary>
    public int BatchSize { get; init; } = 50;

    /// <summary>Tests only: trust a loopback receiver's test certificate. Null = the system trust store.</summary>
    public RemoteCertificateValidationCallback? ServerCertificateValidation { get; init; }

    /// <summary>The wait after the given number of failed tries (1 = after the first).</summary>
    public TimeSpan BackoffAfter(int failedTries) =>
        Backoff.Count == 0 ? TimeSpan.FromMinutes(1) : Backoff[Math.Clamp(failedTries - 1, 0, Backoff.Count - 1)];
}
