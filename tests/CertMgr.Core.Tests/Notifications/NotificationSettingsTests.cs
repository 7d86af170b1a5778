using System.Text;
using CertMgr.Core.Notifications;
using CertMgr.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CertMgr.Core.Tests.Notifications;

/// <summary>Saving the administrator contact and SMTP settings: parsing, per-field errors, the sealed password, the test send.</summary>
public sealed class NotificationSettingsTests
{
    [Fact]
    public async Task SaveAsync_HostWithPort_SplitsAndSealsPassword()
    {
        await using var f = await CoreFixture.CreateAsync();
        await using var scope = f.Scope();
        var settings = scope.ServiceProvider.GetRequiredService<NotificationSettings>();

        var saved = await settings.SaveAsync(Input() with { SmtpHost = "Mail.Example.com:2525", SmtpUser = "mailer", SmtpPassword = "Top-Secret-42" }, "admin", CancellationToken.None);

        Assert.True(saved.IsSuccess, saved.Error?.ToString());
        Assert.Equal("mail.example.com", saved.Value.SmtpHost);
        Assert.Equal(2525, saved.Value.SmtpPort);
        Assert.True(saved.Value.SmtpHasPassword);
        var db = scope.ServiceProvider.GetRequiredService<CertMgrDbContext>();
        var rows = await db.Settings.AsNoTracking().ToListAsync();
        Assert.DoesNotContain(rows, r => (r.Value ?? "").Contains("Top-Secret-42", StringComparison.Ordinal)
            || (r.ProtectedValue is { } p && Encoding.UTF8.GetString(p).Contains("Top-Secret-42", StringComparison.Ordinal)));
        Assert.DoesNotContain(await db.AuditEvents.AsNoTracking().ToListAsync(), e => (e.Detail ?? "").Contains("Top-Secret-42", StringComparison.Ordinal));
        Assert.Equal("Top-Secret-42", (await settings.ConnectionAsync(CancellationToken.None))!.Password);

        // An empty password keeps the stored one; clearing removes it.
        await settings.SaveAsync(Input() with { SmtpHost = "mail.example.com:2525", SmtpUser = "mailer" }, "admin", CancellationToken.None);
        Assert.Equal("Top-Secret-42", (await settings.ConnectionAsync(CancellationToken.None))!.Password);
        var cleared = await settings.SaveAsync(Input() with { SmtpHost = "mail.example.com", SmtpUser = "mailer", ClearSmtpPassword = true }, "admin", CancellationToken.None);
        Assert.False(cleared.Value.SmtpHasPassword);
        Assert.Equal(587, cleared.Value.SmtpPort);
        Assert.Null((await settings.ConnectionAsync(CancellationToken.None))!.Password);
    }

    [Theory]
    [InlineData("[::1]:25", "::1", 25)]
    [InlineData("::1", "::1", 587)]
    [InlineData("127.0.0.1", "127.0.0.1", 587)]
    public async Task SaveAsync_HostForms_Parsed(string host, string expectedHost, int expectedPort)
    {
        await using var f = await CoreFixture.CreateAsync();
        await using var scope = f.Scope();
        var saved = await scope.ServiceProvider.GetRequiredService<NotificationSettings>().SaveAsync(Input() with { SmtpHost = host }, "admin", CancellationToken.None);
        Assert.True(saved.IsSuccess, saved.Error?.ToString());
        Assert.Equal(expectedHost, saved.Value.SmtpHost);
        Assert.Equal(expectedPort, saved.Value.SmtpPort);
    }

