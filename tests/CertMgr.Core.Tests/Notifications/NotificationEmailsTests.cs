using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using CertMgr.Core.Common;
using CertMgr.Core.Deployments;
using CertMgr.Core.Deployments.Targets;
using CertMgr.Core.Documents;
using CertMgr.Core.Inventory;
using CertMgr.Core.Monitoring;
using CertMgr.Core.Notifications;
using CertMgr.Core.Pki;
using CertMgr.Core.PrivateCa;
using CertMgr.Core.Tests.Probe;
using CertMgr.Core.TrustedCas;
using CertMgr.Core.Unattended;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Data.Secrets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace CertMgr.Core.Tests.Notifications;

/// <summary>
/// Every email kind end to end: producers write administrator notices (only on a change), the sender turns them into
/// outbox emails to the administrator, a real SMTP server on loopback receives them; deployment emails (install request
/// with a signed link or the package attached, install notification, check result) from their templates.
/// </summary>
public class NotificationEmailsTests : IAsyncLifetime
{
    protected virtual TestDatabase Database => TestDatabase.Sqlite;

    private const string Cn = "www.notify.test";
    private const string Password = "Package-Password-2026!";
    private readonly TestPki _pki = new();
    private TestSmtpServer _smtp = null!;
    private CoreFixture _f = null!;
    private X509Certificate2 _current = null!;

    public async Task InitializeAsync()
    {
        _smtp = TestSmtpServer.Start();
        _f = await EmailOutboxTests.CreateFixtureAsync(_smtp, database: Database);
        // Probes run against real time; the certificates are made for now.
        _f.Time.SetUtcNow(TimeProvider.System.GetUtcNow());
        _current = _pki.Leaf(Cn, [Cn], subject: $"CN={Cn}, O=Example, C=DE");
    }

    public async Task DisposeAsync()
    {
        _current.Dispose();
        _pki.Dispose();
        await _f.DisposeAsync();
        await _smtp.DisposeAsync();
    }

    [Fact]
    public async Task MonitorPass_ResultChangesOnly_NgThenOkNoticesEmailedToAdministrator()
    {
        var port = TestPorts.Next();
        var definitionId = await DefinitionAsync(port, OperationMode.MonitoredOnly);

        await MonitorAsync(); // nothing listens: Unreachable, from "not checked"
        await MonitorAsync(); // still failing: no second notice
        Assert.Equal([NotificationKinds.MonitorNg], await KindsAsync());

        await using (await NginxServer.StartAsync([(port, _current, [_pki.Intermediate])]))
        {
            await MonitorAsync(); // OK again
            await MonitorAsync(); // still OK: nothing
        }

        Assert.Equal([NotificationKinds.MonitorNg, NotificationKinds.MonitorOk], await KindsAsync());
        var notices = await _f.DbAsync(db => db.Notifications.OrderBy(n => n.CreatedAt).ToListAsync());
        Assert.All(notices, n => Assert.Equal(definitionId, n.DefinitionId));

        Assert.Equal(2, await SendAsync());
        var received = _smtp.Received.Select(r => r.Message).ToList();
        Assert.Equal(2, received.Count);
        Assert.All(received, m => Assert.Equal("admin@example.com", m.To.Mailboxes.Single().Address));
        Assert.Equal($"Monitoring Unreachable: {Cn} ({Cn})", received[0].Subject);
        Assert.Contains("before: not checked", Text(received[0]), StringComparison.Ordinal);
        Assert.Contains("refused", Text(received[0]), StringComparison.OrdinalIgnoreCase);
        Assert.Equal($"Monitoring OK again: {Cn} ({Cn})", received[1].Subject);
        Assert.Contains("before: Unreachable", Text(received[1]), StringComparison.Ordinal);
        var rows = await _f.DbAsync(db => db.Notifications.ToListAsync());
        Assert.All(rows, n => Assert.Equal((NotificationStatus.Sent, 1), (n.Status, n.Tries)));
        var emails = await _f.DbAsync(db => db.SentEmails.OrderBy(e => e.CreatedAt).ToListAsync());
        Assert.Equal([NotificationKinds.MonitorNg, NotificationKinds.MonitorOk], emails.Select(e => e.Kind));
        Assert.All(emails, e => Assert.Equal(NotificationSender.RelatedType, e.RelatedType));

        // Sent notices are not sent again.
        Assert.Equal(0, await SendAsync());
        Assert.Equal(2, _smtp.Received.Count);
    }

