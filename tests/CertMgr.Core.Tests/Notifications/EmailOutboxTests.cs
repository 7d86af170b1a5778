using CertMgr.Core.Notifications;
using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CertMgr.Core.Tests.Notifications;

/// <summary>The outbox against a real SMTP server on loopback: delivery, refusals, retries with backoff, Failed, TLS.</summary>
public class EmailOutboxTests
{
    protected virtual TestDatabase Database => TestDatabase.Sqlite;

    [Fact]
    public async Task DeliverDue_AcceptingServer_SendsEmailAndMarksItSent()
    {
        await using var smtp = TestSmtpServer.Start();
        await using var f = await FixtureAsync(smtp);
        var id = await QueueAsync(f, "Install request for www.example.com", "admin@example.com", "ops@example.com");

        var pass = await DeliverAsync(f);

        Assert.Equal(new OutboxPassResult(1, 0, 0, true), pass);
        var received = Assert.Single(smtp.Received);
        Assert.Equal("Install request for www.example.com", received.Message.Subject);
        Assert.Equal(["admin@example.com", "ops@example.com"], received.Message.To.Mailboxes.Select(m => m.Address));
        Assert.Equal("certmgr@example.com", received.Message.From.Mailboxes.Single().Address);
        Assert.Equal("CertMgr", received.Message.From.Mailboxes.Single().Name);
        Assert.Contains("body of the email", received.Message.TextBody, StringComparison.Ordinal);
        var row = await RowAsync(f, id);
        Assert.Equal(EmailStatus.Sent, row.Status);
        Assert.Equal(1, row.Tries);
        Assert.Equal(f.Time.GetUtcNow(), row.SentAt);
        Assert.Null(row.NextAttemptAt);
        Assert.Null(row.LastError);
    }

    [Fact]
    public async Task DeliverDue_PermanentRejection_RetriesAfterBackoffThenFailed()
    {
        await using var smtp = TestSmtpServer.Start();
        smtp.Answer = SmtpAnswer.RejectPermanent;
        await using var f = await FixtureAsync(smtp, maxTries: 3);
        var id = await QueueAsync(f, "Monitoring alert", "admin@example.com");
        var start = f.Time.GetUtcNow();

        Assert.Equal(new OutboxPassResult(0, 1, 0, true), await DeliverAsync(f));
        var row = await RowAsync(f, id);
        Assert.Equal(EmailStatus.Queued, row.Status);
        Assert.Equal(1, row.Tries);
        Assert.Equal(start.AddMinutes(1), row.NextAttemptAt);
        Assert.Contains("554", row.LastError, StringComparison.Ordinal);
        Assert.Contains("rejected by policy", row.LastError, StringComparison.Ordinal);

        // Not due yet: no try.
        f.Time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(new OutboxPassResult(0, 0, 0, true), await DeliverAsync(f));
        Assert.Equal(1, (await RowAsync(f, id)).Tries);

        f.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(new OutboxPassResult(0, 1, 0, true), await DeliverAsync(f));
        row = await RowAsync(f, id);
        Assert.Equal(2, row.Tries);
        Assert.Equal(f.Time.GetUtcNow().AddMinutes(5), row.NextAttemptAt);

        f.Time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(new OutboxPassResult(0, 0, 1, true), await DeliverAsync(f));
        row = await RowAsync(f, id);
        Assert.Equal(EmailStatus.Failed, row.Status);
        Assert.Equal(3, row.Tries);
        Assert.Null(row.NextAttemptAt);
        Assert.Contains("554", row.LastError, StringComparison.Ordinal);

        // Failed is final: a server that accepts now gets nothing.
        smtp.Answer = SmtpAnswer.Accept;
        f.Time.Advance(TimeSpan.FromHours(3));
        Assert.Equal(new OutboxPassResult(0, 0, 0, true), await DeliverAsync(f));
        Assert.Empty(smtp.Received);
    }

    [Fact]
    public async Task DeliverDue_TemporaryRejectionThenAccepted_SentOnSecondTry()
    {
        await using var smtp = TestSmtpServer.Start();
        smtp.Answer = SmtpAnswer.RejectTemporary;
        await using var f = await FixtureAsync(smtp);
        var id = await QueueAsync(f, "Daily report", "admin@example.com");

        await DeliverAsync(f);
        var row = await RowAsync(f, id);
        Assert.Equal(EmailStatus.Queued, row.Status);
        Assert.Contains("451", row.LastError, StringComparison.Ordinal);

        smtp.Answer = SmtpAnswer.Accept;
        f.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(new OutboxPassResult(1, 0, 0, true), await DeliverAsync(f));
        row = await RowAsync(f, id);
        Assert.Equal(EmailStatus.Sent, row.Status);
        Assert.Equal(2, row.Tries);
        Assert.Equal("Daily report", Assert.Single(smtp.Received).Message.Subject);
    }

