using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.PrivateCa;
using CertMgr.Core.Pki;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Data.Secrets;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using CertificateRequest = CertMgr.Data.Model.CertificateRequest;
using X509Request = System.Security.Cryptography.X509Certificates.CertificateRequest;

namespace CertMgr.Core.Inventory.Seeding;

/// <summary>What a seeding run wrote, and how long it took.</summary>
public sealed record SeedOutcome(int Definitions, int Certificates, int Keys, int Requests, int Deployments, int MonitorResults, TimeSpan Elapsed);

/// <summary>
/// Fills a data directory with a realistic demo or benchmark inventory: definitions with varied names, modes, tags and
/// expiries; real DER certificates (signed by a few throwaway seed CAs, chains included); sealed private keys for the
/// lifecycle-managed ones; previous certificates, open and completed requests, deployments and monitor results.
/// Rows go in through <see cref="BulkInsert{T}"/> in one transaction; the crypto runs on every core.
/// </summary>
public sealed class InventorySeeder(CertMgrDbContext db, SecretProtector protector, TimeProvider time)
{
    public const string SeedTag = "seeded";

    private static readonly string[] Services = ["www", "shop", "mail", "intranet", "api", "vpn", "erp", "crm", "git", "wiki", "portal", "billing", "sso", "cdn", "files"];
    private static readonly string[] Environments = ["prod", "test", "stage", "dev"];
    private static readonly string[] Domains = ["example.com", "example.net", "corp.example", "example.org", "shop.example"];
    private static readonly string[] Departments = ["IT Operations", "E-Commerce", "Finance", "HR", "Research", "Marketing"];
    private static readonly string[] IssuerNames = ["CN=Seed Issuing CA R1, O=CertMgr Seed, C=DE", "CN=Seed DV TLS CA E2, O=CertMgr Seed, C=US", "CN=Seed OV Server CA 3, O=CertMgr Seed, C=GB"];
    private static readonly ServerSoftware[] Software = [ServerSoftware.Nginx, ServerSoftware.ApacheHttpd, ServerSoftware.HaProxy, ServerSoftware.Postfix, ServerSoftware.MicrosoftIis, ServerSoftware.Generic];

    /// <summary>Seeds <paramref name="count"/> definitions; <paramref name="progress"/> gets a line per phase.</summary>
    public async Task<SeedOutcome> SeedAsync(int count, Action<string>? progress, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var started = Stopwatch.StartNew();
        var now = time.GetUtcNow();
        var plan = Plan(count, now);
        progress?.Invoke($"planned {count:N0} definitions in {started.Elapsed.TotalSeconds:0.0} s; signing certificates");

        var issuers = Issuers(now);
        var rsaPool = Enumerable.Range(0, 4).Select(_ => RSA.Create(2048)).ToArray();
        try
        {
            var built = Build(plan, issuers, rsaPool, now);
            progress?.Invoke($"built {built.Certificates.Count:N0} certificates and {built.Keys.Count:N0} keys in {started.Elapsed.TotalSeconds:0.0} s; writing");
            await WriteAsync(built, ct);
            progress?.Invoke($"written in {started.Elapsed.TotalSeconds:0.0} s");
            return new SeedOutcome(built.Definitions.Count, built.Certificates.Count, built.Keys.Count, built.Requests.Count,
                built.Deployments.Count, built.MonitorResults.Count, started.Elapsed);
        }
        finally
        {
            foreach (var (cert, key) in issuers)
            {
                cert.Dispose();
                key.Dispose();
            }

            foreach (var rsa in rsaPool)
            {
                rsa.Dispose();
            }
        }
    }

    private sealed record PlannedDefinition(int Index, CertificateDefinition Definition, int Issuer, bool HasKey, bool Rsa, bool HasPrevious, DateTimeOffset NotAfter, int ValidityDays);

    private sealed class Built
    {
        public List<CertificateDefinition> Definitions { get; } = [];
        public List<Certificate> Certificates { get; } = [];
        public List<PrivateKey> Keys { get; } = [];
        public List<CertificateRequest> Requests { get; } = [];
        public List<Deployment> Deployments { get; } = [];
        public List<MonitorResult> MonitorResults { get; } = [];
        public MonitorRun Run { get; set; } = null!;
        public Dictionary<Guid, Guid> Current { get; } = [];
    }

