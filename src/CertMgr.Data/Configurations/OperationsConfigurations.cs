using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CertMgr.Data.Configurations;

internal sealed class TrustedCaSetConfiguration : IEntityTypeConfiguration<TrustedCaSet>
{
    public void Configure(EntityTypeBuilder<TrustedCaSet> b)
    {
        b.ToTable("trusted_ca_sets");
        b.Property(x => x.Name).HasMaxLength(255);
        b.HasIndex(x => x.Name).IsUnique();
        // At most one default set; the filter is valid SQL on SQLite and PostgreSQL alike.
        b.HasIndex(x => x.IsDefault).IsUnique().HasFilter("\"IsDefault\"").HasDatabaseName("IX_trusted_ca_sets_single_default");
        b.HasMany(x => x.Certificates).WithOne(x => x.TrustedCaSet).HasForeignKey(x => x.TrustedCaSetId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class TrustedCaCertificateConfiguration : IEntityTypeConfiguration<TrustedCaCertificate>
{
    public void Configure(EntityTypeBuilder<TrustedCaCertificate> b)
    {
        b.ToTable("trusted_ca_certificates");
        b.Property(x => x.Sha256).HasMaxLength(64);
        b.HasIndex(x => new { x.TrustedCaSetId, x.Sha256 }).IsUnique();
    }
}

internal sealed class MonitorRunConfiguration : IEntityTypeConfiguration<MonitorRun>
{
    public void Configure(EntityTypeBuilder<MonitorRun> b)
    {
        b.ToTable("monitor_runs");
        b.HasIndex(x => x.StartedAt);
        b.HasMany(x => x.Results).WithOne(x => x.MonitorRun).HasForeignKey(x => x.MonitorRunId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class MonitorResultConfiguration : IEntityTypeConfiguration<MonitorResult>
{
    public void Configure(EntityTypeBuilder<MonitorResult> b)
    {
        b.ToTable("monitor_results");
        b.Property(x => x.Endpoint).HasMaxLength(600);
        b.Property(x => x.ServedSha1).HasMaxLength(40);
        b.Property(x => x.ServedSha256).HasMaxLength(64);
        b.HasIndex(x => new { x.DefinitionId, x.CheckedAt });
    }
}

internal sealed class DiscoveryScanConfiguration : IEntityTypeConfiguration<DiscoveryScan>
{
    public void Configure(EntityTypeBuilder<DiscoveryScan> b)
    {
        b.ToTable("discovery_scans");
        b.Property(x => x.Name).HasMaxLength(255);
        b.Property(x => x.CreatedBy).HasMaxLength(255);
        b.Property(x => x.PortsText).HasMaxLength(2000);
        b.HasIndex(x => x.StartedAt);
        b.HasMany(x => x.Findings).WithOne(x => x.DiscoveryScan).HasForeignKey(x => x.DiscoveryScanId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class DiscoveryFindingConfiguration : IEntityTypeConfiguration<DiscoveryFinding>
{
    public void Configure(EntityTypeBuilder<DiscoveryFinding> b)
    {
        b.ToTable("discovery_findings");
        b.Property(x => x.Address).HasMaxLength(64);
        b.Property(x => x.Host).HasMaxLength(255);
        b.Property(x => x.Sni).HasMaxLength(255);
        b.Property(x => x.Sha1).HasMaxLength(40);
        b.Property(x => x.Sha256).HasMaxLength(64);
        b.Property(x => x.KeyAlgorithm).HasMaxLength(64);
        b.Property(x => x.SignatureAlgorithm).HasMaxLength(64);
        b.HasIndex(x => x.Sha256);
        b.HasIndex(x => new { x.DiscoveryScanId, x.Kind });
        b.HasOne(x => x.Definition).WithMany().HasForeignKey(x => x.DefinitionId).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class ProductConfiguration : IEntityTypeConfiguration<Product>
{
    public void Configure(EntityTypeBuilder<Product> b)
    {
        b.ToTable("products");
        b.Property(x => x.Provider).HasMaxLength(255);
        b.Property(x => x.Name).HasMaxLength(255);
        b.Property(x => x.ProductUrl).HasMaxLength(2048);
        b.Property(x => x.Template).HasMaxLength(255);
        b.HasIndex(x => new { x.Provider, x.Name }).IsUnique();
        b.HasOne(x => x.CaConnection).WithMany(x => x.Products).HasForeignKey(x => x.CaConnectionId).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class ProviderAccountConfiguration : IEntityTypeConfiguration<ProviderAccount>
{
    public void Configure(EntityTypeBuilder<ProviderAccount> b)
    {
        b.ToTable("provider_accounts");
        b.Property(x => x.Provider).HasMaxLength(255);
        b.Property(x => x.Username).HasMaxLength(255);
        b.Property(x => x.RegisteredEmail).HasMaxLength(320);
    }
}

internal sealed class CaConnectionConfiguration : IEntityTypeConfiguration<CaConnection>
{
    public void Configure(EntityTypeBuilder<CaConnection> b)
    {
        b.ToTable("ca_connections");
        b.Property(x => x.Name).HasMaxLength(255);
        b.Property(x => x.Endpoint).HasMaxLength(2048);
        b.Property(x => x.AccountEmail).HasMaxLength(320);
        b.HasIndex(x => x.Name).IsUnique();
    }
}

internal sealed class CaSubmissionConfiguration : IEntityTypeConfiguration<CaSubmission>
{
    public void Configure(EntityTypeBuilder<CaSubmission> b)
    {
        b.ToTable("ca_submissions");
        b.Property(x => x.ExternalId).HasMaxLength(2048);
        b.HasOne(x => x.CaConnection).WithMany().HasForeignKey(x => x.CaConnectionId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class PrivateCaConfiguration : IEntityTypeConfiguration<PrivateCa>
{
    public void Configure(EntityTypeBuilder<PrivateCa> b)
    {
        b.ToTable("private_cas");
        b.Property(x => x.Subject).HasMaxLength(1024);
        b.Property(x => x.Sha256).HasMaxLength(64);
        // At most one current CA, even when several nodes start at once.
        b.HasIndex(x => x.IsCurrent).IsUnique().HasFilter("\"IsCurrent\"").HasDatabaseName("IX_private_cas_single_current");
        b.HasOne(x => x.PrivateKey).WithMany().HasForeignKey(x => x.PrivateKeyId).OnDelete(DeleteBehavior.Restrict);
        b.HasMany(x => x.Issued).WithOne(x => x.PrivateCa).HasForeignKey(x => x.PrivateCaId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class IssuedCertificateConfiguration : IEntityTypeConfiguration<IssuedCertificate>
{
    public void Configure(EntityTypeBuilder<IssuedCertificate> b)
    {
        b.ToTable("issued_certificates");
        b.Property(x => x.SerialNumber).HasMaxLength(80);
        b.Property(x => x.Subject).HasMaxLength(1024);
        b.Property(x => x.Sha256).HasMaxLength(64);
        b.Property(x => x.IssuedBy).HasMaxLength(255);
        b.Property(x => x.PublicKeySha256).HasMaxLength(64);
        b.HasIndex(x => new { x.PrivateCaId, x.SerialNumber }).IsUnique();
        b.HasIndex(x => new { x.PrivateCaId, x.Status });
    }
}

internal sealed class UserConfiguration : IEntityTypeConfiguration<User>
{
    public void Configure(EntityTypeBuilder<User> b)
    {
        b.ToTable("users");
        b.Property(x => x.UserName).HasMaxLength(100);
        b.Property(x => x.NormalizedUserName).HasMaxLength(100);
        b.Property(x => x.DisplayName).HasMaxLength(255);
        b.Property(x => x.Email).HasMaxLength(320);
        b.Property(x => x.PasswordHash).HasMaxLength(500);
        b.Property(x => x.SecurityStamp).HasMaxLength(64);
        b.HasIndex(x => x.NormalizedUserName).IsUnique();
        b.HasMany(x => x.ApiTokens).WithOne(x => x.User).HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ApiTokenConfiguration : IEntityTypeConfiguration<ApiToken>
{
    public void Configure(EntityTypeBuilder<ApiToken> b)
    {
        b.ToTable("api_tokens");
        b.Property(x => x.Name).HasMaxLength(255);
        b.Property(x => x.Prefix).HasMaxLength(16);
        b.Property(x => x.TokenHash).HasMaxLength(64);
        b.HasIndex(x => x.TokenHash).IsUnique();
    }
}

internal sealed class SentEmailConfiguration : IEntityTypeConfiguration<SentEmail>
{
    public void Configure(EntityTypeBuilder<SentEmail> b)
    {
        b.ToTable("sent_emails");
        b.Property(x => x.Subject).HasMaxLength(998);
        b.Property(x => x.RelatedType).HasMaxLength(100);
        b.Property(x => x.Kind).HasMaxLength(50);
        b.HasIndex(x => x.CreatedAt);
        b.HasIndex(x => x.Status);
        b.HasIndex(x => new { x.Status, x.NextAttemptAt }); // the outbox worker's "due" query
    }
}

internal sealed class AuditEventConfiguration : IEntityTypeConfiguration<AuditEvent>
{
    public void Configure(EntityTypeBuilder<AuditEvent> b)
    {
        b.ToTable("audit_events");
        b.Property(x => x.Actor).HasMaxLength(255);
        b.Property(x => x.Address).HasMaxLength(64);
        b.Property(x => x.ObjectType).HasMaxLength(100);
        b.Property(x => x.ObjectId).HasMaxLength(100);
        b.Property(x => x.Action).HasMaxLength(100);
        b.Property(x => x.Outcome).HasMaxLength(20);
        b.HasIndex(x => x.At);
        b.HasIndex(x => new { x.ObjectType, x.ObjectId });
    }
}

internal sealed class SettingConfiguration : IEntityTypeConfiguration<Setting>
{
    public void Configure(EntityTypeBuilder<Setting> b)
    {
        b.ToTable("settings");
        b.HasKey(x => x.Key);
        b.Property(x => x.Key).HasMaxLength(200);
    }
}

internal sealed class SshInstallSettingsConfiguration : IEntityTypeConfiguration<SshInstallSettings>
{
    public void Configure(EntityTypeBuilder<SshInstallSettings> b)
    {
        b.ToTable("ssh_install_settings");
        b.HasOne(x => x.Definition).WithOne().HasForeignKey<SshInstallSettings>(x => x.DefinitionId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => x.DefinitionId).IsUnique();
        b.Property(x => x.Host).HasMaxLength(255);
        b.Property(x => x.Username).HasMaxLength(255);
        b.Property(x => x.HostKeyAlgorithm).HasMaxLength(100);
        b.Property(x => x.HostKeyFingerprint).HasMaxLength(100);
        foreach (var path in new[] { nameof(SshInstallSettings.CertificatePath), nameof(SshInstallSettings.ChainPath), nameof(SshInstallSettings.FullChainPath), nameof(SshInstallSettings.KeyPath), nameof(SshInstallSettings.CombinedPath), nameof(SshInstallSettings.Http01WebRoot) })
        {
            b.Property(path).HasMaxLength(1024);
        }

        b.Property(x => x.FileOwner).HasMaxLength(64);
        b.Property(x => x.FileGroup).HasMaxLength(64);
        b.Property(x => x.KeyMode).HasMaxLength(4);
        b.Property(x => x.ValidateCommand).HasMaxLength(2000);
        b.Property(x => x.ReloadCommand).HasMaxLength(2000);
    }
}