    [Fact]
    public async Task DeliverDue_ClosedPort_RecordsUnreachableAndFailsAfterMaxTries()
    {
        await using var f = await CoreFixture.CreateAsync(database: Database,
            configure: s => s.AddSingleton(new NotificationOptions { MaxTries = 2, SmtpTimeout = TimeSpan.FromSeconds(5) }));
        await SaveSettingsAsync(f, $"127.0.0.1:{TestPorts.Next()}", SmtpSecurity.None);
        var id = await QueueAsync(f, "Interrupted process", "admin@example.com");

        await DeliverAsync(f);
        var row = await RowAsync(f, id);
        Assert.Equal(EmailStatus.Queued, row.Status);
        Assert.StartsWith("Cannot connect to the SMTP server 127.0.0.1:", row.LastError, StringComparison.Ordinal);

        f.Time.Advance(TimeSpan.FromMinutes(1));
        await DeliverAsync(f);
        row = await RowAsync(f, id);
        Assert.Equal(EmailStatus.Failed, row.Status);
        Assert.Equal(2, row.Tries);
    }

    [Fact]
    public async Task DeliverDue_NoSmtpConfigured_LeavesEmailsQueued()
    {
        await using var f = await CoreFixture.CreateAsync(database: Database);
        var id = await QueueAsync(f, "Waiting", "admin@example.com");

        Assert.Equal(new OutboxPassResult(0, 0, 0, false), await DeliverAsync(f));
        var row = await RowAsync(f, id);
        Assert.Equal(EmailStatus.Queued, row.Status);
        Assert.Equal(0, row.Tries);
    }

    [Fact]
    public async Task DeliverDue_StartTlsWithLogin_SendsEncryptedAndAuthenticated()
    {
        await using var smtp = TestSmtpServer.Start(tls: true, login: ("mailer", "s3cret-Pass"));
        await using var f = await FixtureAsync(smtp, security: SmtpSecurity.StartTls, login: ("mailer", "s3cret-Pass"));
        var id = await QueueAsync(f, "Deploy check result", "admin@example.com");

        Assert.Equal(new OutboxPassResult(1, 0, 0, true), await DeliverAsync(f));
        var received = Assert.Single(smtp.Received);
        Assert.True(received.Secure);
        Assert.Equal("mailer", received.User);
        Assert.Equal(EmailStatus.Sent, (await RowAsync(f, id)).Status);
    }

