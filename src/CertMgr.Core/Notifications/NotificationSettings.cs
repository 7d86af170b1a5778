using System.Text.Json;
using CertMgr.Core.Audit;
using CertMgr.Core.Common;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Data.Secrets;
using Microsoft.EntityFrameworkCore;
using MimeKit;

namespace CertMgr.Core.Notifications;

/// <summary>
/// The administrator's contact and the outgoing SMTP server (guide 3.1), in <see cref="Setting"/> rows: the plain
/// part as JSON, the password sealed by <see cref="SecretProtector"/> in its own row and never returned. Saves are
/// validated per field (nothing changes on a refusal) and audited without secrets; the test send reports the
/// server's answer.
/// </summary>
public sealed class NotificationSettings(CertMgrDbContext db, SecretProtector protector, ISmtpTransport transport, TimeProvider time)
{
    public const string ObjectType = "NotificationSettings";
    internal const string SettingKey = "notifications.settings";
    internal const string PasswordKey = "notifications.smtp.password";
    public const string TestEmailRelatedType = "TestEmail";
    private const int MaxText = 255;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<NotificationSettingsView> GetAsync(CancellationToken ct)
    {
        var rows = await db.Settings.AsNoTracking().Where(s => s.Key == SettingKey || s.Key == PasswordKey).ToListAsync(ct);
        return View(rows.SingleOrDefault(r => r.Key == SettingKey), rows.SingleOrDefault(r => r.Key == PasswordKey));
    }

    public async Task<Result<NotificationSettingsView>> SaveAsync(NotificationSettingsInput input, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var parsed = Validate(input);
        if (!parsed.IsSuccess)
        {
            return parsed.Error!;
        }

        var now = time.GetUtcNow();
        var row = await db.Settings.SingleOrDefaultAsync(s => s.Key == SettingKey, ct);
        var before = Read(row);
        if (row is null)
        {
            row = new Setting { Key = SettingKey };
            db.Settings.Add(row);
        }

        row.Value = JsonSerializer.Serialize(parsed.Value, Json);
        row.UpdatedAt = now;
        var password = await db.Settings.SingleOrDefaultAsync(s => s.Key == PasswordKey, ct);
        var passwordChange = "kept";
        if (input.ClearSmtpPassword || string.IsNullOrEmpty(parsed.Value.SmtpUser))
        {
            if (password is not null)
            {
                db.Settings.Remove(password);
                password = null;
                passwordChange = "removed";
            }
        }
        else if (!string.IsNullOrEmpty(input.SmtpPassword))
        {
            if (password is null)
            {
                password = new Setting { Key = PasswordKey };
                db.Settings.Add(password);
            }

            password.ProtectedValue = protector.Protect(input.SmtpPassword, SecretPurposes.Setting);
            password.UpdatedAt = now;
            passwordChange = "changed";
        }

        db.Record(now, actor, ObjectType, null, "update", detail: Changes(before, parsed.Value, passwordChange));
        await db.SaveChangesAsync(ct);
        return View(row, password);
    }

    /// <summary>The connection the outbox uses, or null while no SMTP server is configured.</summary>
    public async Task<SmtpConnection?> ConnectionAsync(CancellationToken ct)
    {
        var rows = await db.Settings.AsNoTracking().Where(s => s.Key == SettingKey || s.Key == PasswordKey).ToListAsync(ct);
        var stored = Read(rows.SingleOrDefault(r => r.Key == SettingKey));
        if (stored.SmtpHost is null || stored.SenderAddress is null)
        {
            return null;
        }

        var sealedPassword = rows.SingleOrDefault(r => r.Key == PasswordKey)?.ProtectedValue;
        var password = sealedPassword is null ? null : protector.UnprotectString(sealedPassword, SecretPurposes.Setting);
        return new SmtpConnection(stored.SmtpHost, stored.SmtpPort, stored.SmtpSecurity, stored.SmtpUser, password, stored.SenderAddress, stored.SenderName);
    }