    [Fact]
    public async Task Sender_NoAdministratorEmail_NoticesStayPendingUntilOneIsSet()
    {
        await InterruptedNoticeAsync();
        await using (var scope = _f.Scope())
        {
            var settings = scope.ServiceProvider.GetRequiredService<NotificationSettings>();
            var view = await settings.GetAsync(CancellationToken.None);
            var saved = await settings.SaveAsync(new NotificationSettingsInput
            {
                SmtpHost = $"127.0.0.1:{_smtp.Port}", SmtpSecurity = SmtpSecurity.None, SenderAddress = view.SenderAddress, AdminEmail = null,
            }, "admin", CancellationToken.None);
            Assert.True(saved.IsSuccess);
        }

        Assert.Equal(0, await SendAsync());
        Assert.Equal(NotificationStatus.Pending, (await _f.DbAsync(db => db.Notifications.SingleAsync())).Status);

        await EmailOutboxTests.SaveSettingsAsync(_f, $"127.0.0.1:{_smtp.Port}", SmtpSecurity.None);
        Assert.Equal(1, await SendAsync());
        var message = Assert.Single(_smtp.Received).Message;
        Assert.Equal($"Unattended renewal of {Cn} interrupted at install", message.Subject);
        Assert.Contains("Reason: SSH login failed", Text(message), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Templates_InvalidRefusedPerField_SavedAuditedUsedThenReset()
    {
        await using (var scope = _f.Scope())
        {
            var templates = scope.ServiceProvider.GetRequiredService<EmailTemplates>();
            var unknown = await templates.SaveAsync(NotificationKinds.UnattendedInterrupted, "Stopped: {{definition_nam}}", "Body {{reason}", "alice", CancellationToken.None);
            Assert.Equal("template-invalid", unknown.Error?.Code);
            Assert.Contains("{{definition_nam}}", unknown.Error!.Fields!["subject"][0], StringComparison.Ordinal);
            Assert.Contains("Unbalanced", unknown.Error.Fields["body"][0], StringComparison.Ordinal);
            var stray = await templates.SaveAsync(NotificationKinds.UnattendedInterrupted, "ok }} here", "{{step}}", "alice", CancellationToken.None);
            Assert.Contains("Unbalanced", stray.Error!.Fields!["subject"][0], StringComparison.Ordinal);
            var missing = await templates.SaveAsync("no-such-kind", "x", "y", "alice", CancellationToken.None);
            Assert.Equal(ErrorKind.NotFound, missing.Error?.Kind);
            Assert.False((await templates.GetAsync(NotificationKinds.UnattendedInterrupted, CancellationToken.None)).Value.Customized);

            var saved = await templates.SaveAsync(NotificationKinds.UnattendedInterrupted, "[CertMgr] {{ definition_name }} needs you at {{step}}",
                "Step {{step}}: {{reason}}\nLiteral { braces } stay.", "alice", CancellationToken.None);
            Assert.True(saved.IsSuccess, saved.Error?.Message);
            Assert.True(saved.Value.Customized);
        }

        var audit = await _f.DbAsync(db => db.AuditEvents.Where(a => a.ObjectType == EmailTemplates.ObjectType).ToListAsync());
        Assert.Equal(("alice", "update", NotificationKinds.UnattendedInterrupted), (audit.Single().Actor, audit.Single().Action, audit.Single().ObjectId));
        Assert.Contains("subject", audit.Single().Detail, StringComparison.Ordinal);

        // A value is inserted as plain text: placeholders inside it are not expanded, a line break cannot reach the subject line.
        await InterruptedNoticeAsync(step: "install\r\nBcc: evil@example.com", reason: "{{definition_id}} <b>bold</b>");
        Assert.Equal(1, await SendAsync());
        var message = Assert.Single(_smtp.Received).Message;
        Assert.Equal($"[CertMgr] {Cn} needs you at install Bcc: evil@example.com", message.Subject);
        Assert.Empty(message.Bcc);
        Assert.Contains("{{definition_id}} <b>bold</b>", Text(message), StringComparison.Ordinal);
        Assert.Contains("Literal { braces } stay.", Text(message), StringComparison.Ordinal);
        Assert.Null(message.HtmlBody);

        await using (var scope = _f.Scope())
        {
            var reset = await scope.ServiceProvider.GetRequiredService<EmailTemplates>().ResetAsync(NotificationKinds.UnattendedInterrupted, "alice", CancellationToken.None);
            Assert.False(reset.Value.Customized);
            Assert.Equal(EmailTemplateCatalog.Get(NotificationKinds.UnattendedInterrupted).Default, reset.Value.Template);
        }

        Assert.Equal(["update", "reset"], await _f.DbAsync(db => db.AuditEvents.Where(a => a.ObjectType == EmailTemplates.ObjectType).OrderBy(a => a.Id).Select(a => a.Action).ToListAsync()));
    }

    [Fact]
    public void Preview_EveryKindsDefault_RendersWithSamplesAndKnowsOnlyItsPlaceholders()
    {
        foreach (var kind in EmailTemplateCatalog.All)
        {
            var preview = EmailTemplates.Preview(kind.Kind, kind.Default.Subject, kind.Default.Body);
            Assert.True(preview.IsSuccess, $"{kind.Kind}: {preview.Error?.Message}");
            Assert.DoesNotContain("{{", preview.Value.Body, StringComparison.Ordinal);
            Assert.DoesNotContain("{{", preview.Value.Subject, StringComparison.Ordinal);
        }

        var wrongKind = EmailTemplates.Preview(NotificationKinds.MonitorOk, "{{reason}}", "x");
        Assert.Contains("Unknown placeholder {{reason}}", wrongKind.Error!.Fields!["subject"][0], StringComparison.Ordinal);
        Assert.Equal(["deploy-check", "digest", "install-notification", "install-request", "monitor-ng", "monitor-ok", "unattended-interrupted"],
            EmailTemplateCatalog.All.Select(k => k.Kind).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Deployment_LinkAttachmentNotificationAndCheck_EveryKindReceived()
    {
        var port = TestPorts.Next();
        await using var nginx = await NginxServer.StartAsync([(port, _current, [_pki.Intermediate])]);
        var definitionId = await DefinitionAsync(port, OperationMode.LifecycleManaged);
        var console = new Uri("https://certmgr.example.test:23466/");

        // 1. Link (the default): a signed link on the console URL, which verifies; the deploy check notice.
        var first = await PrepareAsync(definitionId);
        var requested = await WithServiceAsync(s => s.RequestInstallAsync(first.Id, console, "alice", CancellationToken.None));
        Assert.True(requested.IsSuccess, requested.Error?.Message);
        var checkedOk = await WithServiceAsync(s => s.CheckAsync(first.Id, null, "alice", CancellationToken.None));
        Assert.Equal(DeploymentStatus.Confirmed, checkedOk.Value.Status);

        // 2. Attachment: the package rides along.
        await PreferencesAsync(new NotificationPreferencesInput { PackageDelivery = PackageDelivery.Attachment });
        var second = await PrepareAsync(definitionId);
        Assert.True((await WithServiceAsync(s => s.RequestInstallAsync(second.Id, console, "alice", CancellationToken.None))).IsSuccess);
        Assert.True((await WithServiceAsync(s => s.SendResultAsync(first.Id, "alice", CancellationToken.None))).IsSuccess);

        // 3. Too large to attach: a link with the reason.
        await PreferencesAsync(new NotificationPreferencesInput { PackageDelivery = PackageDelivery.Attachment, AttachmentMaxKb = 1 });
        await WithServiceAsync(s => s.ContinueWithoutCheckAsync(second.Id, "alice", CancellationToken.None));
        var third = await PrepareAsync(definitionId);
        Assert.True((await WithServiceAsync(s => s.RequestInstallAsync(third.Id, console, "alice", CancellationToken.None))).IsSuccess);

        // 4. CertMgr installs by itself: the server admin's install notification and the administrator's notice.
        await WithServiceAsync(s => s.ContinueWithoutCheckAsync(third.Id, "alice", CancellationToken.None));
        var other = _pki.Leaf(Cn, [Cn], subject: $"CN={Cn}, O=Example, C=DE");
        var auto = await PrepareAsync(await DefinitionAsync(port, OperationMode.LifecycleManaged, other));
        var installed = await WithTargetAsync(new FakeTarget(new InstallOutcome.Installed("nginx -t passed; nginx reloaded")),
            s => s.RequestInstallAsync(auto.Id, console, "alice", CancellationToken.None));
        Assert.Equal(DeploymentStatus.AutoInstalled, installed.Value.Status);
        other.Dispose();

        Assert.Equal([NotificationKinds.DeployCheck, NotificationKinds.InstallNotification], await KindsAsync());
        await SendAsync();

        var received = _smtp.Received.Select(r => r.Message).ToList();
        var kinds = await _f.DbAsync(db => db.SentEmails.Select(e => e.Kind!).ToListAsync());
        Assert.Equal(["deploy-check", "deploy-check", "install-notification", "install-notification", "install-request", "install-request", "install-request"],
            kinds.Order(StringComparer.Ordinal));
        Assert.Equal(7, received.Count);
        Assert.All(received, m => Assert.DoesNotContain(Password, Text(m), StringComparison.Ordinal));

        var linkMail = received.Single(m => (m.Subject ?? "").StartsWith("Certificate install request", StringComparison.Ordinal) && Text(m).Contains($"/package/{first.Id}", StringComparison.Ordinal));
        var link = Text(linkMail).Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("Download", StringComparison.Ordinal))["Download".Length..].Trim();
        var uri = new Uri(link);
        Assert.Equal("certmgr.example.test", uri.Host);
        var query = System.Web.HttpUtility.ParseQueryString(uri.Query);
        Assert.True((await VerifyAsync(first.Id, query["expires"], query["sig"])).IsSuccess);
        Assert.Empty(linkMail.Attachments);

        var attached = received.Single(m => m.Attachments.Any());
        var part = Assert.IsAssignableFrom<MimePart>(Assert.Single(attached.Attachments));
        Assert.EndsWith(".sh", part.FileName, StringComparison.Ordinal);
        Assert.Contains("is attached to this email", Text(attached), StringComparison.Ordinal);
        using (var content = new MemoryStream())
        {
            await part.Content!.DecodeToAsync(content);
            Assert.StartsWith("#!", Encoding.UTF8.GetString(content.ToArray()), StringComparison.Ordinal);
        }

        var tooLarge = received.Single(m => Text(m).Contains($"/package/{third.Id}", StringComparison.Ordinal));
        Assert.Contains("too large to attach", Text(tooLarge), StringComparison.Ordinal);
        Assert.Empty(tooLarge.Attachments);

        var resultToServerAdmin = received.Single(m => (m.Subject ?? "").StartsWith("Deploy check OK", StringComparison.Ordinal) && m.To.Mailboxes.Single().Address == "admin@notify.test");
        Assert.Contains("Thank you; the deployment is confirmed.", Text(resultToServerAdmin), StringComparison.Ordinal);
        var checkNotice = received.Single(m => (m.Subject ?? "").StartsWith("Deploy check OK", StringComparison.Ordinal) && m.To.Mailboxes.Single().Address == "admin@example.com");
        Assert.Contains(Thumbprints.Sha1(_current), Text(checkNotice), StringComparison.Ordinal);
        Assert.Equal(2, received.Count(m => (m.Subject ?? "").StartsWith("Certificate installed:", StringComparison.Ordinal)));
        Assert.Contains(received, m => (m.Subject ?? "").StartsWith("Certificate installed:", StringComparison.Ordinal) && m.To.Mailboxes.Single().Address == "admin@example.com"
            && Text(m).Contains("nginx reloaded", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PackageLink_TamperedOrExpired_RefusedWithReason()
    {
        var id = Guid.CreateVersion7();
        var expires = _f.Time.GetUtcNow().AddHours(1);
        Uri link;
        await using (var scope = _f.Scope())
        {
            link = await scope.ServiceProvider.GetRequiredService<InstallPackageLinks>().CreateAsync(id, expires, new Uri("https://cm.example.test/"), CancellationToken.None);
            await scope.ServiceProvider.GetRequiredService<CertMgrDbContext>().SaveChangesAsync();
        }

        var q = System.Web.HttpUtility.ParseQueryString(link.Query);
        var (exp, sig) = (q["expires"]!, q["sig"]!);
        Assert.Equal($"/package/{id}", link.AbsolutePath);
        Assert.True((await VerifyAsync(id, exp, sig)).IsSuccess);
        Assert.Equal("package-link-invalid", (await VerifyAsync(Guid.CreateVersion7(), exp, sig)).Error?.Code);
        Assert.Equal("package-link-invalid", (await VerifyAsync(id, (long.Parse(exp, System.Globalization.CultureInfo.InvariantCulture) + 3600).ToString(System.Globalization.CultureInfo.InvariantCulture), sig)).Error?.Code);
        Assert.Equal("package-link-invalid", (await VerifyAsync(id, exp, sig[..^1] + (sig[^1] == 'A' ? 'B' : 'A'))).Error?.Code);
        Assert.Equal("package-link-invalid", (await VerifyAsync(id, "soon", sig)).Error?.Code);
        Assert.Equal("package-link-invalid", (await VerifyAsync(id, exp, null)).Error?.Code);

        _f.Time.Advance(TimeSpan.FromHours(1));
        var expired = await VerifyAsync(id, exp, sig);
        Assert.Equal(("package-link-expired", ErrorKind.Forbidden), (expired.Error?.Code, expired.Error!.Kind));

        // The key is sealed in the database, not stored in the clear.
        var row = await _f.DbAsync(db => db.Settings.SingleAsync(s => s.Key == "notifications.package-link.key"));
        Assert.Null(row.Value);
        Assert.True(row.ProtectedValue!.Length > 32);
    }

    [Fact]
    public async Task Digest_OncePerDayAtTheHour_NotWhenEmpty_AcrossRestarts()
    {
        var day = new DateTimeOffset(2027, 1, 10, 6, 0, 0, TimeSpan.Zero); // after the fixture's clock, which only moves forward
        _f.Time.SetUtcNow(day);
        await PreferencesAsync(new NotificationPreferencesInput { DigestHourUtc = 7 });
        Assert.Null(await DigestAsync()); // before the hour

        _f.Time.SetUtcNow(day.AddHours(1));
        Assert.Null(await DigestAsync()); // due, but empty: not sent, the day is done
        Assert.Empty(await KindsAsync());

        // Something to report on the next day: an expiring certificate, a monitoring failure, a process waiting.
        var definitionId = await DefinitionAsync(TestPorts.Next(), OperationMode.LifecycleManaged);
        await _f.DbAsync(async db =>
        {
            var d = await db.Definitions.SingleAsync(x => x.Id == definitionId);
            d.ExpiryThresholdDays = 3660;
            db.MonitorRuns.Add(new MonitorRun { Trigger = RunTrigger.Manual, StartedAt = day, Status = RunStatus.Completed });
            await db.SaveChangesAsync();
            var run = await db.MonitorRuns.SingleAsync();
            db.MonitorResults.Add(new MonitorResult { MonitorRunId = run.Id, DefinitionId = definitionId, Status = CheckStatus.Ng, Endpoint = "127.0.0.1:1", Reason = "thumbprint differs", CheckedAt = day });
            db.UnattendedStates.Add(new UnattendedState { DefinitionId = definitionId, InterruptedStep = "install", InterruptReason = "SSH login failed", UpdatedAt = day });
            await db.SaveChangesAsync();
            return 0;
        });
        Assert.Null(await DigestAsync()); // same day: already done

        _f.Time.SetUtcNow(day.AddDays(1).AddHours(3));
        var digest = await DigestAsync();
        Assert.NotNull(digest);
        // A restart keeps nothing in memory that matters: each call is a fresh scope reading the recorded day.
        Assert.Null(await DigestAsync());
        _f.Time.Advance(TimeSpan.FromHours(10));
        Assert.Null(await DigestAsync());

        // Another node that missed the recorded day still cannot write a second one (the notice's id is the day's).
        await _f.DbAsync(async db =>
        {
            db.Settings.Remove(await db.Settings.SingleAsync(s => s.Key == "notifications.digest.last"));
            return await db.SaveChangesAsync();
        });
        Assert.Null(await DigestAsync());
        Assert.Equal([NotificationKinds.Digest], await KindsAsync());

        Assert.Equal(1, await SendAsync());
        var message = Assert.Single(_smtp.Received).Message;
        Assert.Equal("CertMgr daily digest 2027-01-11: 1 expiring, 1 waiting, 1 failing", message.Subject);
        Assert.Contains($"{Cn} ({Cn})   expires", Text(message), StringComparison.Ordinal);
        Assert.Contains("interrupted at install: SSH login failed", Text(message), StringComparison.Ordinal);
        Assert.Contains("NG at 2027-01-10: thumbprint differs", Text(message), StringComparison.Ordinal);

        // Configured to send when empty: an empty day is reported.
        await _f.DbAsync(async db =>
        {
            await db.UnattendedStates.ExecuteDeleteAsync();
            await db.Definitions.Where(d => d.Id == definitionId).ExecuteUpdateAsync(u => u.SetProperty(d => d.CurrentNotAfter, (DateTimeOffset?)null).SetProperty(d => d.MonitoringEnabled, false));
            return 0;
        });
        await PreferencesAsync(new NotificationPreferencesInput { DigestHourUtc = 7, DigestWhenEmpty = true });
        _f.Time.SetUtcNow(day.AddDays(2).AddHours(2));
        Assert.NotNull(await DigestAsync());
        Assert.Equal(2, (await KindsAsync()).Count);
    }

    [Fact]
    public async Task Preferences_InvalidRefusedPerField_SaveAuditedWithChanges()
    {
        var bad = await _f.WithAsync(s => s.GetRequiredService<NotificationPreferences>().SaveAsync(
            new NotificationPreferencesInput { DigestHourUtc = 24, LinkValidDays = 0, AttachmentMaxKb = 999_999, PackageDelivery = (PackageDelivery)9 }, "alice", CancellationToken.None));
        Assert.Equal(["attachmentMaxKb", "digestHourUtc", "linkValidDays", "packageDelivery"], bad.Error!.Fields!.Keys.Order(StringComparer.Ordinal));
        Assert.Empty(await _f.DbAsync(db => db.AuditEvents.Where(a => a.ObjectType == NotificationPreferences.ObjectType).ToListAsync()));

        await PreferencesAsync(new NotificationPreferencesInput { DigestHourUtc = 9, PackageDelivery = PackageDelivery.Attachment });
        var audit = await _f.DbAsync(db => db.AuditEvents.SingleAsync(a => a.ObjectType == NotificationPreferences.ObjectType));
        Assert.Equal("digest hour (UTC) 7 -> 9; package delivery Link -> Attachment", audit.Detail);

        // SMTP settings: what changed, never the password.
        await EmailOutboxTests.SaveSettingsAsync(_f, $"127.0.0.1:{_smtp.Port}", SmtpSecurity.None, ("mailer", "Very-Secret-Pass-1"));
        var smtpAudit = await _f.DbAsync(db => db.AuditEvents.Where(a => a.ObjectType == NotificationSettings.ObjectType).OrderBy(a => a.Id).Select(a => a.Detail).ToListAsync());
        Assert.Contains("password changed", smtpAudit[^1], StringComparison.Ordinal);
        Assert.Contains("SMTP user none -> mailer", smtpAudit[^1], StringComparison.Ordinal);
        Assert.All(smtpAudit, d => Assert.DoesNotContain("Very-Secret-Pass-1", d, StringComparison.Ordinal));
    }

    // --- helpers ---

    private static string Text(MimeMessage m) => m.TextBody ?? "";

    private async Task<Guid> DefinitionAsync(int port, OperationMode mode, X509Certificate2? certificate = null)
    {
        var set = await _f.WithAsync(s => s.GetRequiredService<TrustedCaSets>().CreateAsync("Notify PKI " + Guid.NewGuid().ToString("N")[..6], [], "t", CancellationToken.None));
        await _f.WithAsync(s => s.GetRequiredService<TrustedCaSets>().SaveAndMergeAsync(set.Value.Id, [],
            [Encoding.ASCII.GetBytes(PemEncoding.WriteString("CERTIFICATE", _pki.Root.RawData))], [], "t", CancellationToken.None));
        var leaf = certificate ?? _current;
        return await _f.WithAsync(async s =>
        {
            var db = s.GetRequiredService<CertMgrDbContext>();
            var now = _f.Time.GetUtcNow();
            var d = new CertificateDefinition
            {
                Name = Cn, CommonName = Cn, SubjectAlternativeNames = [Cn], OperationMode = mode, Organization = "Example", Country = "DE",
                ServerSoftware = ServerSoftware.Nginx, TargetServerName = "web01.notify.test", ServerNameForCheck = "127.0.0.1", CheckPort = port,
                ServerAdminEmail = "admin@notify.test", TrustedCaSetId = set.Value.Id, CreatedAt = now, UpdatedAt = now,
            };
            db.Definitions.Add(d);
            await db.SaveChangesAsync();
            if (mode == OperationMode.LifecycleManaged)
            {
                using var ec = leaf.GetECDsaPrivateKey()!;
                var key = SealedKeys.Seal(ec, KeySpec.EcP256, PrivateKeySource.Imported, s.GetRequiredService<SecretProtector>(), now);
                db.PrivateKeys.Add(key);
                var cert = InventoryRecords.NewCertificate(leaf, [_pki.Intermediate], d.Id, CertificateSource.Imported, now, key.Id);
                db.Certificates.Add(cert);
                await db.SaveChangesAsync();
                d.CurrentCertificateId = cert.Id;
                await db.SaveChangesAsync();
            }

            return d.Id;
        });
    }

    private Task<T> WithServiceAsync<T>(Func<DeploymentService, Task<T>> action) =>
        _f.WithAsync(s => action(s.GetRequiredService<DeploymentService>()));

    private async Task<Deployment> PrepareAsync(Guid definitionId)
    {
        var prepared = await WithServiceAsync(s => s.PrepareAsync(
            new DeployInfo(definitionId, "web01.notify.test", ServerSoftware.Nginx, DeliveryMethod.Email, "admin@notify.test", PackageKind.OneClick),
            Password, "alice", CancellationToken.None));
        Assert.True(prepared.IsSuccess, prepared.Error?.Message);
        return prepared.Value;
    }

    private async Task<T> WithTargetAsync<T>(IDeployTarget target, Func<DeploymentService, Task<T>> action)
    {
        await using var scope = _f.Scope();
        var s = scope.ServiceProvider;
        var service = new DeploymentService(s.GetRequiredService<CertMgrDbContext>(), s.GetRequiredService<DocumentStore>(), s.GetRequiredService<SecretProtector>(),
            s.GetRequiredService<TrustedCaSets>(), s.GetRequiredService<MonitorOptions>(), new DeployTargets([new ManualDeployTarget(), target], s.GetRequiredService<CertMgrDbContext>()), _f.Time,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<DeploymentService>.Instance);
        return await action(service);
    }

    /// <summary>The SSH installer's place at the seam: reports an install.</summary>
    private sealed class FakeTarget(InstallOutcome outcome) : IDeployTarget
    {
        public DeployTargetKind Kind => DeployTargetKind.Ssh;

        public bool CanAutoInstall(CertificateDefinition definition, SshInstallSettings? settings) => true;

        public Task<InstallOutcome> InstallAsync(InstallRequest request, CancellationToken ct) => Task.FromResult(outcome);
    }

    private async Task MonitorAsync()
    {
        var run = await _f.WithAsync(s => s.GetRequiredService<MonitorService>().RunAsync(RunTrigger.Manual, "tester", CancellationToken.None));
        Assert.True(run.IsSuccess, run.Error?.Message);
        _f.Time.Advance(TimeSpan.FromSeconds(1));
    }

    private async Task InterruptedNoticeAsync(string step = "install", string reason = "SSH login failed")
    {
        await _f.DbAsync(async db =>
        {
            var now = _f.Time.GetUtcNow();
            var d = new CertificateDefinition { Name = Cn, CommonName = Cn, CreatedAt = now, UpdatedAt = now };
            db.Definitions.Add(d);
            await UnattendedNotifications.InterruptedAsync(db, d, step, reason, null, null, now, CancellationToken.None);
            return await db.SaveChangesAsync();
        });
    }

    private Task<List<string>> KindsAsync() =>
        _f.DbAsync(db => db.Notifications.OrderBy(n => n.CreatedAt).ThenBy(n => n.Kind).Select(n => n.Kind).ToListAsync());

    private async Task<int> SendAsync()
    {
        var queued = await _f.WithAsync(s => s.GetRequiredService<NotificationSender>().QueuePendingAsync(CancellationToken.None));
        var pass = await _f.WithAsync(s => s.GetRequiredService<EmailOutbox>().DeliverDueAsync(CancellationToken.None));
        Assert.Equal(0, pass.Failed + pass.Retrying);
        return queued;
    }

    private Task<Notification?> DigestAsync() =>
        _f.WithAsync(s => s.GetRequiredService<DailyDigest>().RunIfDueAsync(CancellationToken.None));

    private async Task PreferencesAsync(NotificationPreferencesInput input)
    {
        var saved = await _f.WithAsync(s => s.GetRequiredService<NotificationPreferences>().SaveAsync(input, "alice", CancellationToken.None));
        Assert.True(saved.IsSuccess, saved.Error?.Message);
    }

    private Task<Result<Guid>> VerifyAsync(Guid id, string? expires, string? sig) =>
        _f.WithAsync(s => s.GetRequiredService<InstallPackageLinks>().VerifyAsync(id, expires, sig, CancellationToken.None));
}
