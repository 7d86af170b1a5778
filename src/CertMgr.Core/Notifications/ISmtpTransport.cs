using CertMgr.Core.Common;

namespace CertMgr.Core.Notifications;

/// <summary>
/// The SMTP seam: hands one message to the configured server. Success carries the server's answer to the message;
/// a refusal or a connection failure is an <see cref="Error"/> (<c>smtp-refused</c>, <c>smtp-unreachable</c>, ...)
/// whose message holds the server's answer, never the password.
/// </summary>
public interface ISmtpTransport
{
    Task<Result<string>> SendAsync(SmtpConnection connection, OutgoingEmail email, CancellationToken ct);
}