    /// <summary>
    /// Sends a test email right away (not through the outbox) to <paramref name="to"/> or the administrator, and returns
    /// the server's answer; a refusal is an error carrying the server's answer. Audited either way.
    /// </summary>
    public async Task<Result<string>> SendTestAsync(string? to, string actor, CancellationToken ct)
    {
        var connection = await ConnectionAsync(ct);
        if (connection is null)
        {
            return Error.Invalid("smtp-not-configured", "Save an SMTP server and a sender address first.", "smtpHost");
        }

        var recipient = string.IsNullOrWhiteSpace(to) ? (await GetAsync(ct)).AdminEmail : to.Trim();
        if (recipient is null)
        {
            return Error.Invalid("test-recipient-missing", "Enter a recipient or save the administrator's email address first.", "to");
        }

        if (!IsEmail(recipient))
        {
            return Error.Invalid("test-recipient-invalid", "The recipient must be one email address such as admin@example.com.", "to");
        }

        var now = time.GetUtcNow();
        var email = new OutgoingEmail([recipient], [], "CertMgr test email",
            $"This is a test email from CertMgr, sent {now:yyyy-MM-dd HH:mm:ss} UTC through {connection.Host}:{connection.Port}.\n\nOutgoing email works.");
        var sent = await transport.SendAsync(connection, email, ct);
        // On the Sent Emails list like every other email; sent at once, so never retried by the outbox.
        db.SentEmails.Add(new SentEmail
        {
            To = [recipient],
            Subject = email.Subject,
            Body = email.Body,
            Status = sent.IsSuccess ? EmailStatus.Sent : EmailStatus.Failed,
            Tries = 1,
            LastError = sent.IsSuccess ? null : sent.Error!.Message,
            RelatedType = TestEmailRelatedType,
            Kind = "test",
            CreatedAt = now,
            SentAt = sent.IsSuccess ? now : null,
            LastAttemptAt = now,
        });
        db.Record(now, actor, ObjectType, null, "test-email", sent.IsSuccess,
            sent.IsSuccess ? $"to {recipient}: {sent.Value}" : $"to {recipient}: {sent.Error!.Message}");
        await db.SaveChangesAsync(ct);
        return sent;
    }

    /// <summary>The audit text of a save: each field that changed, old and new; the password only as kept/changed/removed.</summary>
    internal static string Changes(StoredSettings before, StoredSettings after, string passwordChange)
    {
        var changed = new List<string>();
        void Add(string name, object? a, object? b)
        {
            if (!Equals(a, b))
            {
                changed.Add($"{name} {a ?? "none"} -> {b ?? "none"}");
            }
        }

        Add("admin name", before.AdminName, after.AdminName);
        Add("admin email", before.AdminEmail, after.AdminEmail);
        Add("SMTP host", before.SmtpHost, after.SmtpHost);
        Add("SMTP port", before.SmtpPort, after.SmtpPort);
        Add("SMTP security", before.SmtpSecurity, after.SmtpSecurity);
        Add("SMTP user", before.SmtpUser, after.SmtpUser);
        Add("sender", before.SenderAddress, after.SenderAddress);
        Add("sender name", before.SenderName, after.SenderName);
        if (passwordChange != "kept")
        {
            changed.Add($"password {passwordChange}");
        }

        return changed.Count == 0 ? "no change" : string.Join("; ", changed);
    }

    internal static bool IsEmail(string value) =>
        value.Length <= 320 && MailboxAddress.TryParse(value, out var m) && m is not null && string.IsNullOrEmpty(m.Name)
        && m.Address.Contains('@', StringComparison.Ordinal) && !m.Address.StartsWith('@') && !m.Address.EndsWith('@')
        && string.Equals(m.Address, value, StringComparison.Ordinal);

    private static Result<StoredSettings> Validate(NotificationSettingsInput input)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var adminName = Clean(input.AdminName);
        var adminEmail = Clean(input.AdminEmail);
        var host = Clean(input.SmtpHost);
        var port = input.SmtpPort;
        var user = Clean(input.SmtpUser);
        var sender = Clean(input.SenderAddress);
        var senderName = Clean(input.SenderName);
        if (adminName is { Length: > MaxText })
        {
            errors["adminName"] = [$"At most {MaxText} characters."];
        }

