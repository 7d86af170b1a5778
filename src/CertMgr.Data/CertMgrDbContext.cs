using CertMgr.Data.Model;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace CertMgr.Data;

/// <summary>The one EF Core model of CertMgr, over SQLite or PostgreSQL.</summary>
public sealed class CertMgrDbContext(DbContextOptions<CertMgrDbContext> options) : DbContext(options), IDataProtectionKeyContext
{
    /// <summary>ASP.NET Core data-protection keys (session cookies, antiforgery), shared by every node; sealed by the master key.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<CertificateDefinition> Definitions => Set<CertificateDefinition>();
    public DbSet<CertificateRequest> Requests => Set<CertificateRequest>();
    public DbSet<Certificate> Certificates => Set<Certificate>();
    public DbSet<PrivateKey> PrivateKeys => Set<PrivateKey>();
    public DbSet<Deployment> Deployments => Set<Deployment>();
    public DbSet<DeploymentEvent> DeploymentEvents => Set<DeploymentEvent>();
    public DbSet<TrustedCaSet> TrustedCaSets => Set<TrustedCaSet>();
    public DbSet<TrustedCaCertificate> TrustedCaCertificates => Set<TrustedCaCertificate>();
    public DbSet<MonitorRun> MonitorRuns => Set<MonitorRun>();
    public DbSet<MonitorResult> MonitorResults => Set<MonitorResult>();
    public DbSet<DiscoveryScan> DiscoveryScans => Set<DiscoveryScan>();
    public DbSet<DiscoveryFinding> DiscoveryFindings => Set<DiscoveryFinding>();
    public DbSet<Product> Products => Set<Product>();
    public DbSet<ProviderAccount> ProviderAccounts => Set<ProviderAccount>();
    public DbSet<CaConnection> CaConnections => Set<CaConnection>();
    public DbSet<CaSubmission> CaSubmissions => Set<CaSubmission>();
    public DbSet<PrivateCa> PrivateCas => Set<PrivateCa>();
    public DbSet<IssuedCertificate> IssuedCertificates => Set<IssuedCertificate>();
    public DbSet<User> Users => Set<User>();
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();
    public DbSet<SentEmail> SentEmails => Set<SentEmail>();
    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();
    public DbSet<Document> Documents => Set<Document>();
    public DbSet<Setting> Settings => Set<Setting>();
    public DbSet<SshInstallSettings> SshInstallSettings => Set<SshInstallSettings>();
    public DbSet<Notification> Notifications => Set<Notification>();
    public DbSet<UnattendedState> UnattendedStates => Set<UnattendedState>();
    public DbSet<UnattendedRun> UnattendedRuns => Set<UnattendedRun>();
    public DbSet<UnattendedRunItem> UnattendedRunItems => Set<UnattendedRunItem>();
    public DbSet<AcmeServerAccount> AcmeServerAccounts => Set<AcmeServerAccount>();
    public DbSet<AcmeServerEabKey> AcmeServerEabKeys => Set<AcmeServerEabKey>();
    public DbSet<AcmeServerOrder> AcmeServerOrders => Set<AcmeServerOrder>();
    public DbSet<AcmeServerAuthorization> AcmeServerAuthorizations => Set<AcmeServerAuthorization>();
    public DbSet<AcmeServerChallenge> AcmeServerChallenges => Set<AcmeServerChallenge>();
    public DbSet<WebhookChannel> WebhookChannels => Set<WebhookChannel>();
    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();

    /// <summary>Saves, and refreshes the list state of the definitions the changes touched, in one transaction.</summary>
    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        if (ChangeTracker.AutoDetectChangesEnabled)
        {
            ChangeTracker.DetectChanges();
        }

        var touched = DefinitionState.Collect(ChangeTracker);
        if (touched.IsEmpty)
        {
            return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        }

        var own = Database.CurrentTransaction is null ? await Database.BeginTransactionAsync(cancellationToken) : null;
        try
        {
            var written = await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
            await DefinitionState.RefreshAsync(this, touched, cancellationToken);
            if (own is not null)
            {
                await own.CommitAsync(cancellationToken);
            }

            return written;
        }
        finally
        {
            if (own is not null)
            {
                await own.DisposeAsync();
            }
        }
    }

    /// <summary>The synchronous form of <see cref="SaveChangesAsync(bool, CancellationToken)"/>.</summary>
    public override int SaveChanges(bool acceptAllChangesOnSuccess) =>
        SaveChangesAsync(acceptAllChangesOnSuccess, CancellationToken.None).GetAwaiter().GetResult();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        ArgumentNullException.ThrowIfNull(configurationBuilder);
        // Enums are stored by name: readable in SQL, and stable when members are reordered.
        configurationBuilder.Properties<Enum>().HaveConversion<string>().HaveMaxLength(40);
        // Times are instants, stored in UTC on both databases so that they compare and sort alike; they read back in
        // UTC. (EF's DateTimeOffsetToBinaryConverter kept the local clock time on SQLite, so mixed offsets sorted
        // wrongly and sub-0.1 ms precision was lost; Npgsql rejects non-UTC offsets outright.)
        if (Database.IsSqlite())
        {
            configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcTicksConverter>();
        }
        else
        {
            configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcDateTimeOffsetConverter>();
        }
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(CertMgrDbContext).Assembly);
        modelBuilder.Entity<DataProtectionKey>().ToTable("data_protection_keys");
        if (Database.IsSqlite())
        {
            // A covering index for searches: a count of matches scans it instead of the table (a fifth of the pages),
            // and a search of requests or deployments by their definition joins through it without reading the
            // definition's row. Not on PostgreSQL: its B-tree entries have a size limit that a definition with many
            // long SANs exceeds.
            modelBuilder.Entity<CertificateDefinition>().HasIndex(d => new { d.Id, d.SearchText }).HasDatabaseName("IX_definitions_Id_SearchText");
        }

        // Guid keys are set by the entities themselves (Guid.CreateVersion7()). Left as EF's default "generated on
        // add", a new entity reached through a tracked one's navigation, key already set, is taken for an existing row
        // and UPDATEd instead of INSERTed (e.g. a renewal's certificate added to a loaded definition).
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            foreach (var key in entity.FindPrimaryKey()?.Properties ?? [])
            {
                if (key.ClrType == typeof(Guid))
                {
                    key.ValueGenerated = ValueGenerated.Never;
                }
            }
        }
    }
}
