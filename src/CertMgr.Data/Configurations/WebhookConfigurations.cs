using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CertMgr.Data.Configurations;

internal sealed class WebhookChannelConfiguration : IEntityTypeConfiguration<WebhookChannel>
{
    public void Configure(EntityTypeBuilder<WebhookChannel> b)
    {
        b.ToTable("webhook_channels");
        b.Property(x => x.Name).HasMaxLength(100);
        b.HasIndex(x => x.Name).IsUnique();
        b.Property(x => x.UrlDisplay).HasMaxLength(300);
    }
}

internal sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> b)
    {
        b.ToTable("webhook_deliveries");
        b.HasOne(x => x.Channel).WithMany().HasForeignKey(x => x.ChannelId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne(x => x.Notification).WithMany().HasForeignKey(x => x.NotificationId).OnDelete(DeleteBehavior.Cascade);
        b.Property(x => x.LastError).HasMaxLength(2000);
        b.HasIndex(x => new { x.ChannelId, x.NotificationId }).IsUnique(); // one delivery per notice and channel
        b.HasIndex(x => new { x.ChannelId, x.CreatedAt });
        b.HasIndex(x => new { x.Status, x.NextAttemptAt }); // the worker's "due" query
    }
}
