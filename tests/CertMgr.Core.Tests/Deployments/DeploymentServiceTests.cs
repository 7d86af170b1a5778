using System.Collections.Concurrent;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using CertMgr.Core.Common;
using CertMgr.Core.Deployments;
using CertMgr.Core.Deployments.Targets;
using CertMgr.Core.Documents;
using CertMgr.Core.Inventory;
using CertMgr.Core.Monitoring;
using CertMgr.Core.Pki;
using CertMgr.Core.PrivateCa;
using CertMgr.Core.Tests.Probe;
using CertMgr.Core.TrustedCas;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Data.Secrets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CertMgr.Core.Tests.Deployments;

/// <summary>Deployment processes over a real data directory, with deploy checks against a real nginx.</summary>
public class DeploymentServiceTests : IAsyncLifetime
{
    /// <summary>The database the class runs on; a subclass in OnPostgres.cs runs it all again on PostgreSQL.</summary>
    protected virtual TestDatabase Database => TestDatabase.Sqlite;

    private const string Cn = "www.deploy.test";
    private const string Password = "Package-Password-2026!";
    private readonly TestPki _pki = new();
    private CoreFixture _f = null!;
    private X509Certificate2 _current = null!;
    private X509Certificate2 _other = null!;

    public async Task InitializeAsync()
    {
        _f = await CoreFixture.CreateAsync(database: Database);
        // The probe runs against real time; the certificates are made for now, so the fixture's clock must agree.
        _f.Time.SetUtcNow(TimeProvider.System.GetUtcNow());
        _current = _pki.Leaf(Cn, [Cn]);
        _other = _pki.Leaf(Cn, [Cn]);
    }

    public async Task DisposeAsync()
    {
        _current.Dispose();
        _other.Dispose();
        _pki.Dispose();
        await _f.DisposeAsync();
    }

    /// <summary>A lifecycle-managed definition checked on 127.0.0.1:<paramref name="port"/> whose current certificate is <see cref="_current"/>.</summary>
    private async Task<Guid> DefinitionAsync(int port, bool withKey = true, ServerSoftware software = ServerSoftware.Nginx, string? adminEmail = "admin@deploy.test")
    {
        var sets = await _f.WithAsync(s => s.GetRequiredService<TrustedCaSets>().CreateAsync("Deploy PKI " + Guid.NewGuid().ToString("N")[..6], [], "t", CancellationToken.None));
        await _f.WithAsync(s => s.GetRequiredService<TrustedCaSets>().SaveAndMergeAsync(sets.Value.Id, [],
            [Encoding.ASCII.GetBytes(PemEncoding.WriteString("CERTIFICATE", _pki.Root.RawData))], [], "t", CancellationToken.None));
        return await _f.WithAsync(async s =>
        {
            var db = s.GetRequiredService<CertMgrDbContext>();
            var now = _f.Time.GetUtcNow();
            var d = new CertificateDefinition
            {
                Name = Cn, CommonName = Cn, SubjectAlternativeNames = [Cn], ServerSoftware = software, TargetServerName = "web01.deploy.test",
                ServerNameForCheck = "127.0.0.1", CheckPort = port, ServerAdminEmail = adminEmail, TrustedCaSetId = sets.Value.Id, CreatedAt = now, UpdatedAt = now,
            };
            db.Definitions.Add(d);
            await db.SaveChangesAsync();
            PrivateKey? key = null;
            if (withKey)
            {
                using var ec = _current.GetECDsaPrivateKey()!;
                key = SealedKeys.Seal(ec, KeySpec.EcP256, PrivateKeySource.Imported, s.GetRequiredService<SecretProtector>(), now);
                db.PrivateKeys.Add(key);
            }

            var cert = InventoryRecords.NewCertificate(_current, [_pki.Intermediate], d.Id, CertificateSource.Imported, now, key?.Id);
            db.Certificates.Add(cert);
            await db.SaveChangesAsync();
            d.CurrentCertificateId = cert.Id;
            await db.SaveChangesAsync();
            return d.Id;
        });
    }

