using System.Net.Sockets;
using CertMgr.Core.Common;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace CertMgr.Core.Notifications;

/// <summary>Sends through MailKit. The server certificate is validated by the operating system's trust store.</summary>
public sealed class MailKitSmtpTransport(NotificationOptions options) : ISmtpTransport
{
    public async Task<Result<string>> SendAsync(SmtpConnection connection, OutgoingEmail email, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(email);
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress(connection.SenderName ?? "", connection.SenderAddress));
        foreach (var to in email.To)
        {
            message.To.Add(MailboxAddress.Parse(to));
        }

        foreach (var cc in email.Cc)
        {
            message.Cc.Add(MailboxAddress.Parse(cc));
        }

        message.Subject = email.Subject;
        var text = new TextPart("plain") { Text = email.Body };
        if (email.Attachments is { Count: > 0 } attachments)
        {
            var mixed = new Multipart("mixed") { text };
            foreach (var a in attachments)
            {
                mixed.Add(new MimePart(ContentType.Parse(a.ContentType))
                {
                    Content = new MimeContent(new MemoryStream(a.Content, writable: false)),
                    ContentDisposition = new ContentDisposition(ContentDisposition.Attachment),
                    ContentTransferEncoding = ContentEncoding.Base64,
                    FileName = a.FileName,
                });
            }

            message.Body = mixed;
        }
        else
        {
            message.Body = text;
        }

        using var client = new SmtpClient { Timeout = (int)options.SmtpTimeout.TotalMilliseconds };
        if (options.ServerCertificateValidation is { } validate)
        {
            client.ServerCertificateValidationCallback = validate;
        }

        var where = $"{connection.Host}:{connection.Port}";
        try
        {
            var security = connection.Security switch
            {
                SmtpSecurity.Tls => SecureSocketOptions.SslOnConnect,
                SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
                _ => SecureSocketOptions.None,
            };
            await client.ConnectAsync(connection.Host, connection.Port, security, ct);
            if (!string.IsNullOrEmpty(connection.User))
            {
                await client.AuthenticateAsync(connection.User, connection.Password ?? "", ct);
            }

            var answer = await client.SendAsync(message, ct);
            await client.DisconnectAsync(true, ct);
            return string.IsNullOrWhiteSpace(answer) ? "accepted" : answer.Trim();
        }
        catch (SmtpCommandException e)
        {
            return new Error("smtp-refused", $"The SMTP server {where} refused: {(int)e.StatusCode} {e.Message}", ErrorKind.Unavailable);
        }
        catch (AuthenticationException e)
        {
            return new Error("smtp-auth-failed", $"The SMTP server {where} did not accept the user name and password: {e.Message}", ErrorKind.Unavailable);
        }
        catch (SmtpProtocolException e)
        {
            return new Error("smtp-protocol", $"The SMTP server {where} broke the protocol: {e.Message}", ErrorKind.Unavailable);
        }
        catch (SslHandshakeException e)
        {
            return new Error("smtp-tls-failed", $"TLS with the SMTP server {where} failed: {e.Message}", ErrorKind.Unavailable);
        }
        catch (NotSupportedException e)
        {
            return new Error("smtp-unsupported", $"The SMTP server {where}: {e.Message}", ErrorKind.Unavailable);
        }
        catch (SocketException e)
        {
            return new Error("smtp-unreachable", $"Cannot connect to the SMTP server {where}: {e.Message}", ErrorKind.Unavailable);
        }
        catch (IOException e)
        {
            return new Error("smtp-unreachable", $"The connection to the SMTP server {where} failed: {e.Message}", ErrorKind.Unavailable);
        }
        catch (TimeoutException e)
        {
            return new Error("smtp-timeout", $"The SMTP server {where} did not answer in time: {e.Message}", ErrorKind.Unavailable);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new Error("smtp-timeout", $"The SMTP server {where} did not answer in time.", ErrorKind.Unavailable);
        }
        catch (ServiceNotConnectedException e)
        {
            return new Error("smtp-unreachable", $"The SMTP server {where} closed the connection: {e.Message}", ErrorKind.Unavailable);
        }
    }
}
