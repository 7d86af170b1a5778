using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CertMgr.Core.Notifications;
using CertMgr.Data.Model;
using CertMgr.Web.Tests.Api;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Web.Tests.Notifications;

/// <summary>
/// Over real HTTPS: /api/v1/email-templates (list, preview, per-field 400s, save and reset for admins only, audited),
/// /api/v1/notification-preferences, the /emails kind filter and recipient search.
/// </summary>
public sealed class EmailTemplatesApiTests : IAsyncLifetime
{
    private readonly PlatformApiServer _server = new();

    public Task InitializeAsync() => _server.InitializeAsync();

    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task Templates_ListPreviewSaveReset_PerFieldErrorsAndAdminOnly()
    {
        using var admin = _server.Client(await _server.TokenForNewUserAsync(UserRole.Admin));
        using var user = _server.Client(await _server.TokenForNewUserAsync(UserRole.User));

        using (var list = JsonDocument.Parse(await user.GetStringAsync("/api/v1/email-templates")))
        {
            var kinds = list.RootElement.EnumerateArray().Select(t => t.GetProperty("kind").GetString()).ToList();
            Assert.Equal(EmailTemplateCatalog.All.Select(k => k.Kind), kinds);
            var ng = list.RootElement.EnumerateArray().Single(t => t.GetProperty("kind").GetString() == "monitor-ng");
            Assert.Contains("endpoint", ng.GetProperty("placeholders").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
            Assert.False(ng.GetProperty("customized").GetBoolean());
        }

        var preview = await user.PostAsJsonAsync("/api/v1/email-templates/monitor-ng/preview", new { subject = "NG: {{common_name}}", body = "At {{endpoint}}: <b>{{reason}}</b>" });
        using (var p = JsonDocument.Parse(await preview.Content.ReadAsStringAsync()))
        {
            Assert.Equal("NG: www.example.com", p.RootElement.GetProperty("subject").GetString());
            Assert.Equal("At www.example.com:443 (SNI www.example.com): <b>The certificate expires in 12 days (threshold 30).</b>", p.RootElement.GetProperty("body").GetString());
        }

        var bad = await admin.PutAsJsonAsync("/api/v1/email-templates/monitor-ng", new { subject = "{{nope}}", body = "{{endpoint" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        using (var problem = JsonDocument.Parse(await bad.Content.ReadAsStringAsync()))
        {
            var errors = problem.RootElement.GetProperty("errors");
            Assert.Contains("Unknown placeholder {{nope}}", errors.GetProperty("subject")[0].GetString(), StringComparison.Ordinal);
            Assert.Contains("Unbalanced", errors.GetProperty("body")[0].GetString(), StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.Forbidden, (await user.PutAsJsonAsync("/api/v1/email-templates/monitor-ng", new { subject = "x", body = "y" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PutAsJsonAsync("/api/v1/email-templates/nothing", new { subject = "x", body = "y" })).StatusCode);
        Assert.Empty(await _server.DbAsync(db => db.AuditEvents.Where(a => a.ObjectType == EmailTemplates.ObjectType).ToListAsync()));

        var saved = await admin.PutAsJsonAsync("/api/v1/email-templates/monitor-ng", new { subject = "[NG] {{common_name}}", body = "{{endpoint}} is {{result}}." });
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        using (var one = JsonDocument.Parse(await user.GetStringAsync("/api/v1/email-templates/monitor-ng")))
        {
            Assert.True(one.RootElement.GetProperty("customized").GetBoolean());
            Assert.Equal("[NG] {{common_name}}", one.RootElement.GetProperty("subject").GetString());
        }

        Assert.Equal(HttpStatusCode.OK, (await admin.DeleteAsync("/api/v1/email-templates/monitor-ng")).StatusCode);
        using (var reset = JsonDocument.Parse(await user.GetStringAsync("/api/v1/email-templates/monitor-ng")))
        {
            Assert.False(reset.RootElement.GetProperty("customized").GetBoolean());
        }

        Assert.Equal(["update", "reset"], await _server.DbAsync(db => db.AuditEvents.Where(a => a.ObjectType == EmailTemplates.ObjectType).OrderBy(a => a.Id).Select(a => a.Action).ToListAsync()));
    }

    [Fact]
    public async Task Preferences_And_EmailsKindFilterAndRecipientSearch()
    {
        using var admin = _server.Client(await _server.TokenForNewUserAsync(UserRole.Admin));
        var bad = await admin.PutAsJsonAsync("/api/v1/notification-preferences", new { digestHourUtc = 25, linkValidDays = 7 });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("digestHourUtc", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync("/api/v1/notification-preferences", new { digestEnabled = true, digestHourUtc = 6, packageDelivery = "Attachment" })).StatusCode);
        using (var prefs = JsonDocument.Parse(await admin.GetStringAsync("/api/v1/notification-preferences")))
        {
            Assert.Equal(6, prefs.RootElement.GetProperty("digestHourUtc").GetInt32());
            Assert.Equal("Attachment", prefs.RootElement.GetProperty("packageDelivery").GetString());
        }

        var t0 = new DateTimeOffset(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);
        await _server.DbAsync(db =>
        {
            db.SentEmails.Add(new SentEmail { To = ["ops@example.com"], Subject = "Monitoring NG: www", Body = "x", Kind = "monitor-ng", CreatedAt = t0 });
            db.SentEmails.Add(new SentEmail { To = ["web-admin@example.org"], Subject = "Certificate install request: www", Body = "y", Kind = "install-request", CreatedAt = t0.AddMinutes(1) });
            return db.SaveChangesAsync();
        });
        using (var byKind = JsonDocument.Parse(await admin.GetStringAsync("/api/v1/emails?kind=monitor-ng")))
        {
            var item = Assert.Single(byKind.RootElement.GetProperty("items").EnumerateArray());
            Assert.Equal("monitor-ng", item.GetProperty("kind").GetString());
        }

        using (var byRecipient = JsonDocument.Parse(await admin.GetStringAsync("/api/v1/emails?q=WEB-ADMIN@")))
        {
            Assert.Equal("Certificate install request: www", Assert.Single(byRecipient.RootElement.GetProperty("items").EnumerateArray()).GetProperty("subject").GetString());
        }

        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/api/v1/emails?kind=carrier-pigeon")).StatusCode);
    }
}