        if (adminEmail is not null && !IsEmail(adminEmail))
        {
            errors["adminEmail"] = ["Enter one email address such as admin@example.com."];
        }

        if (host is not null)
        {
            // host:port, [v6]:port; a bare IPv6 address (several colons, no brackets) has no port part.
            var colon = host.LastIndexOf(':');
            var hasPort = colon > 0 && (host.StartsWith('[') ? host[colon - 1] == ']' : host.IndexOf(':') == colon);
            if (hasPort)
            {
                if (int.TryParse(host[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var p))
                {
                    if (port is { } given && given != p)
                    {
                        errors["smtpPort"] = [$"The host says port {p} but the port field says {given}."];
                    }

                    port = p;
                    host = host[..colon];
                }
                else
                {
                    errors["smtpHost"] = ["Write the host as name or name:port, e.g. mail.example.com:587."];
                }
            }

            host = host.Trim('[', ']');
            if (!errors.ContainsKey("smtpHost") && (host.Length > 253 || Uri.CheckHostName(host) == UriHostNameType.Unknown))
            {
                errors["smtpHost"] = ["The SMTP host must be a host name or an IP address."];
            }
        }

        if (!Enum.IsDefined(input.SmtpSecurity))
        {
            errors["smtpSecurity"] = ["Choose STARTTLS, TLS or none."];
        }

        port ??= input.SmtpSecurity == SmtpSecurity.Tls ? 465 : 587;
        if (port is < 1 or > 65535 && !errors.ContainsKey("smtpPort"))
        {
            errors["smtpPort"] = ["The port must be between 1 and 65535."];
        }

        if (user is { Length: > MaxText })
        {
            errors["smtpUser"] = [$"At most {MaxText} characters."];
        }

        if (input.SmtpPassword is { Length: > 1024 })
        {
            errors["smtpPassword"] = ["At most 1024 characters."];
        }

        if (!string.IsNullOrEmpty(input.SmtpPassword) && user is null)
        {
            errors["smtpUser"] = ["A password needs a user name."];
        }

        if (sender is not null && !IsEmail(sender))
        {
            errors["senderAddress"] = ["Enter one email address such as certmgr@example.com."];
        }
        else if (sender is null && host is not null)
        {
            errors["senderAddress"] = ["Outgoing email needs a sender address."];
        }

        if (senderName is { Length: > MaxText })
        {
            errors["senderName"] = [$"At most {MaxText} characters."];
        }

        if (errors.Count > 0)
        {
            return Error.Invalid("settings-invalid", "Some settings are not valid; nothing was saved.", errors);
        }

        return new StoredSettings(adminName, adminEmail, host?.ToLowerInvariant(), port.Value, input.SmtpSecurity, user, sender, senderName);
    }

    private static NotificationSettingsView View(Setting? row, Setting? password)
    {
        var s = Read(row);
        return new NotificationSettingsView(s.AdminName, s.AdminEmail, s.SmtpHost, s.SmtpPort, s.SmtpSecurity, s.SmtpUser,
            password?.ProtectedValue is not null, s.SenderAddress, s.SenderName, row?.UpdatedAt);
    }

    private static StoredSettings Read(Setting? row)
    {
        if (row?.Value is null)
        {
            return StoredSettings.Default;
        }

        try
        {
            return JsonSerializer.Deserialize<StoredSettings>(row.Value, Json) ?? StoredSettings.Default;
        }
        catch (JsonException)
        {
            return StoredSettings.Default; // an unreadable row reads as "not configured"; the next save replaces it
        }
    }

    private static string? Clean(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    internal sealed record StoredSettings(
        string? AdminName, string? AdminEmail, string? SmtpHost, int SmtpPort, SmtpSecurity SmtpSecurity, string? SmtpUser,
        string? SenderAddress, string? SenderName)
    {
        public static StoredSettings Default { get; } = new(null, null, null, 587, SmtpSecurity.StartTls, null, null, null);
    }
}