    private Task<T> WithServiceAsync<T>(Func<DeploymentService, Task<T>> action) =>
        _f.WithAsync(s => action(s.GetRequiredService<DeploymentService>()));

    private static DeployInfo Info(Guid definitionId, PackageKind kind = PackageKind.OneClick, ServerSoftware software = ServerSoftware.Nginx) =>
        new(definitionId, "web01.deploy.test", software, DeliveryMethod.Email, "admin@deploy.test", kind);

    private async Task<Deployment> PrepareAsync(Guid definitionId, PackageKind kind = PackageKind.OneClick, ServerSoftware software = ServerSoftware.Nginx)
    {
        var prepared = await WithServiceAsync(s => s.PrepareAsync(Info(definitionId, kind, software), Password, "alice", CancellationToken.None));
        Assert.True(prepared.IsSuccess, prepared.Error?.Message);
        return prepared.Value;
    }

    /// <summary>A deploy target standing in at the seam (the SSH installer's place): installs or fails as told.</summary>
    private sealed class FakeTarget(InstallOutcome outcome) : IDeployTarget
    {
        public List<InstallRequest> Calls { get; } = [];

        public DeployTargetKind Kind => DeployTargetKind.Ssh;

        public bool CanAutoInstall(CertificateDefinition definition, SshInstallSettings? settings) => definition.TargetServerName == "web01.deploy.test";

        public Task<InstallOutcome> InstallAsync(InstallRequest request, CancellationToken ct)
        {
            Calls.Add(request);
            return Task.FromResult(outcome);
        }
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

