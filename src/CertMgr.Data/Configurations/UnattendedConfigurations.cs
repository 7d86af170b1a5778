using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CertMgr.Data.Configurations;

internal sealed class NotificationConfiguration : IEntityTypeConfiguration<Notification>
{
    public void Configure(EntityTypeBuilder<Notification> b)
    {
        b.ToTable("notifications");
        b.Property(x => x.Kind).HasMaxLength(60);
        b.Property(x => x.Subject).HasMaxLength(400);
        b.Property(x => x.LastError).HasMaxLength(2000);
        b.HasIndex(x => new { x.Status, x.CreatedAt });
        b.HasIndex(x => x.DefinitionId);
    }
}

internal sealed class UnattendedStateConfiguration : IEntityTypeConfiguration<UnattendedState>
{
    public void Configure(EntityTypeBuilder<UnattendedState> b)
    {
        b.ToTable("unattended_states");
        b.HasKey(x => x.DefinitionId);
        b.HasOne(x => x.Definition).WithOne().HasForeignKey<UnattendedState>(x => x.DefinitionId).OnDelete(DeleteBehavior.Cascade);
        b.Property(x => x.LeaseOwner).HasMaxLength(200);
        b.Property(x => x.InterruptedStep).HasMaxLength(40);
        b.Property(x => x.InterruptReason).HasMaxLength(2000);
        b.Property(x => x.NotifiedKey).HasMaxLength(2100);
    }
}

internal sealed class UnattendedRunConfiguration : IEntityTypeConfiguration<UnattendedRun>
{
    public void Configure(EntityTypeBuilder<UnattendedRun> b)
    {
        b.ToTable("unattended_runs");
        b.Property(x => x.Node).HasMaxLength(200);
        b.HasIndex(x => x.StartedAt);
        b.HasMany(x => x.Items).WithOne(x => x.Run).HasForeignKey(x => x.RunId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class UnattendedRunItemConfiguration : IEntityTypeConfiguration<UnattendedRunItem>
{
    public void Configure(EntityTypeBuilder<UnattendedRunItem> b)
    {
        b.ToTable("unattended_run_items");
        b.Property(x => x.Step).HasMaxLength(40);
        b.Property(x => x.Detail).HasMaxLength(2000);
        b.HasIndex(x => new { x.RunId, x.Id });
        b.HasIndex(x => new { x.DefinitionId, x.At });
    }
}
