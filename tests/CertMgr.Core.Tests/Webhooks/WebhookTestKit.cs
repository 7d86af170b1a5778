using CertMgr.Core.Notifications.Webhooks;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CertMgr.Core.Tests.Webhooks;

/// <summary>The steps the webhook tests share: a fixture with fast test options, channels, notifications, passes.</summary>
internal static class WebhookTestKit
{
    /// <summary>A migrated database without the first-start initialization (no CA needed here).</summary>
    public static async Task<CoreFixture> FixtureAsync(TestDatabase database, int maxTries = 6, TimeSpan? timeout = null)
    {
        var f = await CoreFixture.CreateAsync(initialize: false, database: database, configure: s => s.AddSingleton(new WebhookOptions
        {
            MaxTries = maxTries,
            Timeout = timeout ?? TimeSpan.FromSeconds(5),
        }));
        await f.DbAsync(async db =>
        {
            await db.Database.MigrateAsync();
            return 0;
        });
        return f;
    }

    public static async Task<WebhookChannelCreated> CreateChannelAsync(CoreFixture f, Uri url, WebhookFormat format = WebhookFormat.Generic,
        string name = "ops", params string[] kinds)
    {
        var created = await f.WithAsync(sp => sp.GetRequiredService<WebhookChannels>().CreateAsync(new WebhookChannelInput
        {
            Name = name,
            Url = url.AbsoluteUri,
            Format = format.ToString(),
            Kinds = kinds.Length == 0 ? ["unattended-interrupted"] : kinds,
        }, "alice", CancellationToken.None));
        Assert.True(created.IsSuccess, created.Error?.ToString());
        return created.Value;
    }

    public static async Task<Notification> NotifyAsync(CoreFixture f, string subject, string kind = "unattended-interrupted", Guid? definitionId = null,
        string body = "The renewal of www.example.test waits at step product: no product chosen.")
    {
        var n = new Notification { Kind = kind, Subject = subject, Body = body, DefinitionId = definitionId, CreatedAt = f.Time.GetUtcNow() };
        await f.DbAsync(async db =>
        {
            db.Notifications.Add(n);
            return await db.SaveChangesAsync();
        });
        return n;
    }

    public static Task<WebhookPassResult> PassAsync(CoreFixture f, CancellationToken ct = default) =>
        f.WithAsync(sp => sp.GetRequiredService<WebhookDispatcher>().RunAsync(ct));

    public static Task<List<WebhookDelivery>> DeliveriesAsync(CoreFixture f) =>
        f.DbAsync(db => db.WebhookDeliveries.AsNoTracking().Include(d => d.Notification).OrderBy(d => d.Notification.CreatedAt).ThenBy(d => d.Id).ToListAsync());
}