    private static List<PlannedDefinition> Plan(int count, DateTimeOffset now)
    {
        var random = new Random(4711);
        var list = new List<PlannedDefinition>(count);
        for (var i = 0; i < count; i++)
        {
            var service = Services[random.Next(Services.Length)];
            var env = Environments[random.Next(Environments.Length)];
            var domain = Domains[random.Next(Domains.Length)];
            var wildcard = random.Next(25) == 0;
            var cn = wildcard ? $"*.{service}{i}.{env}.{domain}" : $"{service}{i}.{env}.{domain}";
            var bare = wildcard ? cn[2..] : cn;
            var sans = random.Next(4) switch
            {
                0 => new List<string> { cn, $"{service}{i}-alt.{env}.{domain}", $"{service}{i}-b.{env}.{domain}" },
                1 => [cn, bare == cn ? $"alias{i}.{domain}" : bare],
                _ => [cn],
            };
            var managed = random.Next(4) != 0;
            var rsa = !managed && random.Next(2) == 0;
            var validity = random.Next(3) == 0 ? 90 : 397;
            var notAfter = now.AddDays(random.Next(-30, validity)).AddMinutes(random.Next(1440));
            var department = Departments[random.Next(Departments.Length)];
            var definition = new CertificateDefinition
            {
                Name = cn,
                CommonName = cn,
                OperationMode = managed ? OperationMode.LifecycleManaged : OperationMode.MonitoredOnly,
                ExecutionMode = managed && random.Next(3) == 0 ? ExecutionMode.Unattended : ExecutionMode.Interactive,
                Organization = "Example Corp",
                OrganizationalUnit = department,
                Locality = "Berlin",
                Country = "DE",
                SubjectAlternativeNames = sans,
                KeyAlgorithm = rsa ? KeyAlgorithm.Rsa : KeyAlgorithm.Ecdsa,
                KeySize = rsa ? 2048 : 256,
                RequestorName = $"Requestor {i % 500}",
                RequestorEmail = $"owner{i % 500}@{domain}",
                RequestorDepartment = department,
                RequiredValidationLevel = (ValidationLevel)random.Next(3),
                RequireWildcard = wildcard,
                RequireMultiDomain = sans.Count > 1,
                TargetServerName = bare,
                ServerSoftware = Software[random.Next(Software.Length)],
                Port = random.Next(10) == 0 ? 8443 : 443,
                ServerAdminEmail = $"admin{i % 200}@{domain}",
                MonitoringEnabled = random.Next(10) != 0,
                ExpiryThresholdDays = 30,
                RenewalLeadDays = random.Next(5) == 0 ? 30 : 60,
                Tags = [env, service, SeedTag],
                Notes = random.Next(5) == 0 ? $"Seeded demo definition {i}; owner team {department}." : null,
                CreatedAt = now.AddDays(-random.Next(30, 900)),
                UpdatedAt = now.AddDays(-random.Next(0, 30)),
            };
            list.Add(new PlannedDefinition(i, definition, random.Next(3), managed, rsa, random.Next(5) == 0, notAfter, validity));
        }

        return list;
    }

    private static (X509Certificate2 Certificate, ECDsa Key)[] Issuers(DateTimeOffset now) =>
    [
        .. IssuerNames.Select(name =>
            {
                var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                var request = new X509Request(name, key, HashAlgorithmName.SHA256);
                request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
                request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
                request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
                return (request.CreateSelfSigned(now.AddYears(-3), now.AddYears(10)), key);
            }),
    ];

