using CertMgr.Core.Audit;
using CertMgr.Core.Common;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Data.Secrets;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Core.Notifications.Webhooks;

/// <summary>A channel as the console and the API show it: never the full URL or the secret.</summary>
public sealed record WebhookChannelView(
    Guid Id, string Name, string UrlDisplay, WebhookFormat Format, IReadOnlyList<string> Kinds, bool Enabled, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>A new channel and its secret, which is shown this once.</summary>
public sealed record WebhookChannelCreated(WebhookChannelView Channel, string Secret);

/// <summary>What the receiver said to the test notification.</summary>
public sealed record WebhookTestResult(bool Delivered, int HttpStatus, string? Reason, string? BodyStart, string Summary);

/// <summary>A create or edit of a channel. On edit, an empty <see cref="Url"/> keeps the stored one.</summary>
public sealed record WebhookChannelInput
{
    public string? Name { get; init; }
    public string? Url { get; init; }
    /// <summary>Generic | Slack | Teams (by name).</summary>
    public string? Format { get; init; }
    public IReadOnlyList<string>? Kinds { get; init; }
    public bool Enabled { get; init; } = true;

    public override string ToString() => $"WebhookChannelInput {{ Name = {Name}, Format = {Format} }}"; // never the URL
}

/// <summary>
/// Webhook channels (admin): create (the secret is generated and returned once), edit, delete, new secret, and the test
/// notification. Every input is checked per field before anything changes; every change is audited with the display
/// URL only. The URL and the secret are sealed (purpose "webhook").
/// </summary>
public sealed class WebhookChannels(CertMgrDbContext db, SecretProtector protector, WebhookSender sender, TimeProvider time)
{
    public const string ObjectType = "WebhookChannel";
    public const int MaxName = 100;
    public const int MaxUrl = 2000;

    public async Task<Result<WebhookChannelView>> GetAsync(Guid id, CancellationToken ct) =>
        await db.WebhookChannels.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, ct) is { } c ? View(c) : NotFound();

    public async Task<Result<WebhookChannelCreated>> CreateAsync(WebhookChannelInput input, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var valid = await ValidateAsync(input, null, ct);
        if (!valid.IsSuccess)
        {
            return valid.Error;
        }

        var (name, url, format, kinds) = valid.Value;
        var now = time.GetUtcNow();
        var secret = WebhookPayloads.NewSecret();
        var channel = new WebhookChannel
        {
            Name = name,
            EncryptedUrl = protector.Protect(url!.AbsoluteUri, SecretPurposes.Webhook),
            UrlDisplay = DisplayUrl(url),
            Format = format,
            Kinds = kinds,
            Enabled = input.Enabled,
            EncryptedSecret = protector.Protect(secret, SecretPurposes.Webhook),
            ActiveSince = now,
            ScannedFrom = now,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.WebhookChannels.Add(channel);
        db.Record(now, actor, ObjectType, channel.Id.ToString(), "create", detail: Describe(channel));
        await db.SaveChangesAsync(ct);
        return new WebhookChannelCreated(View(channel), secret);
    }

    public async Task<Result<WebhookChannelView>> UpdateAsync(Guid id, WebhookChannelInput input, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var channel = await db.WebhookChannels.SingleOrDefaultAsync(c => c.Id == id, ct);
        if (channel is null)
        {
            return NotFound();
        }

        var valid = await ValidateAsync(input, channel.Id, ct);
        if (!valid.IsSuccess)
        {
            return valid.Error;
        }

        var (name, url, format, kinds) = valid.Value;
        var now = time.GetUtcNow();
        var urlChanged = url is not null && url.AbsoluteUri != protector.UnprotectString(channel.EncryptedUrl, SecretPurposes.Webhook);
        if (urlChanged)
        {
            channel.EncryptedUrl = protector.Protect(url!.AbsoluteUri, SecretPurposes.Webhook);
            channel.UrlDisplay = DisplayUrl(url);
        }

        if (input.Enabled && !channel.Enabled)
        {
            // Switched on again: what happened while it was off is not sent now.
            channel.ActiveSince = now;
            channel.ScannedFrom = now;
        }
        else if (!input.Enabled && channel.Enabled)
        {
            await CancelPendingAsync(channel.Id, "The channel was disabled before this notice was delivered.", ct);
        }

        channel.Name = name;
        channel.Format = format;
        channel.Kinds = kinds;
        channel.Enabled = input.Enabled;
        channel.UpdatedAt = now;
        db.Record(now, actor, ObjectType, channel.Id.ToString(), "update", detail: Describe(channel) + (urlChanged ? "; URL changed" : ""));
        await db.SaveChangesAsync(ct);
        return View(channel);
    }

    public async Task<Result<WebhookChannelView>> DeleteAsync(Guid id, string actor, CancellationToken ct)
    {
        var channel = await db.WebhookChannels.SingleOrDefaultAsync(c => c.Id == id, ct);
        if (channel is null)
        {
            return NotFound();
        }

        db.WebhookChannels.Remove(channel); // its deliveries go with it (cascade)
        db.Record(time.GetUtcNow(), actor, ObjectType, channel.Id.ToString(), "delete", detail: Describe(channel));
        await db.SaveChangesAsync(ct);
        return View(channel);
    }

    /// <summary>Replaces the signing secret; the new one is returned this once.</summary>
    public async Task<Result<string>> NewSecretAsync(Guid id, string actor, CancellationToken ct)
    {
        var channel = await db.WebhookChannels.SingleOrDefaultAsync(c => c.Id == id, ct);
        if (channel is null)
        {
            return NotFound();
        }

        var secret = WebhookPayloads.NewSecret();
        var now = time.GetUtcNow();
        channel.EncryptedSecret = protector.Protect(secret, SecretPurposes.Webhook);
        channel.UpdatedAt = now;
        db.Record(now, actor, ObjectType, channel.Id.ToString(), "new-secret", detail: channel.Name);
        await db.SaveChangesAsync(ct);
        return secret;
    }

    /// <summary>
    /// Sends a test notification now (not through the deliveries) and returns the receiver's answer, whatever its
    /// status; a network error or timeout is an Unavailable error saying what went wrong. Audited either way.
    /// </summary>
    public async Task<Result<WebhookTestResult>> SendTestAsync(Guid id, string actor, CancellationToken ct)
    {
        var channel = await db.WebhookChannels.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, ct);
        if (channel is null)
        {
            return NotFound();
        }

        var now = time.GetUtcNow();
        var message = new WebhookMessage(Guid.CreateVersion7(), WebhookKinds.Test, "CertMgr test notification",
            $"This is a test notification from CertMgr to the channel \"{channel.Name}\", sent {now:yyyy-MM-dd HH:mm:ss} UTC.", null, null, null, now, true);
        var answer = await sender.PostAsync(Target(channel), channel.Format, Secret(channel), message, message.Id, ct);
        db.Record(now, actor, ObjectType, channel.Id.ToString(), "test", answer.Delivered, $"{channel.Name} ({channel.UrlDisplay}): {answer.Describe()}");
        await db.SaveChangesAsync(ct);
        return answer.Status is { } status
            ? new WebhookTestResult(answer.Delivered, status, answer.Reason, answer.BodyStart, answer.Describe())
            : Error.Unavailable("webhook-unreachable", answer.NetworkError!);
    }

    internal Uri Target(WebhookChannel channel) => new(protector.UnprotectString(channel.EncryptedUrl, SecretPurposes.Webhook));

    internal string Secret(WebhookChannel channel) => protector.UnprotectString(channel.EncryptedSecret, SecretPurposes.Webhook);

    public static WebhookChannelView View(WebhookChannel c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return new(c.Id, c.Name, c.UrlDisplay, c.Format, [.. c.Kinds], c.Enabled, c.CreatedAt, c.UpdatedAt);
    }

    /// <summary>Scheme, host, port and the first path segment; the rest of the path, the query and any user info are hidden.</summary>
    public static string DisplayUrl(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var segments = url.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var path = segments.Length switch
        {
            0 => "/",
            1 when segments[0].Length <= 40 => "/" + segments[0],
            _ when segments[0].Length <= 40 => "/" + segments[0] + "/…",
            _ => "/…",
        };
        return $"{url.Scheme}://{url.Authority[(url.Authority.IndexOf('@', StringComparison.Ordinal) + 1)..]}{path}{(url.Query.Length > 1 ? "?…" : "")}";
    }

    private async Task CancelPendingAsync(Guid channelId, string why, CancellationToken ct) =>
        await db.WebhookDeliveries.Where(d => d.ChannelId == channelId && d.Status == WebhookDeliveryStatus.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, WebhookDeliveryStatus.Failed)
                .SetProperty(d => d.NextAttemptAt, (DateTimeOffset?)null)
                .SetProperty(d => d.LastError, why), ct);

    private static string Describe(WebhookChannel c) =>
        $"{c.Name}: {c.UrlDisplay}, {c.Format}, kinds {string.Join(",", c.Kinds)}, {(c.Enabled ? "enabled" : "disabled")}";

    private static Error NotFound() => Error.NotFound("webhook-not-found", "No such webhook channel.");

    private async Task<Result<(string Name, Uri? Url, WebhookFormat Format, List<string> Kinds)>> ValidateAsync(
        WebhookChannelInput input, Guid? existing, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var name = input.Name?.Trim() ?? "";
        if (name.Length == 0)
        {
            errors["name"] = ["Enter a name."];
        }
        else if (name.Length > MaxName)
        {
            errors["name"] = [$"At most {MaxName} characters."];
        }
        else if (await db.WebhookChannels.AnyAsync(c => c.Name == name && c.Id != existing, ct))
        {
            errors["name"] = ["Another webhook channel has this name."];
        }

        Uri? url = null;
        var rawUrl = input.Url?.Trim() ?? "";
        if (rawUrl.Length == 0)
        {
            if (existing is null)
            {
                errors["url"] = ["Enter the receiver's URL (http:// or https://)."];
            }
        }
        else if (rawUrl.Length > MaxUrl)
        {
            errors["url"] = [$"At most {MaxUrl} characters."];
        }
        else if (!Uri.TryCreate(rawUrl, UriKind.Absolute, out url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            errors["url"] = ["The URL must be an absolute http:// or https:// URL."];
            url = null;
        }
        else if (url.Host.Length == 0)
        {
            errors["url"] = ["The URL needs a host."];
            url = null;
        }

        var format = WebhookFormat.Generic;
        if (!string.IsNullOrWhiteSpace(input.Format)
            && (!Enum.TryParse(input.Format.Trim(), ignoreCase: true, out format) || !Enum.IsDefined(format) || int.TryParse(input.Format, out _)))
        {
            errors["format"] = ["The format must be Generic, Slack or Teams."];
        }

        var kinds = (input.Kinds ?? []).Select(k => k?.Trim() ?? "").Where(k => k.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        if (kinds.Count == 0)
        {
            errors["kinds"] = ["Choose at least one kind of notification."];
        }
        else if (kinds.FirstOrDefault(k => !WebhookKinds.IsKnown(k)) is { } unknown)
        {
            errors["kinds"] = [$"Unknown kind \"{(unknown.Length > 60 ? unknown[..60] : unknown)}\"; known: {string.Join(", ", WebhookKinds.All.Select(k => k.Kind))}."];
        }

        if (errors.Count > 0)
        {
            return Error.Invalid("webhook-invalid", "Some fields are not valid; nothing was saved.", errors);
        }

        return (name, url, format, kinds);
    }
}
