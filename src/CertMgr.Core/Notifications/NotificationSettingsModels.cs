using System.Text.Json.Serialization;

namespace CertMgr.Core.Notifications;

/// <summary>How the SMTP connection is secured: STARTTLS on a plain connection, TLS from the first byte, or none.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SmtpSecurity>))]
public enum SmtpSecurity
{
    StartTls,
    Tls,
    None,
}

/// <summary>The server-wide notification settings as shown and returned: never the SMTP password, only whether one is set.</summary>
public sealed record NotificationSettingsView(
    string? AdminName,
    string? AdminEmail,
    string? SmtpHost,
    int SmtpPort,
    SmtpSecurity SmtpSecurity,
    string? SmtpUser,
    bool SmtpHasPassword,
    string? SenderAddress,
    string? SenderName,
    DateTimeOffset? UpdatedAt)
{
    /// <summary>Whether outgoing email can be sent at all: a host and a sender address are set.</summary>
    public bool SmtpConfigured => !string.IsNullOrEmpty(SmtpHost) && !string.IsNullOrEmpty(SenderAddress);
}

/// <summary>
/// A save of the settings. <see cref="SmtpHost"/> may be <c>host:port</c> (then <see cref="SmtpPort"/> may be empty);
/// an empty <see cref="SmtpPassword"/> keeps the stored one, <see cref="ClearSmtpPassword"/> removes it.
/// </summary>
public sealed record NotificationSettingsInput
{
    public string? AdminName { get; init; }
    public string? AdminEmail { get; init; }
    public string? SmtpHost { get; init; }
    public int? SmtpPort { get; init; }
    public SmtpSecurity SmtpSecurity { get; init; } = SmtpSecurity.StartTls;
    public string? SmtpUser { get; init; }
    public string? SmtpPassword { get; init; }
    public bool ClearSmtpPassword { get; init; }
    public string? SenderAddress { get; init; }
    public string? SenderName { get; init; }
}

/// <summary>Everything needed to open an SMTP session, password included: stays inside Core, never logged or returned.</summary>
public sealed record SmtpConnection(string Host, int Port, SmtpSecurity Security, string? User, string? Password, string SenderAddress, string? SenderName)
{
    public override string ToString() => $"{Host}:{Port} ({Security})"; // never the password
}

/// <summary>One message to send, with optional attachments.</summary>
public sealed record OutgoingEmail(IReadOnlyList<string> To, IReadOnlyList<string> Cc, string Subject, string Body, IReadOnlyList<EmailAttachment>? Attachments = null);

/// <summary>A file attached to an email.</summary>
public sealed record EmailAttachment(string FileName, string ContentType, byte[] Content);