    private Built Build(List<PlannedDefinition> plan, (X509Certificate2 Certificate, ECDsa Key)[] issuers, RSA[] rsaPool, DateTimeOffset now)
    {
        var chains = issuers.Select(i => (IEnumerable<X509Certificate2>)[i.Certificate]).ToArray();
        var results = new (CertificateDefinition Definition, PrivateKey? Key, Certificate Current, Certificate? Previous)[plan.Count];
        // Extensions that depend only on the issuer are built once and shared (they are immutable data).
        var issuerExtensions = issuers.Select((x, n) => new X509Extension[]
        {
            X509AuthorityKeyIdentifierExtension.CreateFromCertificate(x.Certificate, true, false),
            CertificateRevocationListBuilder.BuildCrlDistributionPointExtension([$"http://pki.seed.example/crl/{n}.crl"]),
        }).ToArray();
        var eku = new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false);
        var basic = new X509BasicConstraintsExtension(false, false, 0, true);
        var generators = issuers.Select(x => X509SignatureGenerator.CreateForECDsa(x.Key)).ToArray();
        Parallel.For(0, plan.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            var p = plan[i];
            using var ec = p.Rsa ? null : ECDsa.Create(ECCurve.NamedCurves.nistP256);
            AsymmetricAlgorithm subjectKey = p.Rsa ? rsaPool[p.Index % rsaPool.Length] : ec!;
            var sealedKey = p.HasKey && ec is not null ? SealedKeys.Seal(ec, KeySpec.EcP256, PrivateKeySource.Generated, protector, p.Definition.CreatedAt) : null;
            var issuer = issuers[p.Issuer];
            X509Certificate2 Sign(DateTimeOffset notAfter)
            {
                var request = p.Rsa
                    ? new X509Request($"CN={p.Definition.CommonName}, OU={p.Definition.OrganizationalUnit}, O=Example Corp, C=DE", (RSA)subjectKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
                    : new X509Request($"CN={p.Definition.CommonName}, OU={p.Definition.OrganizationalUnit}, O=Example Corp, C=DE", (ECDsa)subjectKey, HashAlgorithmName.SHA256);
                var san = new SubjectAlternativeNameBuilder();
                foreach (var name in p.Definition.SubjectAlternativeNames)
                {
                    san.AddDnsName(name);
                }

                request.CertificateExtensions.Add(san.Build());
                request.CertificateExtensions.Add(basic);
                request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | (p.Rsa ? X509KeyUsageFlags.KeyEncipherment : 0), true));
                request.CertificateExtensions.Add(eku);
                request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
                foreach (var extension in issuerExtensions[p.Issuer])
                {
                    request.CertificateExtensions.Add(extension);
                }
                var serial = new byte[16];
                BitConverter.TryWriteBytes(serial, p.Index);
                RandomNumberGenerator.Fill(serial.AsSpan(4));
                serial[0] &= 0x7F;
                serial[0] |= 0x01;
                return request.Create(issuer.Certificate.SubjectName, generators[p.Issuer], notAfter.AddDays(-p.ValidityDays), notAfter, serial);
            }

            using var current = Sign(p.NotAfter);
            var currentRow = InventoryRecords.NewCertificate(current, chains[p.Issuer], p.Definition.Id,
                p.HasKey ? CertificateSource.Received : CertificateSource.Imported, current.NotBefore.ToUniversalTime(), sealedKey?.Id);
            Certificate? previousRow = null;
            if (p.HasPrevious)
            {
                using var previous = Sign(p.NotAfter.AddDays(-p.ValidityDays + 20));
                previousRow = InventoryRecords.NewCertificate(previous, chains[p.Issuer], p.Definition.Id,
                    p.HasKey ? CertificateSource.Received : CertificateSource.Imported, previous.NotBefore.ToUniversalTime(), sealedKey?.Id);
            }

