using System.Data.Common;
using System.Security.Cryptography;
using CertMgr.Data.Model;
using CertMgr.Data.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Data.Tests.Configurations;

/// <summary>Trust, monitoring, discovery, CA, user and record tables (DESIGN.md, "How the records relate").</summary>
public sealed class OperationsConfigurationsTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    [Theory, DatabaseData]
    public async Task SaveChanges_TrustedCaSetWithCertificatesAndSystemFiles_RoundTrips(DatabaseKind kind)
    {
        var set = new TrustedCaSet
        {
            Name = TestData.Unique("set"),
            IsDefault = true,
            SystemFiles = ["mozilla.pem", "corp roots.pem", "ä-ünïcode.pem"],
            CreatedAt = TestData.T0,
            UpdatedAt = TestData.T0,
        };
        set.Certificates.Add(CaCertificate(set));
        set.Certificates.Add(CaCertificate(set));
        var definition = TestData.Definition();
        definition.OperationMode = OperationMode.MonitoredOnly;
        definition.TrustedCaSet = set;
        await using (var context = db.CreateContext(kind))
        {
            context.Definitions.Add(definition);
            await context.SaveChangesAsync();
        }

        await using (var context = db.CreateContext(kind))
        {
            var loaded = await context.Definitions
                .Include(d => d.TrustedCaSet).ThenInclude(s => s!.Certificates)
                .SingleAsync(d => d.Id == definition.Id);
            Assert.NotNull(loaded.TrustedCaSet);
            Assert.Equal(["mozilla.pem", "corp roots.pem", "ä-ünïcode.pem"], loaded.TrustedCaSet.SystemFiles);
            Assert.Equal(set.Certificates.Select(c => c.Sha256).Order(), loaded.TrustedCaSet.Certificates.Select(c => c.Sha256).Order());
            Assert.Equal(set.Certificates[0].Der, loaded.TrustedCaSet.Certificates.Single(c => c.Id == set.Certificates[0].Id).Der);
        }
    }

    [Theory, DatabaseData]
    public async Task SaveChanges_SameCaCertificateTwiceInOneSet_Throws(DatabaseKind kind)
    {
        var set = new TrustedCaSet { Name = TestData.Unique("set"), CreatedAt = TestData.T0, UpdatedAt = TestData.T0 };
        var first = CaCertificate(set);
        var again = CaCertificate(set);
        again.Sha256 = first.Sha256;
        set.Certificates.AddRange([first, again]);
        await using var context = db.CreateContext(kind);
        context.TrustedCaSets.Add(set);

        await Assert.ThrowsAsync<DbUpdateException>(() => context.SaveChangesAsync());
    }

    [Theory, DatabaseData]
    public async Task ExecuteDelete_TrustedCaSet_DeletesItsCertificatesAndUnsetsDefinitions(DatabaseKind kind)
    {
        var set = new TrustedCaSet { Name = TestData.Unique("set"), CreatedAt = TestData.T0, UpdatedAt = TestData.T0 };
        set.Certificates.Add(CaCertificate(set));
        var definition = TestData.Definition();
        definition.TrustedCaSet = set;
        await using (var context = db.CreateContext(kind))
        {
            context.Definitions.Add(definition);
            await context.SaveChangesAsync();
        }

        await using (var context = db.CreateContext(kind))
        {
            await context.TrustedCaSets.Where(s => s.Id == set.Id).ExecuteDeleteAsync();

            Assert.False(await context.TrustedCaCertificates.AnyAsync(c => c.TrustedCaSetId == set.Id));
            Assert.Null((await context.Definitions.SingleAsync(d => d.Id == definition.Id)).TrustedCaSetId);
        }
    }

    [Theory, DatabaseData]
    public async Task SaveChanges_MonitorRunWithResults_RoundTripsToDefinitions(DatabaseKind kind)
    {
        var ok = TestData.Definition();
        var failing = TestData.Definition();
        var run = new MonitorRun { Trigger = RunTrigger.Scheduled, Status = RunStatus.Completed, StartedAt = TestData.T0, OkCount = 1, NgCount = 1 };
        run.Results.Add(new MonitorResult { Definition = ok, Status = CheckStatus.Ok, Endpoint = "127.0.0.1:8443 sni=a", CheckedAt = TestData.T0 });
        run.Results.Add(new MonitorResult
        {
            Definition = failing,
            Status = CheckStatus.Ng,
            Endpoint = "127.0.0.1:8444 sni=b",
            Reason = "thumbprint differs",
            ChecksJson = """[{"name":"thumbprint","ok":false}]""",
            CheckedAt = TestData.T0.AddSeconds(1),
        });
        await using (var context = db.CreateContext(kind))
        {
            context.MonitorRuns.Add(run);
            await context.SaveChangesAsync();
        }

        await using (var context = db.CreateContext(kind))
        {
            var loaded = await context.MonitorRuns
                .Include(r => r.Results.OrderBy(x => x.CheckedAt)).ThenInclude(x => x.Definition)
                .SingleAsync(r => r.Id == run.Id);
            Assert.Equal([ok.Id, failing.Id], loaded.Results.Select(x => x.Definition.Id));
            Assert.Equal([CheckStatus.Ok, CheckStatus.Ng], loaded.Results.Select(x => x.Status));
            Assert.Equal("thumbprint differs", loaded.Results[1].Reason);

            var history = await context.Definitions.Include(d => d.MonitorResults).SingleAsync(d => d.Id == failing.Id);
            Assert.Equal(run.Id, Assert.Single(history.MonitorResults).MonitorRunId);
        }
    }

    [Theory, DatabaseData]
    public async Task SaveChanges_DiscoveryScanWithFindings_RoundTripsWithOptionalDefinition(DatabaseKind kind)
    {
        var imported = TestData.Definition();
        var scan = new DiscoveryScan
        {
            Name = TestData.Unique("scan"),
            Targets = ["127.0.0.0/29", "127.0.1.1-127.0.1.9"],
            Ports = [443, 8443, 993],
            Status = ScanStatus.Completed,
            StartedAt = TestData.T0,
            HeartbeatAt = TestData.T0,
            CreatedBy = "tester",
            EndpointsProbed = 54,
        };
        var importedFinding = Finding(scan, "127.0.0.2");
        importedFinding.Definition = imported;
        var newFinding = Finding(scan, "127.0.0.3");
        scan.Findings.AddRange([importedFinding, newFinding]);
        await using (var context = db.CreateContext(kind))
        {
            context.DiscoveryScans.Add(scan);
            await context.SaveChangesAsync();
        }

        await using (var context = db.CreateContext(kind))
        {
            var loaded = await context.DiscoveryScans
                .Include(s => s.Findings).ThenInclude(f => f.Definition)
                .SingleAsync(s => s.Id == scan.Id);
            Assert.Equal(["127.0.0.0/29", "127.0.1.1-127.0.1.9"], loaded.Targets);
            Assert.Equal([443, 8443, 993], loaded.Ports);
            Assert.Equal(imported.Id, loaded.Findings.Single(f => f.Host == "127.0.0.2").Definition?.Id);
            Assert.Null(loaded.Findings.Single(f => f.Host == "127.0.0.3").DefinitionId);
            Assert.Equal(ScanStatus.Completed, loaded.Status);
            Assert.Equal(FindingKind.Tls, loaded.Findings[0].Kind);
        }

        await using (var context = db.CreateContext(kind))
        {
            await context.Definitions.Where(d => d.Id == imported.Id).ExecuteDeleteAsync();

            var kept = await context.DiscoveryFindings.SingleAsync(f => f.Id == importedFinding.Id);
            Assert.Null(kept.DefinitionId);
        }
    }

    [Theory, DatabaseData]
    public async Task SaveChanges_CaConnectionWithProducts_RoundTrips(DatabaseKind kind)
    {
        var connection = TestData.CaConnection();
        connection.Products.Add(Product(connection, "DV single"));
        connection.Products.Add(Product(connection, "DV wildcard"));
        await using (var context = db.CreateContext(kind))
        {
            context.CaConnections.Add(connection);
            await context.SaveChangesAsync();
        }

        await using (var context = db.CreateContext(kind))
        {
            var loaded = await context.CaConnections.Include(c => c.Products).SingleAsync(c => c.Id == connection.Id);
            Assert.Equal(CaConnectionKind.Acme, loaded.Kind);
            Assert.Equal(["DV single", "DV wildcard"], loaded.Products.Select(p => p.Name).Order());

            await context.CaConnections.Where(c => c.Id == connection.Id).ExecuteDeleteAsync();

            var orphans = await context.Products.AsNoTracking().Where(p => p.Provider == connection.Name).ToListAsync();
            Assert.Equal(2, orphans.Count);
            Assert.All(orphans, p => Assert.Null(p.CaConnectionId));
        }
    }

    [Theory, DatabaseData]
    public async Task SaveChanges_RequestWithCaSubmissions_RoundTrips(DatabaseKind kind)
    {
        var connection = TestData.CaConnection();
        var product = Product(connection, "DV");
        var account = new ProviderAccount { Provider = "ExampleCA", Username = TestData.Unique("acct"), CreatedAt = TestData.T0 };
        var request = TestData.Request(TestData.Definition());
        request.Product = product;
        request.ProviderAccount = account;
        request.OrderDate = new DateOnly(2026, 11, 29);
        request.Submissions.Add(new CaSubmission { CaConnection = connection, Status = SubmissionStatus.Failed, Detail = "badNonce", SubmittedAt = TestData.T0 });
        request.Submissions.Add(new CaSubmission
        {
            CaConnection = connection,
            Status = SubmissionStatus.Issued,
            ExternalId = "https://127.0.0.1:14000/my-order/1",
            SubmittedAt = TestData.T0.AddMinutes(1),
            CompletedAt = TestData.T0.AddMinutes(2),
        });
        await using (var context = db.CreateContext(kind))
        {
            context.Requests.Add(request);
            await context.SaveChangesAsync();
        }

        await using (var context = db.CreateContext(kind))
        {
            var loaded = await context.Requests
                .Include(r => r.Submissions.OrderBy(s => s.SubmittedAt)).ThenInclude(s => s.CaConnection)
                .Include(r => r.Product)
                .Include(r => r.ProviderAccount)
                .AsSplitQuery()
                .SingleAsync(r => r.Id == request.Id);
            Assert.Equal([SubmissionStatus.Failed, SubmissionStatus.Issued], loaded.Submissions.Select(s => s.Status));
            Assert.All(loaded.Submissions, s => Assert.Equal(connection.Id, s.CaConnection.Id));
            Assert.Equal(product.Id, loaded.Product?.Id);
            Assert.Equal(account.Id, loaded.ProviderAccount?.Id);
            Assert.Equal(new DateOnly(2026, 11, 29), loaded.OrderDate);

            // The CA's history keeps the connection; the request's own submissions go with it.
            await Assert.ThrowsAnyAsync<DbException>(() => context.CaConnections.Where(c => c.Id == connection.Id).ExecuteDeleteAsync());
            await context.Requests.Where(r => r.Id == request.Id).ExecuteDeleteAsync();
            Assert.False(await context.CaSubmissions.AnyAsync(s => s.RequestId == request.Id));
        }
    }

    [Theory, DatabaseData]
    public async Task SaveChanges_PrivateCaWithIssuedCertificates_RoundTrips(DatabaseKind kind)
    {
        var ca = TestData.PrivateCa();
        ca.Issued.Add(TestData.Issued(ca, "01"));
        var revoked = TestData.Issued(ca, "02");
        revoked.Status = IssuedCertificateStatus.Revoked;
        revoked.RevokedAt = TestData.T0.AddDays(1);
        revoked.RevocationReason = 1;
        ca.Issued.Add(revoked);
        await using (var context = db.CreateContext(kind))
        {
            context.PrivateCas.Add(ca);
            await context.SaveChangesAsync();
        }

        await using (var context = db.CreateContext(kind))
        {
            var loaded = await context.PrivateCas.Include(c => c.Issued).Include(c => c.PrivateKey).SingleAsync(c => c.Id == ca.Id);
            Assert.Equal(["01", "02"], loaded.Issued.Select(i => i.SerialNumber).Order());
            Assert.Equal(IssuedCertificateStatus.Revoked, loaded.Issued.Single(i => i.SerialNumber == "02").Status);
            Assert.Equal(ca.PrivateKeyId, loaded.PrivateKey.Id);
        }
    }

    [Theory, DatabaseData]
    public async Task SaveChanges_SerialReusedWithinOneCa_Throws(DatabaseKind kind)
    {
        var ca = TestData.PrivateCa();
        ca.Issued.Add(TestData.Issued(ca, "0A"));
        await using (var context = db.CreateContext(kind))
        {
            context.PrivateCas.Add(ca);
            await context.SaveChangesAsync();
        }

        await using (var context = db.CreateContext(kind))
        {
            var loaded = await context.PrivateCas.SingleAsync(c => c.Id == ca.Id);
            context.IssuedCertificates.Add(TestData.Issued(loaded, "0A"));
            await Assert.ThrowsAsync<DbUpdateException>(() => context.SaveChangesAsync());
        }
    }

    [Theory, DatabaseData]
    public async Task SaveChanges_SameSerialInTwoCas_Succeeds(DatabaseKind kind)
    {
        var first = TestData.PrivateCa();
        var second = TestData.PrivateCa();
        first.Issued.Add(TestData.Issued(first, "0B"));
        second.Issued.Add(TestData.Issued(second, "0B"));
        await using var context = db.CreateContext(kind);
        context.PrivateCas.AddRange(first, second);

        await context.SaveChangesAsync();

        Assert.Equal(2, await context.IssuedCertificates.CountAsync(i => i.SerialNumber == "0B" && (i.PrivateCaId == first.Id || i.PrivateCaId == second.Id)));
    }

    [Theory, DatabaseData]
    public async Task ExecuteDelete_PrivateCaThatIssued_IsRefused(DatabaseKind kind)
    {
        var ca = TestData.PrivateCa();
        ca.Issued.Add(TestData.Issued(ca, "0C"));
        await using var context = db.CreateContext(kind);
        context.PrivateCas.Add(ca);
        await context.SaveChangesAsync();

        // Everything the CA ever signed stays on record.
        await Assert.ThrowsAnyAsync<DbException>(() => context.PrivateCas.Where(c => c.Id == ca.Id).ExecuteDeleteAsync());
    }

    [Theory, DatabaseData]
    public async Task SaveChanges_UserWithApiTokens_RoundTrips(DatabaseKind kind)
    {
        var user = TestData.User();
        user.Role = UserRole.Admin;
        user.ApiTokens.Add(TestData.Token(user));
        user.ApiTokens.Add(TestData.Token(user));
        await using (var context = db.CreateContext(kind))
        {
            context.Users.Add(user);
            await context.SaveChangesAsync();
        }

        await using (var context = db.CreateContext(kind))
        {
            var loaded = await context.Users.Include(u => u.ApiTokens).SingleAsync(u => u.NormalizedUserName == user.NormalizedUserName);
            Assert.Equal(UserRole.Admin, loaded.Role);
            Assert.Equal(user.ApiTokens.Select(t => t.TokenHash).Order(), loaded.ApiTokens.Select(t => t.TokenHash).Order());

            await context.Users.Where(u => u.Id == user.Id).ExecuteDeleteAsync();
            Assert.False(await context.ApiTokens.AnyAsync(t => t.UserId == user.Id));
        }
    }

    [Theory, DatabaseData]
    public async Task SaveChanges_TokenHashReused_Throws(DatabaseKind kind)
    {
        var first = TestData.User();
        var second = TestData.User();
        var hash = TestData.HexOf(RandomNumberGenerator.GetBytes(32));
        first.ApiTokens.Add(TestData.Token(first, hash));
        second.ApiTokens.Add(TestData.Token(second, hash));
        await using var context = db.CreateContext(kind);
        context.Users.AddRange(first, second);

        await Assert.ThrowsAsync<DbUpdateException>(() => context.SaveChangesAsync());
    }

    [Theory, DatabaseData]
    public async Task SaveChanges_UserNameReused_Throws(DatabaseKind kind)
    {
        var first = TestData.User();
        var second = TestData.User();
        second.NormalizedUserName = first.NormalizedUserName;
        await using var context = db.CreateContext(kind);
        context.Users.AddRange(first, second);

        await Assert.ThrowsAsync<DbUpdateException>(() => context.SaveChangesAsync());
    }

    [Theory, DatabaseData]
    public async Task SaveChanges_AuditEventsEmailsAndSettings_RoundTrip(DatabaseKind kind)
    {
        var actor = TestData.Unique("alice");
        var relatedId = Guid.CreateVersion7();
        var audit = new AuditEvent
        {
            At = TestData.T0,
            Actor = actor,
            Address = "127.0.0.1",
            ObjectType = "CertificateDefinition",
            ObjectId = relatedId.ToString(),
            Action = "create",
            Outcome = "success",
            Detail = "from import",
        };
        var email = new SentEmail
        {
            To = ["ops@example.test", "pki@example.test"],
            Cc = ["audit@example.test"],
            Subject = TestData.Unique("Install request"),
            Body = "Please install the attached package.",
            Status = EmailStatus.Failed,
            Tries = 3,
            LastError = "connection refused",
            RelatedType = "Deployment",
            RelatedId = relatedId,
            CreatedAt = TestData.T0,
        };
        var key = TestData.Unique("smtp.password");
        var setting = new Setting { Key = key, ProtectedValue = [1, 2, 3], UpdatedAt = TestData.T0 };
        var plain = new Setting { Key = TestData.Unique("smtp.host"), Value = "127.0.0.1", UpdatedAt = TestData.T0 };
        await using (var context = db.CreateContext(kind))
        {
            context.AddRange(audit, email, setting, plain);
            await context.SaveChangesAsync();
        }

        await using (var context = db.CreateContext(kind))
        {
            var loadedAudit = await context.AuditEvents.SingleAsync(a => a.Actor == actor);
            Assert.Equal((audit.Address, audit.ObjectType, audit.ObjectId, audit.Action, audit.Outcome, audit.At),
                (loadedAudit.Address, loadedAudit.ObjectType, loadedAudit.ObjectId, loadedAudit.Action, loadedAudit.Outcome, loadedAudit.At));
            Assert.True(loadedAudit.Id > 0);

            var loadedEmail = await context.SentEmails.SingleAsync(e => e.Subject == email.Subject);
            Assert.Equal(["ops@example.test", "pki@example.test"], loadedEmail.To);
            Assert.Equal(["audit@example.test"], loadedEmail.Cc);
            Assert.Equal((EmailStatus.Failed, 3, relatedId), (loadedEmail.Status, loadedEmail.Tries, loadedEmail.RelatedId));
            Assert.Equal(email.Id, (await context.SentEmails.SingleAsync(e => e.To.Contains("pki@example.test") && e.Id == email.Id)).Id);

            var loadedSetting = await context.Settings.SingleAsync(s => s.Key == key);
            Assert.Equal(new byte[] { 1, 2, 3 }, loadedSetting.ProtectedValue);
            Assert.Null(loadedSetting.Value);
            Assert.Equal("127.0.0.1", (await context.Settings.SingleAsync(s => s.Key == plain.Key)).Value);
        }
    }

    [Theory, DatabaseData]
    public async Task SaveChanges_SettingKeyReused_Throws(DatabaseKind kind)
    {
        var key = TestData.Unique("setting");
        await using (var context = db.CreateContext(kind))
        {
            context.Settings.Add(new Setting { Key = key, Value = "a", UpdatedAt = TestData.T0 });
            await context.SaveChangesAsync();
        }

        await using (var context = db.CreateContext(kind))
        {
            context.Settings.Add(new Setting { Key = key, Value = "b", UpdatedAt = TestData.T0 });
            await Assert.ThrowsAsync<DbUpdateException>(() => context.SaveChangesAsync());
        }
    }

    private static TrustedCaCertificate CaCertificate(TrustedCaSet set)
    {
        var der = RandomNumberGenerator.GetBytes(48);
        return new TrustedCaCertificate
        {
            TrustedCaSet = set,
            Der = der,
            Subject = "CN=" + TestData.Unique("Root"),
            Sha256 = TestData.HexOf(SHA256.HashData(der)),
            NotAfter = TestData.T0.AddYears(10),
            CreatedAt = TestData.T0,
        };
    }

    private static DiscoveryFinding Finding(DiscoveryScan scan, string host)
    {
        var der = RandomNumberGenerator.GetBytes(48);
        return new DiscoveryFinding
        {
            DiscoveryScan = scan,
            Address = host,
            Host = host,
            Port = 443,
            LeafDer = der,
            Sha256 = TestData.HexOf(SHA256.HashData(der)),
            Subject = "CN=" + host,
            Issuer = "CN=Test CA",
            NotAfter = TestData.T0.AddDays(30),
        };
    }

    private static Product Product(CaConnection connection, string name) => new()
    {
        Provider = connection.Name,
        Name = name,
        ValidationLevel = ValidationLevel.DV,
        Wildcard = name.Contains("wildcard", StringComparison.Ordinal),
        MaxValidityDays = 90,
        CaConnection = connection,
        CreatedAt = TestData.T0,
    };
}