    [Fact]
    public async Task RequestInstall_TargetInstalls_AutoInstalledWithInstallNotificationNotRequest()
    {
        var definitionId = await DefinitionAsync(TestPorts.Next(), adminEmail: null);
        var prepared = await PrepareAsync(definitionId);
        var target = new FakeTarget(new InstallOutcome.Installed("nginx reloaded"));

        var requested = await WithTargetAsync(target, s => s.RequestInstallAsync(prepared.Id, null, "alice", CancellationToken.None));

        Assert.True(requested.IsSuccess, requested.Error?.Message);
        Assert.Equal(DeploymentStatus.AutoInstalled, requested.Value.Status);
        var call = Assert.Single(target.Calls);
        Assert.NotNull(call.Package?.DocumentId);
        // The server admin is told what was installed, not asked to install it.
        var email = Assert.Single(await _f.DbAsync(db => db.SentEmails.ToListAsync()));
        Assert.StartsWith("Certificate installed:", email.Subject, StringComparison.Ordinal);
        Assert.Contains("nginx reloaded", email.Body, StringComparison.Ordinal);
        var events = await _f.DbAsync(db => db.DeploymentEvents.Where(e => e.DeploymentId == prepared.Id && e.Action == "request-install").ToListAsync());
        Assert.Contains("nginx reloaded", Assert.Single(events).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequestInstall_TargetFails_FailureRecordedWithStepAndStatusUnchanged()
    {
        var definitionId = await DefinitionAsync(TestPorts.Next());
        var prepared = await PrepareAsync(definitionId);
        var target = new FakeTarget(new InstallOutcome.Failed("validate", new Error("validate-failed", "nginx -t refused the configuration; the old files are back.")));

        var requested = await WithTargetAsync(target, s => s.RequestInstallAsync(prepared.Id, null, "alice", CancellationToken.None));

        Assert.Equal("validate-failed", requested.Error?.Code);
        var stored = await _f.DbAsync(db => db.Deployments.AsNoTracking().SingleAsync(d => d.Id == prepared.Id));
        Assert.Equal(DeploymentStatus.Prepared, stored.Status);
        var failure = await _f.DbAsync(db => db.DeploymentEvents.SingleAsync(e => e.DeploymentId == prepared.Id && e.Action == "request-install"));
        Assert.Equal("failure", failure.Outcome);
        Assert.Contains("failed at validate", failure.Detail, StringComparison.Ordinal);
        Assert.Equal(0, await _f.DbAsync(db => db.SentEmails.CountAsync()));
    }

    [Fact]
    public async Task Prepare_OneClickNginx_InstallerStoredInDocumentFolderWithEventAndAudit()
    {
        var definitionId = await DefinitionAsync(TestPorts.Next());

        var deployment = await PrepareAsync(definitionId);

        Assert.Equal(DeploymentStatus.Prepared, deployment.Status);
        var docs = await _f.WithAsync(s => s.GetRequiredService<DocumentStore>().ListAsync(definitionId, CancellationToken.None));
        var doc = Assert.Single(docs);
        Assert.Equal(DocumentKind.InstallPackage, doc.Kind);
        Assert.EndsWith("-install.sh", doc.FileName, StringComparison.Ordinal);
        Assert.Equal(doc.Id, DeploymentService.PackageOf(deployment)?.DocumentId);
        var opened = await WithServiceAsync(s => s.OpenPackageAsync(deployment.Id, CancellationToken.None));
        Assert.True(opened.IsSuccess, opened.Error?.Message);
        string script;
        await using (opened.Value.Content)
        {
            script = await new StreamReader(opened.Value.Content).ReadToEndAsync();
        }

        Assert.StartsWith("#!/usr/bin/env bash", script, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", script, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, script, StringComparison.Ordinal);
        var events = await _f.DbAsync(db => db.DeploymentEvents.Where(e => e.DeploymentId == deployment.Id).ToListAsync());
        Assert.Equal("prepare", Assert.Single(events).Action);
        Assert.Equal("alice", events[0].Actor);
        Assert.True(await _f.DbAsync(db => db.AuditEvents.AnyAsync(a => a.ObjectId == definitionId.ToString() && a.Action == "deploy-prepare" && a.Actor == "alice")));
    }

    [Fact]
    public async Task Prepare_Conventional_ZipWithEncryptedKeyOnly()
    {
        var definitionId = await DefinitionAsync(TestPorts.Next());

        var deployment = await PrepareAsync(definitionId, PackageKind.Conventional, ServerSoftware.ApacheHttpd);

        var opened = await WithServiceAsync(s => s.OpenPackageAsync(deployment.Id, CancellationToken.None));
        Assert.True(opened.IsSuccess, opened.Error?.Message);
        await using var content = opened.Value.Content;
        using var zip = new ZipArchive(content, ZipArchiveMode.Read);
        Assert.Contains(zip.Entries, e => e.Name == "README.txt");
        var key = await new StreamReader(zip.GetEntry("privkey.encrypted.pem")!.Open()).ReadToEndAsync();
        Assert.Contains("BEGIN ENCRYPTED PRIVATE KEY", key, StringComparison.Ordinal);
        Assert.EndsWith(".zip", opened.Value.Document.FileName, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prepare_OneClickIis_PowerShellScriptStored()
    {
        var definitionId = await DefinitionAsync(TestPorts.Next(), software: ServerSoftware.MicrosoftIis);

        var deployment = await PrepareAsync(definitionId, PackageKind.OneClick, ServerSoftware.MicrosoftIis);

        Assert.EndsWith("-install-iis.ps1", DeploymentService.PackageOf(deployment)?.FileName, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prepare_CertificateWithoutKey_KeyNotHeldError()
    {
        var definitionId = await DefinitionAsync(TestPorts.Next(), withKey: false);

        var prepared = await WithServiceAsync(s => s.PrepareAsync(Info(definitionId), Password, "alice", CancellationToken.None));

        Assert.Equal("key-not-held", prepared.Error?.Code);
        Assert.Contains("private key", prepared.Error!.Message, StringComparison.Ordinal);
        Assert.Empty(await _f.DbAsync(db => db.Deployments.ToListAsync()));
    }

    [Theory]
    [InlineData("short", null, DeliveryMethod.Download, PackageKind.OneClick, ServerSoftware.Nginx, "password-too-short")]
    [InlineData(Password, "not an email", DeliveryMethod.Download, PackageKind.OneClick, ServerSoftware.Nginx, "admin-email-invalid")]
    [InlineData(Password, null, DeliveryMethod.Email, PackageKind.OneClick, ServerSoftware.Nginx, "admin-email-missing")]
    [InlineData(Password, null, DeliveryMethod.Download, PackageKind.OneClick, ServerSoftware.JavaKeystore, "installer-unsupported")]
    [InlineData(Password, null, DeliveryMethod.Download, PackageKind.Conventional, ServerSoftware.CertMgr, "software-invalid")]
    public async Task Prepare_BadInput_ErrorCodeAndNothingStored(string password, string? email, DeliveryMethod delivery, PackageKind kind, ServerSoftware software, string code)
    {
        var definitionId = await DefinitionAsync(TestPorts.Next());

        var prepared = await WithServiceAsync(s => s.PrepareAsync(new DeployInfo(definitionId, null, software, delivery, email, kind), password, "alice", CancellationToken.None));

        Assert.Equal(code, prepared.Error?.Code);
        Assert.Empty(await _f.DbAsync(db => db.Documents.ToListAsync()));
    }

    [Fact]
    public async Task Prepare_SecondOpenDeploymentToSameServer_Refused()
    {
        var definitionId = await DefinitionAsync(TestPorts.Next());
        await PrepareAsync(definitionId);

        var second = await WithServiceAsync(s => s.PrepareAsync(Info(definitionId), Password, "alice", CancellationToken.None));

        Assert.Equal("deployment-open", second.Error?.Code);
    }

    [Fact]
    public async Task Check_NginxServesTheCertificate_Confirmed()
    {
        var port = TestPorts.Next();
        await using var nginx = await NginxServer.StartAsync([(port, _current, [_pki.Intermediate])]);
        var definitionId = await DefinitionAsync(port);
        var deployment = await PrepareAsync(definitionId);

        var checkedOnce = await WithServiceAsync(s => s.CheckAsync(deployment.Id, null, "alice", CancellationToken.None));

        Assert.True(checkedOnce.IsSuccess, checkedOnce.Error?.Message);
        Assert.Equal(DeploymentStatus.Confirmed, checkedOnce.Value.Status);
        var last = DeploymentService.LastCheck(checkedOnce.Value)!.Value.Outcome;
        Assert.Equal(CheckStatus.Ok, last.Status);
        Assert.Contains(last.Checks, c => c.Name == "thumbprint" && c.Ok);
        Assert.Contains(last.Checks, c => c.Name == "chain" && c.Ok);
        Assert.Equal(Thumbprints.Sha1(_current), last.ServedSha1);
    }

    [Fact]
    public async Task Check_NginxServesAnotherCertificate_CheckFailedWithReasonThenResultEmailRecorded()
    {
        var port = TestPorts.Next();
        await using var nginx = await NginxServer.StartAsync([(port, _other, [_pki.Intermediate])]);
        var definitionId = await DefinitionAsync(port);
        var deployment = await PrepareAsync(definitionId);

        var result = await WithServiceAsync(s => s.CheckAsync(deployment.Id, null, "alice", CancellationToken.None));

        Assert.Equal(DeploymentStatus.CheckFailed, result.Value.Status);
        var outcome = DeploymentService.LastCheck(result.Value)!.Value.Outcome;
        Assert.Equal(CheckStatus.Ng, outcome.Status);
        Assert.Contains("thumbprint", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains("another certificate is installed", outcome.Summary, StringComparison.Ordinal);
        var audit = await _f.DbAsync(db => db.AuditEvents.SingleAsync(a => a.Action == "deploy-check"));
        Assert.Equal("failure", audit.Outcome);

        var sent = await WithServiceAsync(s => s.SendResultAsync(deployment.Id, "alice", CancellationToken.None));

        Assert.True(sent.IsSuccess, sent.Error?.Message);
        var email = Assert.Single(await WithServiceAsync(s => s.EmailsAsync(deployment.Id, CancellationToken.None)));
        Assert.Equal(EmailStatus.Queued, email.Status);
        Assert.Equal(["admin@deploy.test"], email.To);
        Assert.StartsWith("Deploy check NG", email.Subject, StringComparison.Ordinal);
        Assert.Contains(Thumbprints.Sha1(_other), email.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_ClosedPort_CheckFailedUnreachableAndRetryWithAlternativeNameConfirms()
    {
        var port = TestPorts.Next();
        await using var nginx = await NginxServer.StartAsync([(port, _current, [_pki.Intermediate])]);
        var definitionId = await DefinitionAsync(port);
        await _f.DbAsync(async db =>
        {
            var d = await db.Definitions.SingleAsync(x => x.Id == definitionId);
            d.ServerNameForCheck = "127.0.0.2"; // loopback, where nginx does not listen
            return await db.SaveChangesAsync();
        });
        var deployment = await PrepareAsync(definitionId);

        var failed = await WithServiceAsync(s => s.CheckAsync(deployment.Id, null, "alice", CancellationToken.None));
        Assert.Equal(DeploymentStatus.CheckFailed, failed.Value.Status);
        Assert.Equal(CheckStatus.Unreachable, DeploymentService.LastCheck(failed.Value)!.Value.Outcome.Status);

        var retried = await WithServiceAsync(s => s.CheckAsync(deployment.Id, "127.0.0.1", "alice", CancellationToken.None));

        Assert.Equal(DeploymentStatus.Confirmed, retried.Value.Status);
        Assert.Equal("127.0.0.1", retried.Value.AlternativeCheckName);
    }

    [Fact]
    public async Task Steps_AfterConfirmation_RefusedWithWrongStep()
    {
        var definitionId = await DefinitionAsync(TestPorts.Next());
        var deployment = await PrepareAsync(definitionId);
        var tooEarly = await WithServiceAsync(s => s.SendResultAsync(deployment.Id, "alice", CancellationToken.None));
        Assert.Equal("wrong-step", tooEarly.Error?.Code);
        var confirmed = await WithServiceAsync(s => s.ManualConfirmAsync(deployment.Id, "checked in a browser on the intranet", "alice", CancellationToken.None));
        Assert.Equal(DeploymentStatus.ManuallyConfirmed, confirmed.Value.Status);

        var again = await WithServiceAsync(s => s.ManualConfirmAsync(deployment.Id, null, "alice", CancellationToken.None));
        var skip = await WithServiceAsync(s => s.ContinueWithoutCheckAsync(deployment.Id, "alice", CancellationToken.None));
        var check = await WithServiceAsync(s => s.CheckAsync(deployment.Id, null, "alice", CancellationToken.None));
        var request = await WithServiceAsync(s => s.RequestInstallAsync(deployment.Id, null, "alice", CancellationToken.None));

        Assert.All(new[] { again.Error, skip.Error, check.Error, request.Error }, e => Assert.Equal("wrong-step", e?.Code));
        Assert.Contains("ManuallyConfirmed", skip.Error!.Message, StringComparison.Ordinal);
        var disabled = await WithServiceAsync(s => s.DisableMonitoringAsync(deployment.Id, "alice", CancellationToken.None));
        Assert.True(disabled.Value.MonitoringDisabled);
        var twice = await WithServiceAsync(s => s.DisableMonitoringAsync(deployment.Id, "alice", CancellationToken.None));
        Assert.Equal("wrong-step", twice.Error?.Code);
        var actions = await _f.DbAsync(db => db.DeploymentEvents.Where(e => e.DeploymentId == deployment.Id).OrderBy(e => e.Id).Select(e => e.Action).ToListAsync());
        Assert.Equal(["prepare", "manual-confirm", "disable-monitoring"], actions);
    }

    [Fact]
    public async Task RequestInstallThenContinueWithoutCheck_EmailRecordedWithoutPasswordAndStatusesMove()
    {
        var definitionId = await DefinitionAsync(TestPorts.Next());
        var deployment = await PrepareAsync(definitionId);

        var requested = await WithServiceAsync(s => s.RequestInstallAsync(deployment.Id, new Uri("https://certmgr.example.test:23466"), "alice", CancellationToken.None));

        Assert.Equal(DeploymentStatus.InstallRequested, requested.Value.Status);
        var email = Assert.Single(await WithServiceAsync(s => s.EmailsAsync(deployment.Id, CancellationToken.None)));
        Assert.Contains(Thumbprints.Sha1(_current), email.Body, StringComparison.Ordinal);
        // The package goes by a signed, time-limited link (Notifications/InstallPackageLinks), not the signed-in API.
        Assert.Contains($"https://certmgr.example.test:23466/package/{deployment.Id}?expires=", email.Body, StringComparison.Ordinal);
        Assert.Equal("install-request", email.Kind);
        Assert.Contains("web01.deploy.test", email.Subject, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, email.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", email.Body, StringComparison.Ordinal);
        var done = await WithServiceAsync(s => s.ContinueWithoutCheckAsync(deployment.Id, "alice", CancellationToken.None));
        Assert.Equal(DeploymentStatus.CompletedWithoutCheck, done.Value.Status);
    }

    [Fact]
    public async Task Prepare_Logs_NeverCarryPasswordOrKey()
    {
        var definitionId = await DefinitionAsync(TestPorts.Next());
        var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        await using var scope = _f.Scope();
        var s = scope.ServiceProvider;
        var service = new DeploymentService(s.GetRequiredService<CertMgrDbContext>(), s.GetRequiredService<DocumentStore>(), s.GetRequiredService<SecretProtector>(),
            s.GetRequiredService<TrustedCaSets>(), s.GetRequiredService<MonitorOptions>(), s.GetRequiredService<DeployTargets>(), _f.Time, factory.CreateLogger<DeploymentService>());

        var prepared = await service.PrepareAsync(Info(definitionId), Password, "alice", CancellationToken.None);
        await service.CheckAsync(prepared.Value.Id, null, "alice", CancellationToken.None);
        await service.SendResultAsync(prepared.Value.Id, "alice", CancellationToken.None);

        Assert.NotEmpty(logs.Messages);
        using var ec = _current.GetECDsaPrivateKey()!;
        var keyBase64 = Convert.ToBase64String(ec.ExportPkcs8PrivateKey())[..40];
        Assert.All(logs.Messages, m =>
        {
            Assert.DoesNotContain(Password, m, StringComparison.Ordinal);
            Assert.DoesNotContain("PRIVATE KEY", m, StringComparison.Ordinal);
            Assert.DoesNotContain(keyBase64, m, StringComparison.Ordinal);
        });
        var stored = await _f.DbAsync(db => db.DeploymentEvents.Select(e => e.Detail).ToListAsync());
        Assert.All(stored, d => Assert.DoesNotContain(Password, d ?? "", StringComparison.Ordinal));
        var emails = await _f.DbAsync(db => db.SentEmails.Select(e => e.Body).ToListAsync());
        Assert.All(emails, b => Assert.DoesNotContain(Password, b, StringComparison.Ordinal));
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Messages { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(Messages);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<string> messages) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                messages.Enqueue(formatter(state, exception) + " " + exception);
        }
    }
}