    [Fact]
    public async Task SaveAsync_BadInput_PerFieldErrorsAndNothingChanged()
    {
        await using var f = await CoreFixture.CreateAsync();
        await using var scope = f.Scope();
        var settings = scope.ServiceProvider.GetRequiredService<NotificationSettings>();
        Assert.True((await settings.SaveAsync(Input(), "admin", CancellationToken.None)).IsSuccess);
        var before = await settings.GetAsync(CancellationToken.None);

        var refused = await settings.SaveAsync(new NotificationSettingsInput
        {
            AdminEmail = "not-an-address",
            SmtpHost = "mail example com:abc",
            SmtpPort = 70000,
            SmtpPassword = "Leaky-Secret-99",
            SenderAddress = "nobody@",
        }, "admin", CancellationToken.None);

        Assert.False(refused.IsSuccess);
        Assert.Equal("settings-invalid", refused.Error!.Code);
        var fields = refused.Error.Fields!;
        Assert.Equal(["adminEmail", "senderAddress", "smtpHost", "smtpPort", "smtpUser"], fields.Keys.Order(StringComparer.Ordinal));
        Assert.DoesNotContain("Leaky-Secret-99", refused.Error.ToString() + string.Join(" ", fields.Values.SelectMany(v => v)), StringComparison.Ordinal);
        Assert.Equal(before, await settings.GetAsync(CancellationToken.None));

        var port = await settings.SaveAsync(Input() with { SmtpHost = "mail.example.com", SmtpPort = 0 }, "admin", CancellationToken.None);
        Assert.Equal(["smtpPort"], port.Error!.Fields!.Keys);
        var conflict = await settings.SaveAsync(Input() with { SmtpHost = "mail.example.com:25", SmtpPort = 587 }, "admin", CancellationToken.None);
        Assert.Equal(["smtpPort"], conflict.Error!.Fields!.Keys);
        var noSender = await settings.SaveAsync(Input() with { SenderAddress = null }, "admin", CancellationToken.None);
        Assert.Equal(["senderAddress"], noSender.Error!.Fields!.Keys);
    }

    [Fact]
    public async Task SendTestAsync_AcceptingServer_DeliversAndReportsAnswer()
    {
        await using var smtp = TestSmtpServer.Start();
        await using var f = await EmailOutboxTests.CreateFixtureAsync(smtp);
        await using var scope = f.Scope();
        var sent = await scope.ServiceProvider.GetRequiredService<NotificationSettings>().SendTestAsync(null, "admin", CancellationToken.None);

        Assert.True(sent.IsSuccess, sent.Error?.ToString());
        var received = Assert.Single(smtp.Received);
        Assert.Equal("CertMgr test email", received.Message.Subject);
        Assert.Equal("admin@example.com", received.Message.To.Mailboxes.Single().Address);
    }

    [Fact]
    public async Task SendTestAsync_RejectingServer_ReportsServerAnswer()
    {
        await using var smtp = TestSmtpServer.Start();
        smtp.Answer = SmtpAnswer.RejectPermanent;
        await using var f = await EmailOutboxTests.CreateFixtureAsync(smtp);
        await using var scope = f.Scope();
        var settings = scope.ServiceProvider.GetRequiredService<NotificationSettings>();

        var sent = await settings.SendTestAsync("ops@example.com", "admin", CancellationToken.None);

        Assert.Equal("smtp-refused", sent.Error!.Code);
        Assert.Contains("554", sent.Error.Message, StringComparison.Ordinal);
        Assert.Contains("5.7.1 Message rejected by policy", sent.Error.Message, StringComparison.Ordinal);
        Assert.Equal("test-recipient-invalid", (await settings.SendTestAsync("x@", "admin", CancellationToken.None)).Error!.Code);
        var row = await scope.ServiceProvider.GetRequiredService<CertMgrDbContext>().SentEmails.AsNoTracking().SingleAsync();
        Assert.Equal((Data.Model.EmailStatus.Failed, NotificationSettings.TestEmailRelatedType), (row.Status, row.RelatedType));
        Assert.Contains("5.7.1", row.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendTestAsync_NotConfigured_Refused()
    {
        await using var f = await CoreFixture.CreateAsync();
        await using var scope = f.Scope();
        var sent = await scope.ServiceProvider.GetRequiredService<NotificationSettings>().SendTestAsync("a@example.com", "admin", CancellationToken.None);
        Assert.Equal("smtp-not-configured", sent.Error!.Code);
    }

    private static NotificationSettingsInput Input() => new()
    {
        AdminName = "Alice Admin",
        AdminEmail = "admin@example.com",
        SmtpHost = "mail.example.com",
        SmtpSecurity = SmtpSecurity.StartTls,
        SenderAddress = "certmgr@example.com",
        SenderName = "CertMgr",
    };
}