            results[i] = (p.Definition, sealedKey, currentRow, previousRow);
        });

        var built = new Built { Run = new MonitorRun { Trigger = RunTrigger.Scheduled, Status = RunStatus.Completed, StartedAt = now.AddHours(-3), EndedAt = now.AddHours(-2) } };
        var random = new Random(815);
        foreach (var (definition, key, current, previous) in results)
        {
            built.Definitions.Add(definition);
            if (key is not null)
            {
                built.Keys.Add(key);
            }

            if (previous is not null)
            {
                built.Certificates.Add(previous);
            }

            built.Certificates.Add(current);
            built.Current[definition.Id] = current.Id;
            var managed = definition.OperationMode == OperationMode.LifecycleManaged;
            if (managed && random.Next(3) == 0)
            {
                var completed = new CertificateRequest
                {
                    DefinitionId = definition.Id, Kind = previous is null ? RequestKind.New : RequestKind.Renewal, Status = RequestStatus.Completed,
                    PrivateKeyId = key?.Id, OrderDate = DateOnly.FromDateTime(current.NotBefore.UtcDateTime), OrderNumber = $"ORD-{random.Next(1_000_000):D6}",
                    CreatedAt = current.NotBefore.AddDays(-2), UpdatedAt = current.NotBefore, CompletedAt = current.NotBefore,
                };
                built.Requests.Add(completed);
                current.RequestId = completed.Id;
            }

            if (managed && random.Next(12) == 0)
            {
                var status = (RequestStatus)random.Next(0, 5) switch { RequestStatus.Received => RequestStatus.Interrupted, var s => s };
                built.Requests.Add(new CertificateRequest
                {
                    DefinitionId = definition.Id, Kind = RequestKind.Renewal, Status = status, PrivateKeyId = status == RequestStatus.Draft ? null : key?.Id,
                    InterruptReason = status == RequestStatus.Interrupted ? "Waiting for the provider's domain validation e-mail" : null,
                    CreatedAt = now.AddDays(-random.Next(1, 20)), UpdatedAt = now.AddDays(-random.Next(0, 1)),
                });
            }

            if (managed && random.Next(5) < 2)
            {
                built.Deployments.Add(new Deployment
                {
                    CertificateId = current.Id,
                    Status = (DeploymentStatus)random.Next(0, 7),
                    TargetServerName = definition.TargetServerName,
                    ServerSoftware = definition.ServerSoftware,
                    ServerAdminEmail = definition.ServerAdminEmail,
                    CreatedAt = current.NotBefore.AddHours(1),
                    UpdatedAt = current.NotBefore.AddHours(2),
                });
            }

            if (definition.MonitoringEnabled && random.Next(5) < 3)
            {
                var roll = random.Next(100);
                var status = roll < 90 ? CheckStatus.Ok : roll < 97 ? CheckStatus.Ng : CheckStatus.Unreachable;
                built.MonitorResults.Add(new MonitorResult
                {
                    MonitorRunId = built.Run.Id,
                    DefinitionId = definition.Id,
                    Status = status,
                    Endpoint = $"{definition.TargetServerName}:{definition.Port}",
                    ServedSha1 = status == CheckStatus.Unreachable ? null : current.Sha1,
                    ServedSha256 = status == CheckStatus.Unreachable ? null : current.Sha256,
                    Reason = status switch { CheckStatus.Ng => "Served certificate is not the current one", CheckStatus.Unreachable => "Connection timed out", _ => null },
                    CheckedAt = now.AddHours(-2).AddSeconds(-random.Next(3600)),
                    DurationMs = random.Next(20, 900),
                });
            }
        }

        return built;
    }

    private async Task WriteAsync(Built built, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            await InsertAsync(built.Definitions, ct);
            await InsertAsync(built.Keys, ct);
            await InsertAsync(built.Requests, ct);
            await InsertAsync(built.Certificates, ct);
            await InsertAsync([built.Run], ct);
            await InsertAsync(built.MonitorResults, ct);
            await InsertAsync(built.Deployments, ct);

            // The definition/current-certificate cycle: definitions went in without it, now that the certificates exist.
            var sql = db.GetService<ISqlGenerationHelper>();
            var guid = db.GetService<IRelationalTypeMappingSource>().FindMapping(typeof(Guid))!;
            await using (var update = db.Database.GetDbConnection().CreateCommand())
            {
                update.Transaction = transaction.GetDbTransaction();
                update.CommandText = $"UPDATE {sql.DelimitIdentifier("definitions")} SET {sql.DelimitIdentifier("CurrentCertificateId")} = " +
                    $"{sql.GenerateParameterNamePlaceholder("c")} WHERE {sql.DelimitIdentifier("Id")} = {sql.GenerateParameterNamePlaceholder("d")}";
                var c = guid.CreateParameter(update, "c", Guid.Empty);
                var d = guid.CreateParameter(update, "d", Guid.Empty);
                update.Parameters.Add(c);
                update.Parameters.Add(d);
                await update.PrepareAsync(ct);
                foreach (var (definitionId, certificateId) in built.Current)
                {
                    // Through the provider's Guid mapping: upper-case text on SQLite, uuid on PostgreSQL.
                    c.Value = guid.Converter?.ConvertToProvider(certificateId) ?? certificateId;
                    d.Value = guid.Converter?.ConvertToProvider(definitionId) ?? definitionId;
                    await update.ExecuteNonQueryAsync(ct);
                }
            }

            await DefinitionState.RefreshAsync(db.Definitions, ct);
            await transaction.CommitAsync(ct);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private async Task InsertAsync<T>(IEnumerable<T> rows, CancellationToken ct)
        where T : class
    {
        await using var insert = await BulkInsert<T>.PrepareAsync(db, ct);
        await insert.AddRangeAsync(rows, ct);
    }
}
