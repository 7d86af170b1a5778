using System.Diagnostics.CodeAnalysis;
using System.Linq.Expressions;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Web.ConsoleUi;

namespace CertMgr.Web.Pages.Webhooks;

/// <summary>One line of the webhook channel list (console and API), with its last delivery at a glance.</summary>
public sealed class WebhookRow
{
    public Guid Id { get; init; }
    public required string Name { get; init; }
    public required string UrlDisplay { get; init; }
    public WebhookFormat Format { get; init; }
    public required List<string> Kinds { get; init; }
    public bool Enabled { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public WebhookDeliveryStatus? LastStatus { get; init; }
    public DateTimeOffset? LastAt { get; init; }
    public int? LastHttpStatus { get; init; }
    public string? LastError { get; init; }
}

/// <summary>One delivery of a channel (console and API).</summary>
public sealed class WebhookDeliveryRow
{
    public Guid Id { get; init; }
    public Guid NotificationId { get; init; }
    public required string Kind { get; init; }
    public required string Subject { get; init; }
    public WebhookDeliveryStatus Status { get; init; }
    public int Tries { get; init; }
    public int? LastHttpStatus { get; init; }
    public string? LastError { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? LastAttemptAt { get; init; }
    public DateTimeOffset? NextAttemptAt { get; init; }
    public DateTimeOffset? SentAt { get; init; }
}

/// <summary>The webhook list and delivery list projections, columns, search, filters and badges.</summary>
public static class WebhookRows
{
    public static ListColumns<WebhookRow> Columns { get; } = new ListColumns<WebhookRow>("name")
        .Sortable("name", r => r.Name)
        .Sortable("format", r => r.Format)
        .Sortable("enabled", r => r.Enabled, descendingFirst: true)
        .Sortable("last", r => r.LastAt, descendingFirst: true)
        .UniqueKey(r => r.Id)
        .SearchWith(Search);

    public static ListColumns<WebhookDeliveryRow> DeliveryColumns { get; } = new ListColumns<WebhookDeliveryRow>("time")
        .Sortable("time", r => r.CreatedAt, descendingFirst: true)
        .Sortable("subject", r => r.Subject)
        .Sortable("status", r => r.Status)
        .Sortable("tries", r => r.Tries, descendingFirst: true)
        .UniqueKey(r => r.Id)
        .SearchWith(DeliverySearch);

    public static ListFilter StateFilter { get; } = new("state", "State",
    [
        new(null, "Any state"),
        new("enabled", "Enabled"),
        new("disabled", "Disabled"),
        new("failing", "Last delivery failed"),
    ]);

    public static ListFilter DeliveryStatusFilter { get; } = new("status", "Status",
    [
        new(null, "Any status"),
        new(nameof(WebhookDeliveryStatus.Pending), "Pending"),
        new(nameof(WebhookDeliveryStatus.Sent), "Sent"),
        new(nameof(WebhookDeliveryStatus.Failed), "Failed"),
        new(nameof(WebhookDeliveryStatus.Suppressed), "Suppressed"),
    ]);

