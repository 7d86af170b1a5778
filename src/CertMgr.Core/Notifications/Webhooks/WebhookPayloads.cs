using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CertMgr.Data.Model;

namespace CertMgr.Core.Notifications.Webhooks;

/// <summary>What a webhook says: one administrator notice (a stored Notification, or the test message).</summary>
public sealed record WebhookMessage(
    Guid Id, string Kind, string Subject, string Body, Guid? DefinitionId, Guid? RequestId, Guid? DeploymentId, DateTimeOffset CreatedAt, bool Test)
{
    public static WebhookMessage From(Notification n)
    {
        ArgumentNullException.ThrowIfNull(n);
        return new(n.Id, n.Kind, n.Subject, n.Body, n.DefinitionId, n.RequestId, n.DeploymentId, n.CreatedAt, false);
    }
}

/// <summary>
/// The POST bodies per <see cref="WebhookFormat"/> and the signature (pure). The signature is
/// <c>sha256=</c> + lower-case hex of HMAC-SHA256 over <c>"{timestamp}.{raw body}"</c> (timestamp = the
/// X-CertMgr-Timestamp header, Unix seconds), keyed with the UTF-8 bytes of the channel's secret; see docs/webhooks.md.
/// </summary>
public static class WebhookPayloads
{
    public const string SignatureHeader = "X-CertMgr-Signature";
    public const string TimestampHeader = "X-CertMgr-Timestamp";
    public const string EventHeader = "X-CertMgr-Event";
    public const string DeliveryHeader = "X-CertMgr-Delivery";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static byte[] Body(WebhookFormat format, WebhookMessage m)
    {
        ArgumentNullException.ThrowIfNull(m);
        JsonNode node = format switch
        {
            WebhookFormat.Slack => new JsonObject { ["text"] = $"*{SlackEscape(m.Subject)}*\n{SlackEscape(m.Body)}" },
            WebhookFormat.Teams => Teams(m),
            _ => new JsonObject
            {
                ["id"] = m.Id,
                ["kind"] = m.Kind,
                ["subject"] = m.Subject,
                ["body"] = m.Body,
                ["definitionId"] = m.DefinitionId,
                ["requestId"] = m.RequestId,
                ["deploymentId"] = m.DeploymentId,
                ["createdAt"] = m.CreatedAt,
                ["test"] = m.Test,
            },
        };
        return JsonSerializer.SerializeToUtf8Bytes(node, Json);
    }

    /// <summary>The X-CertMgr-Signature value for a body sent at <paramref name="timestamp"/> (Unix seconds).</summary>
    public static string Signature(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var prefix = Encoding.UTF8.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + ".");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }

    /// <summary>A new channel secret: <c>whsec_</c> + 32 random bytes, base64url.</summary>
    public static string NewSecret() =>
        "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    // Slack mrkdwn: &, < and > are control characters (links, mentions).
    private static string SlackEscape(string s) =>
        s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    // A message with one Adaptive Card: what Teams Workflows webhooks require, and what classic incoming webhooks accept.
    private static JsonObject Teams(WebhookMessage m) => new()
    {
        ["type"] = "message",
        ["attachments"] = new JsonArray(new JsonObject
        {
            ["contentType"] = "application/vnd.microsoft.card.adaptive",
            ["content"] = new JsonObject
            {
                ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
                ["type"] = "AdaptiveCard",
                ["version"] = "1.4",
                ["body"] = new JsonArray(
                    new JsonObject { ["type"] = "TextBlock", ["text"] = m.Subject, ["weight"] = "Bolder", ["size"] = "Medium", ["wrap"] = true },
                    new JsonObject { ["type"] = "TextBlock", ["text"] = m.Body, ["wrap"] = true },
                    new JsonObject
                    {
                        ["type"] = "FactSet",
                        ["facts"] = new JsonArray(
                            new JsonObject { ["title"] = "Kind", ["value"] = m.Kind },
                            new JsonObject { ["title"] = "Time (UTC)", ["value"] = m.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) }),
                    }),
            },
        }),
    };
}
