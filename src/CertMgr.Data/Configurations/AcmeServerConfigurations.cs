using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CertMgr.Data.Configurations;

internal sealed class AcmeServerAccountConfiguration : IEntityTypeConfiguration<AcmeServerAccount>
{
    public void Configure(EntityTypeBuilder<AcmeServerAccount> b)
    {
        b.ToTable("acme_server_accounts");
        b.Property(x => x.KeyThumbprint).HasMaxLength(100);
        b.HasIndex(x => x.KeyThumbprint).IsUnique();
        b.Property(x => x.Jwk).HasMaxLength(4000);
        b.Property(x => x.EabKeyId).HasMaxLength(100);
        b.HasIndex(x => x.CreatedAt);
    }
}

internal sealed class AcmeServerEabKeyConfiguration : IEntityTypeConfiguration<AcmeServerEabKey>
{
    public void Configure(EntityTypeBuilder<AcmeServerEabKey> b)
    {
        b.ToTable("acme_server_eab_keys");
        b.HasKey(x => x.KeyId);
        b.Property(x => x.KeyId).HasMaxLength(100);
        b.Property(x => x.Note).HasMaxLength(400);
    }
}

internal sealed class AcmeServerOrderConfiguration : IEntityTypeConfiguration<AcmeServerOrder>
{
    public void Configure(EntityTypeBuilder<AcmeServerOrder> b)
    {
        b.ToTable("acme_server_orders");
        b.HasOne(x => x.Account).WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
        b.HasMany(x => x.Authorizations).WithOne(x => x.Order).HasForeignKey(x => x.OrderId).OnDelete(DeleteBehavior.Cascade);
        b.Property(x => x.ErrorJson).HasMaxLength(4000);
        b.Property(x => x.CertificateSerial).HasMaxLength(80);
        b.Property(x => x.Profile).HasMaxLength(64);
        b.HasIndex(x => new { x.AccountId, x.CreatedAt });
        b.HasIndex(x => x.CreatedAt);
    }
}

internal sealed class AcmeServerAuthorizationConfiguration : IEntityTypeConfiguration<AcmeServerAuthorization>
{
    public void Configure(EntityTypeBuilder<AcmeServerAuthorization> b)
    {
        b.ToTable("acme_server_authorizations");
        b.Property(x => x.Identifier).HasMaxLength(260);
        b.HasMany(x => x.Challenges).WithOne(x => x.Authorization).HasForeignKey(x => x.AuthorizationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class AcmeServerChallengeConfiguration : IEntityTypeConfiguration<AcmeServerChallenge>
{
    public void Configure(EntityTypeBuilder<AcmeServerChallenge> b)
    {
        b.ToTable("acme_server_challenges");
        b.Property(x => x.Type).HasMaxLength(20);
        b.Property(x => x.Token).HasMaxLength(100);
        b.Property(x => x.ErrorJson).HasMaxLength(4000);
    }
}
