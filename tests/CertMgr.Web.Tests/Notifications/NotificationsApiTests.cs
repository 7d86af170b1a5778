using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CertMgr.Core.Tests.Notifications;
using CertMgr.Data.Model;
using CertMgr.Web.Tests.Api;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Web.Tests.Notifications;

/// <summary>
/// /api/v1/settings/notifications and /api/v1/emails over real HTTPS against a real SMTP server on loopback: saving with
/// per-field errors, the write-only password, Send Test Email with the server's answer, the email list and detail, and
/// the server's outbox worker delivering a queued email.
/// </summary>
public sealed class NotificationsApiTests : IAsyncLifetime
{
    private readonly PlatformApiServer _server = new();

    public Task InitializeAsync() => _server.InitializeAsync();

    public Task DisposeAsync() => _server.DisposeAsync();

    private async Task<HttpClient> AdminAsync() => _server.Client(await _server.TokenForNewUserAsync(UserRole.Admin));

    private static object Settings(int port, string? password = null) => new
    {
        adminName = "Alice Admin",
        adminEmail = "admin@example.com",
        smtpHost = $"127.0.0.1:{port}",
        smtpSecurity = "None",
        smtpUser = password is null ? null : "mailer",
        smtpPassword = password,
        senderAddress = "certmgr@example.com",
        senderName = "CertMgr",
    };

    [Fact]
    public async Task Put_BadInput_400PerFieldAndNothingSaved()
    {
        using var http = await AdminAsync();

        var response = await http.PutAsJsonAsync("/api/v1/settings/notifications", new
        {
            adminEmail = "nope",
            smtpHost = "bad host:xx",
            smtpSecurity = "StartTls",
            smtpPassword = "Leaky-Secret-77",
            senderAddress = "x@",
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("Leaky-Secret-77", text, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(text);
        var errors = doc.RootElement.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal);
        Assert.Equal(["adminEmail", "senderAddress", "smtpHost", "smtpUser"], errors);
        using var get = JsonDocument.Parse(await http.GetStringAsync("/api/v1/settings/notifications"));
        Assert.Equal(JsonValueKind.Null, get.RootElement.GetProperty("smtpHost").ValueKind);

        var security = await http.PutAsJsonAsync("/api/v1/settings/notifications", new { smtpSecurity = "carrier-pigeon" });
        Assert.Equal(HttpStatusCode.BadRequest, security.StatusCode);
        Assert.Contains("smtpSecurity", await security.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SettingsApi_NonAdmin_403()
    {
        using var http = _server.Client(await _server.TokenForNewUserAsync(UserRole.User));
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync("/api/v1/settings/notifications")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.PostAsJsonAsync("/api/v1/settings/notifications/test-email", new { to = "a@example.com" })).StatusCode);
    }

    [Fact]
    public async Task TestEmail_AcceptedThenRejected_ReportsServerAnswer()
    {
        await using var smtp = TestSmtpServer.Start();
        using var http = await AdminAsync();
        var put = await http.PutAsJsonAsync("/api/v1/settings/notifications", Settings(smtp.Port, "Api-Secret-55"));
        var putText = await put.Content.ReadAsStringAsync();
        Assert.True(put.IsSuccessStatusCode, putText);
        Assert.DoesNotContain("Api-Secret-55", putText, StringComparison.Ordinal);
        Assert.Contains("\"smtpHasPassword\":true", putText, StringComparison.Ordinal);

        // The test server asks for no AUTH on a plain connection; clear the login for the test send.
        Assert.True((await http.PutAsJsonAsync("/api/v1/settings/notifications", Settings(smtp.Port))).IsSuccessStatusCode);
        var ok = await http.PostAsJsonAsync("/api/v1/settings/notifications/test-email", new { to = "ops@example.com" });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("ops@example.com", Assert.Single(smtp.Received).Message.To.Mailboxes.Single().Address);

        smtp.Answer = SmtpAnswer.RejectPermanent;
        var refused = await http.PostAsJsonAsync("/api/v1/settings/notifications/test-email", new { to = "ops@example.com" });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Contains("5.7.1 Message rejected by policy", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Emails_ListFilterDetail_AndWorkerDeliversQueued()
    {
        var t0 = new DateTimeOffset(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);
        var deployment = Guid.NewGuid();
        var (sent, failed) = (Guid.NewGuid(), Guid.NewGuid());
        await _server.DbAsync(db =>
        {
            db.SentEmails.Add(new SentEmail { Id = sent, To = ["a@example.com"], Subject = "Install request www", Body = "Please install", Status = EmailStatus.Sent, Tries = 1, CreatedAt = t0, SentAt = t0, RelatedType = nameof(Deployment), RelatedId = deployment });
            db.SentEmails.Add(new SentEmail { Id = failed, To = ["b@example.com"], Subject = "Monitoring alert", Body = "NG", Status = EmailStatus.Failed, Tries = 5, LastError = "554 rejected", CreatedAt = t0.AddMinutes(1) });
            return db.SaveChangesAsync();
        });
        using var http = _server.Client(await _server.TokenForNewUserAsync(UserRole.User));

        using (var all = JsonDocument.Parse(await http.GetStringAsync("/api/v1/emails")))
        {
            Assert.Equal(["Monitoring alert", "Install request www"], all.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("subject").GetString()));
        }

        using (var failedOnly = JsonDocument.Parse(await http.GetStringAsync("/api/v1/emails?status=failed")))
        {
            Assert.Equal(failed, failedOnly.RootElement.GetProperty("items")[0].GetProperty("id").GetGuid());
            Assert.Equal(1, failedOnly.RootElement.GetProperty("total").GetInt32());
        }

        using (var search = JsonDocument.Parse(await http.GetStringAsync("/api/v1/emails?q=install&sort=subject&dir=asc")))
        {
            Assert.Equal(deployment, search.RootElement.GetProperty("items")[0].GetProperty("relatedId").GetGuid());
        }

        using (var detail = JsonDocument.Parse(await http.GetStringAsync($"/api/v1/emails/{sent}")))
        {
            Assert.Equal("Please install", detail.RootElement.GetProperty("body").GetString());
        }

        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/api/v1/emails?status=lost")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/api/v1/emails?take=0")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/api/v1/emails/{Guid.NewGuid()}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.PostAsync($"/api/v1/emails/{failed}/retry", null)).StatusCode);

        // The server's outbox worker sends what is queued once SMTP is configured.
        await using var smtp = TestSmtpServer.Start();
        using var admin = await AdminAsync();
        Assert.True((await admin.PutAsJsonAsync("/api/v1/settings/notifications", Settings(smtp.Port))).IsSuccessStatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/v1/emails/{failed}/retry", null)).StatusCode);
        var deadline = TimeProvider.System.GetUtcNow().AddSeconds(45);
        while (smtp.Received.IsEmpty && TimeProvider.System.GetUtcNow() < deadline)
        {
            await Task.Delay(250);
        }

        Assert.Equal("Monitoring alert", Assert.Single(smtp.Received).Message.Subject);
        var row = await _server.DbAsync(db => db.SentEmails.AsNoTracking().SingleAsync(e => e.Id == failed));
        for (var i = 0; i < 20 && row.Status != EmailStatus.Sent; i++)
        {
            await Task.Delay(100);
            row = await _server.DbAsync(db => db.SentEmails.AsNoTracking().SingleAsync(e => e.Id == failed));
        }

        Assert.Equal(EmailStatus.Sent, row.Status);
    }
}
