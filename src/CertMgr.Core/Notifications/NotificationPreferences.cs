using System.Text.Json;
using System.Text.Json.Serialization;
using CertMgr.Core.Audit;
using CertMgr.Core.Common;
using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Core.Notifications;

/// <summary>How an install package reaches the server administrator when a deployment's delivery is Email.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PackageDelivery>))]
public enum PackageDelivery
{
    /// <summary>A signed, time-limited download link in the email.</summary>
    Link,

    /// <summary>The package attached to the email (up to the size limit; larger ones go as a link).</summary>
    Attachment,
}

/// <summary>The daily digest and package delivery preferences.</summary>
public sealed record NotificationPreferencesView(
    bool DigestEnabled, int DigestHourUtc, bool DigestWhenEmpty, PackageDelivery PackageDelivery, int LinkValidDays, int AttachmentMaxKb,
    DateTimeOffset? UpdatedAt)
{
    public static NotificationPreferencesView Default { get; } = new(true, 7, false, PackageDelivery.Link, 7, 5120, null);
}

/// <summary>A save of the preferences (the console form and the API).</summary>
public sealed record NotificationPreferencesInput
{
    public bool DigestEnabled { get; init; } = true;
    public int? DigestHourUtc { get; init; }
    public bool DigestWhenEmpty { get; init; }
    public PackageDelivery PackageDelivery { get; init; } = PackageDelivery.Link;
    public int? LinkValidDays { get; init; }
    public int? AttachmentMaxKb { get; init; }
}

/// <summary>
/// Digest and package delivery preferences in the <c>notifications.preferences</c> <see cref="Setting"/> row; saves are
/// validated per field and audited with what changed.
/// </summary>
public sealed class NotificationPreferences(CertMgrDbContext db, TimeProvider time)
{
    public const string ObjectType = "NotificationPreferences";
    internal const string SettingKey = "notifications.preferences";
    public const int MaxLinkDays = 90;
    public const int MaxAttachmentKb = 10 * 1024;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<NotificationPreferencesView> GetAsync(CancellationToken ct) =>
        await ReadAsync(db, ct);

    /// <summary>The preferences in force, read in the caller's context.</summary>
    public static async Task<NotificationPreferencesView> ReadAsync(CertMgrDbContext db, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var row = await db.Settings.AsNoTracking().SingleOrDefaultAsync(s => s.Key == SettingKey, ct);
        return Read(row);
    }

    public async Task<Result<NotificationPreferencesView>> SaveAsync(NotificationPreferencesInput input, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var d = NotificationPreferencesView.Default;
        var hour = input.DigestHourUtc ?? d.DigestHourUtc;
        var days = input.LinkValidDays ?? d.LinkValidDays;
        var kb = input.AttachmentMaxKb ?? d.AttachmentMaxKb;
        if (hour is < 0 or > 23)
        {
            errors["digestHourUtc"] = ["The hour must be between 0 and 23 (UTC)."];
        }

        if (!Enum.IsDefined(input.PackageDelivery))
        {
            errors["packageDelivery"] = ["Choose a download link or an attachment."];
        }

        if (days is < 1 or > MaxLinkDays)
        {
            errors["linkValidDays"] = [$"A link is valid for 1 to {MaxLinkDays} days."];
        }

        if (kb is < 1 or > MaxAttachmentKb)
        {
            errors["attachmentMaxKb"] = [$"The attachment limit is 1 to {MaxAttachmentKb} KB."];
        }

        if (errors.Count > 0)
        {
            return Error.Invalid("preferences-invalid", "Some settings are not valid; nothing was saved.", errors);
        }

        var now = time.GetUtcNow();
        var row = await db.Settings.SingleOrDefaultAsync(s => s.Key == SettingKey, ct);
        var before = Read(row);
        if (row is null)
        {
            row = new Setting { Key = SettingKey };
            db.Settings.Add(row);
        }

        var after = new NotificationPreferencesView(input.DigestEnabled, hour, input.DigestWhenEmpty, input.PackageDelivery, days, kb, now);
        row.Value = JsonSerializer.Serialize(after with { UpdatedAt = null }, Json);
        row.UpdatedAt = now;
        db.Record(now, actor, ObjectType, null, "update", detail: Changes(before, after));
        await db.SaveChangesAsync(ct);
        return after;
    }

    internal static string Changes(NotificationPreferencesView before, NotificationPreferencesView after)
    {
        var changed = new List<string>();
        void Add<T>(string name, T a, T b)
        {
            if (!EqualityComparer<T>.Default.Equals(a, b))
            {
                changed.Add($"{name} {a} -> {b}");
            }
        }

        Add("digest", before.DigestEnabled ? "on" : "off", after.DigestEnabled ? "on" : "off");
        Add("digest hour (UTC)", before.DigestHourUtc, after.DigestHourUtc);
        Add("digest when empty", before.DigestWhenEmpty ? "yes" : "no", after.DigestWhenEmpty ? "yes" : "no");
        Add("package delivery", before.PackageDelivery, after.PackageDelivery);
        Add("link valid days", before.LinkValidDays, after.LinkValidDays);
        Add("attachment max KB", before.AttachmentMaxKb, after.AttachmentMaxKb);
        return changed.Count == 0 ? "no change" : string.Join("; ", changed);
    }

    private static NotificationPreferencesView Read(Setting? row)
    {
        if (row?.Value is null)
        {
            return NotificationPreferencesView.Default;
        }

        try
        {
            var stored = JsonSerializer.Deserialize<NotificationPreferencesView>(row.Value, Json);
            return stored is null ? NotificationPreferencesView.Default : stored with { UpdatedAt = row.UpdatedAt };
        }
        catch (JsonException)
        {
            return NotificationPreferencesView.Default;
        }
    }
}