    public static IQueryable<WebhookRow> Rows(CertMgrDbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);
        // The last delivery that was (or will be) sent; suppressed duplicates say nothing about the receiver.
        var sent = db.WebhookDeliveries.Where(d => d.Status != WebhookDeliveryStatus.Suppressed);
        return db.WebhookChannels.Select(c => new WebhookRow
        {
            Id = c.Id,
            Name = c.Name,
            UrlDisplay = c.UrlDisplay,
            Format = c.Format,
            Kinds = c.Kinds,
            Enabled = c.Enabled,
            CreatedAt = c.CreatedAt,
            LastStatus = sent.Where(d => d.ChannelId == c.Id).OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Id)
                .Select(d => (WebhookDeliveryStatus?)d.Status).FirstOrDefault(),
            LastAt = sent.Where(d => d.ChannelId == c.Id).OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Id)
                .Select(d => (DateTimeOffset?)(d.LastAttemptAt ?? d.CreatedAt)).FirstOrDefault(),
            LastHttpStatus = sent.Where(d => d.ChannelId == c.Id).OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Id)
                .Select(d => d.LastHttpStatus).FirstOrDefault(),
            LastError = sent.Where(d => d.ChannelId == c.Id).OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Id)
                .Select(d => d.LastError).FirstOrDefault(),
        });
    }

    /// <summary>The rows in a state (enabled | disabled | failing); an unknown state is null.</summary>
    public static IQueryable<WebhookRow>? InState(IQueryable<WebhookRow> rows, string? state) => state?.Trim().ToLowerInvariant() switch
    {
        null or "" => rows,
        "enabled" => rows.Where(r => r.Enabled),
        "disabled" => rows.Where(r => !r.Enabled),
        "failing" => rows.Where(r => r.LastStatus == WebhookDeliveryStatus.Failed),
        _ => null,
    };

    public static IQueryable<WebhookDeliveryRow> Deliveries(CertMgrDbContext db, Guid channelId)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.WebhookDeliveries.Where(d => d.ChannelId == channelId).Select(d => new WebhookDeliveryRow
        {
            Id = d.Id,
            NotificationId = d.NotificationId,
            Kind = d.Notification.Kind,
            Subject = d.Notification.Subject,
            Status = d.Status,
            Tries = d.Tries,
            LastHttpStatus = d.LastHttpStatus,
            LastError = d.LastError,
            CreatedAt = d.CreatedAt,
            LastAttemptAt = d.LastAttemptAt,
            NextAttemptAt = d.NextAttemptAt,
            SentAt = d.SentAt,
        });
    }

    public static WebhookDeliveryStatus? ParseStatus(string? value) =>
        Enum.TryParse<WebhookDeliveryStatus>(value?.Trim(), ignoreCase: true, out var s) && Enum.IsDefined(s) && !int.TryParse(value, out _) ? s : null;

    public static StatusBadge Badge(WebhookDeliveryStatus? status, int tries = 0) => status switch
    {
        null => new("No delivery yet", Tone.Neutral, "dash-circle"),
        WebhookDeliveryStatus.Sent => new("Sent", Tone.Success, "check-circle"),
        WebhookDeliveryStatus.Failed => new("Failed", Tone.Danger, "x-octagon"),
        WebhookDeliveryStatus.Suppressed => new("Suppressed", Tone.Neutral, "files", "The same notice went to this channel shortly before"),
        _ when tries > 0 => new("Retrying", Tone.Warning, "arrow-clockwise", $"{tries} tries so far"),
        _ => new("Pending", Tone.Info, "hourglass-split"),
    };

    public static StatusBadge EnabledBadge(bool enabled) =>
        enabled ? new("Enabled", Tone.Success, "toggle-on") : new("Disabled", Tone.Neutral, "toggle-off");

    public static string FormatLabel(WebhookFormat format) => format switch
    {
        WebhookFormat.Slack => "Slack",
        WebhookFormat.Teams => "Microsoft Teams",
        _ => "Generic JSON (signed)",
    };

    /// <summary>Search: name or display URL (case-insensitive substring).</summary>
    [SuppressMessage("Performance", "CA1862", Justification = "Translated to SQL, where Contains(string, StringComparison) has no translation.")]
    public static Expression<Func<WebhookRow, bool>> Search(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.ToLowerInvariant();
        return r => r.Name.ToLower().Contains(t) || r.UrlDisplay.ToLower().Contains(t);
    }

    /// <summary>Search: the notice's subject or the last error.</summary>
    [SuppressMessage("Performance", "CA1862", Justification = "Translated to SQL, where Contains(string, StringComparison) has no translation.")]
    public static Expression<Func<WebhookDeliveryRow, bool>> DeliverySearch(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.ToLowerInvariant();
        return r => r.Subject.ToLower().Contains(t) || (r.LastError != null && r.LastError.ToLower().Contains(t));
    }
}
