using CertMgr.Core.Common;
using CertMgr.Core.Documents;
using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace CertMgr.Core.Notifications;

/// <summary>What one outbox pass did.</summary>
public sealed record OutboxPassResult(int Sent, int Retrying, int Failed, bool SmtpConfigured);

/// <summary>
/// The email outbox: every email is a <see cref="SentEmail"/> row committed as Queued before any attempt, so none is
/// lost silently. A pass claims each due email (try counted and the next attempt moved out by the backoff, committed
/// before the server is contacted), then marks it Sent or records the server's answer; after
/// <see cref="NotificationOptions.MaxTries"/> tries it is Failed. A crash mid-send leaves a Queued row that is tried
/// again when its backoff has passed (at least once, never zero times).
/// </summary>
public sealed partial class EmailOutbox(CertMgrDbContext db, NotificationSettings settings, ISmtpTransport transport, NotificationOptions options,
    DocumentStore documents, TimeProvider time, ILogger<EmailOutbox> logger)
{
    /// <summary>Adds a Queued email to the caller's unit of work (sent by the worker after the caller commits).</summary>
    public static SentEmail Queue(CertMgrDbContext db, OutgoingEmail email, string? relatedType, Guid? relatedId, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(email);
        var row = new SentEmail
        {
            To = [.. email.To],
            Cc = [.. email.Cc],
            Subject = email.Subject,
            Body = email.Body,
            Status = EmailStatus.Queued,
            RelatedType = relatedType,
            RelatedId = relatedId,
            CreatedAt = now,
            NextAttemptAt = now,
        };
        db.SentEmails.Add(row);
        return row;
    }

    /// <summary>Sends every due Queued email (up to the batch size). Does nothing while no SMTP server is configured.</summary>
    public async Task<OutboxPassResult> DeliverDueAsync(CancellationToken ct)
    {
        var connection = await settings.ConnectionAsync(ct);
        if (connection is null)
        {
            return new OutboxPassResult(0, 0, 0, false);
        }

        var now = time.GetUtcNow();
        var due = await db.SentEmails
            .Where(e => e.Status == EmailStatus.Queued && (e.NextAttemptAt == null || e.NextAttemptAt <= now))
            .OrderBy(e => e.CreatedAt).ThenBy(e => e.Id).Take(options.BatchSize).ToListAsync(ct);
        int sent = 0, retrying = 0, failed = 0;
        foreach (var email in due)
        {
            // Claim: the try is on record before the server sees the message.
            email.Tries++;
            email.NextAttemptAt = time.GetUtcNow() + options.BackoffAfter(email.Tries);
            await db.SaveChangesAsync(ct);

            var result = await SendOneAsync(connection, email, ct);
            var at = time.GetUtcNow();
            email.LastAttemptAt = at;
            if (result.IsSuccess)
            {
                email.Status = EmailStatus.Sent;
                email.SentAt = at;
                email.NextAttemptAt = null;
                email.LastError = null;
                sent++;
                LogSent(logger, email.Id, email.Tries);
            }
            else
            {
                email.LastError = Truncate(result.Error!.Message);
                if (email.Tries >= options.MaxTries || result.Error.Code == "email-invalid")
                {
                    email.Status = EmailStatus.Failed;
                    email.NextAttemptAt = null;
                    failed++;
                    LogFailed(logger, email.Id, email.Tries, result.Error.Code);
                }
                else
                {
                    email.NextAttemptAt = at + options.BackoffAfter(email.Tries);
                    retrying++;
                    LogRetry(logger, email.Id, email.Tries, email.NextAttemptAt.Value, result.Error.Code);
                }
            }

            await db.SaveChangesAsync(ct);
        }

        return new OutboxPassResult(sent, retrying, failed, true);
    }

    /// <summary>Puts a Failed email back in the queue for a fresh round of tries (the Retry button).</summary>
    public async Task<Result<SentEmail>> RetryAsync(Guid id, string actor, CancellationToken ct)
    {
        var email = await db.SentEmails.SingleOrDefaultAsync(e => e.Id == id, ct);
        if (email is null)
        {
            return Error.NotFound("email-not-found", "No such email.");
        }

        if (email.Status != EmailStatus.Failed)
        {
            return Error.Conflict("email-not-failed", $"Only a failed email can be retried; this one is {email.Status}.");
        }

        var now = time.GetUtcNow();
        email.Status = EmailStatus.Queued;
        email.Tries = 0;
        email.NextAttemptAt = now;
        Audit.AuditLog.Record(db, now, actor, "SentEmail", email.Id.ToString(), "retry", detail: email.Subject);
        await db.SaveChangesAsync(ct);
        return email;
    }

    private async Task<Result<string>> SendOneAsync(SmtpConnection connection, SentEmail email, CancellationToken ct)
    {
        var bad = email.To.Concat(email.Cc).FirstOrDefault(a => !NotificationSettings.IsEmail(a));
        if (email.To.Count == 0 || bad is not null)
        {
            return new Error("email-invalid", bad is null ? "The email has no recipient." : $"Not an email address: {bad}");
        }

        List<EmailAttachment>? attachments = null;
        if (email.AttachmentDocumentId is { } documentId)
        {
            // Read at each try from the document folder: a package deleted meanwhile fails the email with the reason.
            var document = await db.Documents.AsNoTracking().SingleOrDefaultAsync(d => d.Id == documentId, ct);
            var opened = document is null
                ? Error.NotFound("attachment-missing", "The attached document no longer exists.")
                : await documents.OpenAsync(document.DefinitionId, document.Id, ct);
            if (!opened.IsSuccess)
            {
                return new Error("email-invalid", $"The attachment cannot be read: {opened.Error!.Message}");
            }

            await using var content = opened.Value.Content;
            using var buffer = new MemoryStream();
            await content.CopyToAsync(buffer, ct);
            attachments = [new EmailAttachment(document!.FileName, document.ContentType ?? "application/octet-stream", buffer.ToArray())];
        }

        return await transport.SendAsync(connection, new OutgoingEmail(email.To, email.Cc, email.Subject, email.Body, attachments), ct);
    }

    private static string Truncate(string s) => s.Length <= 2000 ? s : s[..2000];

    [LoggerMessage(Level = LogLevel.Information, Message = "Email {EmailId} sent (try {Tries})")]
    private static partial void LogSent(ILogger logger, Guid emailId, int tries);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Email {EmailId} not sent (try {Tries}, {Code}); next try at {NextAttempt}")]
    private static partial void LogRetry(ILogger logger, Guid emailId, int tries, DateTimeOffset nextAttempt, string code);

    [LoggerMessage(Level = LogLevel.Error, Message = "Email {EmailId} failed after {Tries} tries ({Code})")]
    private static partial void LogFailed(ILogger logger, Guid emailId, int tries, string code);
}
