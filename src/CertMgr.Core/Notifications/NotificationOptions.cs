using System.Net.Security;

namespace CertMgr.Core.Notifications;

/// <summary>Outbox and SMTP tuning. <see cref="Backoff"/>[i] is the wait after the (i+1)-th failed try; the last repeats.</summary>
public sealed class NotificationOptions
{
    public IReadOnlyList<TimeSpan> Backoff { get; init; } =
        [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2)];

    /// <summary>Tries before an email is shown as Failed (the first try counts).</summary>
    public int MaxTries { get; init; } = 5;

    /// <summary>How often the outbox worker looks for due emails.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan SmtpTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Emails handed to the server in one pass (the rest wait for the next).</summary>
    public int BatchSize { get; init; } = 50;

    /// <summary>Tests only: trust the in-process SMTP server's test certificate. Null = the system trust store.</summary>
    public RemoteCertificateValidationCallback? ServerCertificateValidation { get; init; }

    /// <summary>The wait after the given number of failed tries (1 = after the first).</summary>
    public TimeSpan BackoffAfter(int failedTries) =>
        Backoff.Count == 0 ? TimeSpan.FromMinutes(1) : Backoff[Math.Clamp(failedTries - 1, 0, Backoff.Count - 1)];
}
