using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CertMgr.Data.Configurations;

internal sealed class CertificateDefinitionConfiguration : IEntityTypeConfiguration<CertificateDefinition>
{
    public void Configure(EntityTypeBuilder<CertificateDefinition> b)
    {
        b.ToTable("definitions");
        b.Property(x => x.Name).HasMaxLength(255);
        b.Property(x => x.CommonName).HasMaxLength(255);
        b.Property(x => x.Organization).HasMaxLength(255);
        b.Property(x => x.OrganizationalUnit).HasMaxLength(255);
        b.Property(x => x.Locality).HasMaxLength(255);
        b.Property(x => x.State).HasMaxLength(255);
        b.Property(x => x.Country).HasMaxLength(2);
        b.Property(x => x.RequestorName).HasMaxLength(255);
        b.Property(x => x.RequestorEmail).HasMaxLength(320);
        b.Property(x => x.RequestorDepartment).HasMaxLength(255);
        b.Property(x => x.RequiredCa).HasMaxLength(255);
        b.Property(x => x.TargetServerName).HasMaxLength(255);
        b.Property(x => x.ServerAdminEmail).HasMaxLength(320);
        b.Property(x => x.ServerNameForCheck).HasMaxLength(255);
        b.HasIndex(x => x.Name);
        b.HasIndex(x => x.CommonName);
        b.HasIndex(x => x.OperationMode);
        b.HasIndex(x => x.CurrentNotAfter);
        b.HasIndex(x => x.NextStatus);
        b.HasIndex(x => x.MonitorStatus);
        // Due for renewal (Acquisition Processes): lifecycle-managed, no open acquisition, by expiry; covering.
        b.HasIndex(x => new { x.OperationMode, x.NextStatus, x.CurrentNotAfter, x.RenewalLeadDays }).HasDatabaseName("IX_definitions_renewal_due");

        b.HasOne(x => x.Product).WithMany().HasForeignKey(x => x.ProductId).OnDelete(DeleteBehavior.SetNull);
        b.HasOne(x => x.TrustedCaSet).WithMany().HasForeignKey(x => x.TrustedCaSetId).OnDelete(DeleteBehavior.SetNull);
        b.HasMany(x => x.Certificates).WithOne(x => x.Definition).HasForeignKey(x => x.DefinitionId).OnDelete(DeleteBehavior.Cascade);
        // The current certificate is one of the definition's own; a separate, optional pointer.
        b.HasOne(x => x.CurrentCertificate).WithMany().HasForeignKey(x => x.CurrentCertificateId).OnDelete(DeleteBehavior.ClientSetNull);
        b.HasIndex(x => x.CurrentCertificateId).IsUnique();
        b.HasMany(x => x.Requests).WithOne(x => x.Definition).HasForeignKey(x => x.DefinitionId).OnDelete(DeleteBehavior.Cascade);
        b.HasMany(x => x.Documents).WithOne(x => x.Definition).HasForeignKey(x => x.DefinitionId).OnDelete(DeleteBehavior.Cascade);
        b.HasMany(x => x.MonitorResults).WithOne(x => x.Definition).HasForeignKey(x => x.DefinitionId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class CertificateRequestConfiguration : IEntityTypeConfiguration<CertificateRequest>
{
    public void Configure(EntityTypeBuilder<CertificateRequest> b)
    {
        b.ToTable("requests");
        b.Property(x => x.OrderNumber).HasMaxLength(255);
        b.HasIndex(x => new { x.DefinitionId, x.Status });
        b.HasOne(x => x.PrivateKey).WithMany(x => x.Requests).HasForeignKey(x => x.PrivateKeyId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne(x => x.Product).WithMany().HasForeignKey(x => x.ProductId).OnDelete(DeleteBehavior.SetNull);
        b.HasOne(x => x.ProviderAccount).WithMany().HasForeignKey(x => x.ProviderAccountId).OnDelete(DeleteBehavior.SetNull);
        b.HasMany(x => x.Submissions).WithOne(x => x.Request).HasForeignKey(x => x.RequestId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class CertificateConfiguration : IEntityTypeConfiguration<Certificate>
{
    public void Configure(EntityTypeBuilder<Certificate> b)
    {
        // The bytes live in their own table: list rows stay narrow (~10 a page, not ~2), so a search or count over
        // 100,000 certificates reads a tenth of the pages. EF joins the two only when a query reads Der or ChainPem.
        b.ToTable("certificates").SplitToTable("certificate_contents", t =>
        {
            t.Property(x => x.Id);
            t.Property(x => x.Der);
            t.Property(x => x.ChainPem);
        });
        b.Property(x => x.Sha1).HasMaxLength(40);
        b.Property(x => x.Sha256).HasMaxLength(64);
        b.Property(x => x.SerialNumber).HasMaxLength(80);
        b.Property(x => x.CommonName).HasMaxLength(255);
        b.HasIndex(x => x.Sha1);
        b.HasIndex(x => x.Sha256);
        b.HasIndex(x => x.NotAfter);
        b.HasIndex(x => x.SerialNumber);
        b.HasIndex(x => x.DefinitionId);
        // A request yields at most one certificate.
        b.HasOne(x => x.Request).WithOne(x => x.Certificate).HasForeignKey<Certificate>(x => x.RequestId).OnDelete(DeleteBehavior.SetNull);
        b.HasIndex(x => x.RequestId).IsUnique();
        b.HasOne(x => x.PrivateKey).WithMany().HasForeignKey(x => x.PrivateKeyId).OnDelete(DeleteBehavior.Restrict);
        b.HasMany(x => x.Deployments).WithOne(x => x.Certificate).HasForeignKey(x => x.CertificateId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class PrivateKeyConfiguration : IEntityTypeConfiguration<PrivateKey>
{
    public void Configure(EntityTypeBuilder<PrivateKey> b)
    {
        b.ToTable("private_keys");
        b.Property(x => x.Name).HasMaxLength(255);
        b.Property(x => x.PublicKeySha256).HasMaxLength(64);
        b.HasIndex(x => x.PublicKeySha256).IsUnique();
        b.HasIndex(x => x.CreatedAt);
    }
}

internal sealed class DeploymentConfiguration : IEntityTypeConfiguration<Deployment>
{
    public void Configure(EntityTypeBuilder<Deployment> b)
    {
        b.ToTable("deployments");
        b.Property(x => x.TargetServerName).HasMaxLength(255);
        b.Property(x => x.ServerAdminEmail).HasMaxLength(320);
        b.Property(x => x.AlternativeCheckName).HasMaxLength(255);
        b.HasIndex(x => x.Status);
        b.HasMany(x => x.Events).WithOne(x => x.Deployment).HasForeignKey(x => x.DeploymentId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class DeploymentEventConfiguration : IEntityTypeConfiguration<DeploymentEvent>
{
    public void Configure(EntityTypeBuilder<DeploymentEvent> b)
    {
        b.ToTable("deployment_events");
        b.Property(x => x.Action).HasMaxLength(100);
        b.Property(x => x.Outcome).HasMaxLength(40);
        b.Property(x => x.Actor).HasMaxLength(255);
        b.HasIndex(x => new { x.DeploymentId, x.At });
    }
}

internal sealed class DocumentConfiguration : IEntityTypeConfiguration<Document>
{
    public void Configure(EntityTypeBuilder<Document> b)
    {
        b.ToTable("documents");
        b.Property(x => x.FileName).HasMaxLength(255);
        b.Property(x => x.ContentType).HasMaxLength(255);
        b.Property(x => x.Sha256).HasMaxLength(64);
        b.Property(x => x.StoredPath).HasMaxLength(1024);
        b.Property(x => x.UploadedBy).HasMaxLength(255);
    }
}