    [Fact]
    public async Task DeliverDue_StartTlsWrongPassword_RecordsAuthFailure()
    {
        await using var smtp = TestSmtpServer.Start(tls: true, login: ("mailer", "s3cret-Pass"));
        await using var f = await FixtureAsync(smtp, security: SmtpSecurity.StartTls, login: ("mailer", "wrong-Pass"));
        var id = await QueueAsync(f, "Deploy check result", "admin@example.com");

        await DeliverAsync(f);
        var row = await RowAsync(f, id);
        Assert.Equal(EmailStatus.Queued, row.Status);
        Assert.Contains("did not accept the user name and password", row.LastError, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-Pass", row.LastError, StringComparison.Ordinal);
        Assert.Empty(smtp.Received);
    }

    [Fact]
    public async Task DeliverDue_StartTlsUntrustedCertificate_RefusedByDefaultValidation()
    {
        await using var smtp = TestSmtpServer.Start(tls: true);
        await using var f = await CoreFixture.CreateAsync(database: Database); // system trust store
        await SaveSettingsAsync(f, $"127.0.0.1:{smtp.Port}", SmtpSecurity.StartTls);
        var id = await QueueAsync(f, "Secret", "admin@example.com");

        await DeliverAsync(f);
        Assert.StartsWith("TLS with the SMTP server", (await RowAsync(f, id)).LastError, StringComparison.Ordinal);
        Assert.Empty(smtp.Received);
    }

    [Fact]
    public async Task DeliverDue_ImplicitTls_SendsEncrypted()
    {
        await using var smtp = TestSmtpServer.Start(implicitTls: true);
        await using var f = await FixtureAsync(smtp, security: SmtpSecurity.Tls);
        await QueueAsync(f, "Over TLS", "admin@example.com");

        Assert.Equal(new OutboxPassResult(1, 0, 0, true), await DeliverAsync(f));
        Assert.True(Assert.Single(smtp.Received).Secure);
    }

    [Fact]
    public async Task DeliverDue_InvalidRecipient_FailsAtOnceWithoutContactingServer()
    {
        await using var smtp = TestSmtpServer.Start();
        await using var f = await FixtureAsync(smtp);
        var id = await QueueAsync(f, "Bad", "not an address");

        Assert.Equal(new OutboxPassResult(0, 0, 1, true), await DeliverAsync(f));
        var row = await RowAsync(f, id);
        Assert.Equal(EmailStatus.Failed, row.Status);
        Assert.Equal("Not an email address: not an address", row.LastError);
        Assert.Empty(smtp.Received);
    }

    [Fact]
    public async Task RetryAsync_FailedEmail_QueuedAgainAndSent()
    {
        await using var smtp = TestSmtpServer.Start();
        smtp.Answer = SmtpAnswer.RejectPermanent;
        await using var f = await FixtureAsync(smtp, maxTries: 1);
        var id = await QueueAsync(f, "Retry me", "admin@example.com");
        await DeliverAsync(f);
        Assert.Equal(EmailStatus.Failed, (await RowAsync(f, id)).Status);

        smtp.Answer = SmtpAnswer.Accept;
        await using (var scope = f.Scope())
        {
            var outbox = scope.ServiceProvider.GetRequiredService<EmailOutbox>();
            Assert.True((await outbox.RetryAsync(id, "admin", CancellationToken.None)).IsSuccess);
            Assert.Equal("email-not-failed", (await outbox.RetryAsync(id, "admin", CancellationToken.None)).Error!.Code);
            Assert.Equal("email-not-found", (await outbox.RetryAsync(Guid.NewGuid(), "admin", CancellationToken.None)).Error!.Code);
        }

        Assert.Equal(new OutboxPassResult(1, 0, 0, true), await DeliverAsync(f));
        Assert.Equal(EmailStatus.Sent, (await RowAsync(f, id)).Status);
    }

    internal static async Task<CoreFixture> CreateFixtureAsync(TestSmtpServer smtp, int maxTries = 5, SmtpSecurity security = SmtpSecurity.None,
        (string User, string Password)? login = null, TestDatabase database = TestDatabase.Sqlite)
    {
        var f = await CoreFixture.CreateAsync(database: database, configure: s => s.AddSingleton(new NotificationOptions
        {
            MaxTries = maxTries,
            ServerCertificateValidation = (_, cert, _, _) => cert is not null && smtp.Certificate is not null
                && cert.GetCertHashString() == smtp.Certificate.GetCertHashString(),
        }));
        await SaveSettingsAsync(f, $"127.0.0.1:{smtp.Port}", security, login);
        return f;
    }

    private Task<CoreFixture> FixtureAsync(TestSmtpServer smtp, int maxTries = 5, SmtpSecurity security = SmtpSecurity.None, (string User, string Password)? login = null) =>
        CreateFixtureAsync(smtp, maxTries, security, login, Database);

    internal static async Task SaveSettingsAsync(CoreFixture f, string host, SmtpSecurity security, (string User, string Password)? login = null)
    {
        await using var scope = f.Scope();
        var saved = await scope.ServiceProvider.GetRequiredService<NotificationSettings>().SaveAsync(new NotificationSettingsInput
        {
            AdminName = "Alice Admin",
            AdminEmail = "admin@example.com",
            SmtpHost = host,
            SmtpSecurity = security,
            SmtpUser = login?.User,
            SmtpPassword = login?.Password,
            SenderAddress = "certmgr@example.com",
            SenderName = "CertMgr",
        }, "admin", CancellationToken.None);
        Assert.True(saved.IsSuccess, saved.Error?.ToString());
    }

    private static async Task<Guid> QueueAsync(CoreFixture f, string subject, params string[] to)
    {
        await using var scope = f.Scope();
        var db = scope.ServiceProvider.GetRequiredService<CertMgrDbContext>();
        var row = EmailOutbox.Queue(db, new OutgoingEmail(to, [], subject, "The body of the email.\nSecond line."), "Deployment", Guid.NewGuid(), f.Time.GetUtcNow());
        await db.SaveChangesAsync();
        return row.Id;
    }

    private static async Task<OutboxPassResult> DeliverAsync(CoreFixture f)
    {
        await using var scope = f.Scope();
        return await scope.ServiceProvider.GetRequiredService<EmailOutbox>().DeliverDueAsync(CancellationToken.None);
    }

    private static async Task<SentEmail> RowAsync(CoreFixture f, Guid id)
    {
        await using var scope = f.Scope();
        return await scope.ServiceProvider.GetRequiredService<CertMgrDbContext>().SentEmails.AsNoTracking().SingleAsync(e => e.Id == id);
    }
}

public sealed class EmailOutboxOnPostgresTests : EmailOutboxTests
{
    protected override TestDatabase Database => TestDatabase.Postgres;
}
