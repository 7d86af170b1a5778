using System.Text.Json;
using CertMgr.Core.Audit;
using CertMgr.Core.Common;
using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Core.Notifications;

/// <summary>One email kind's template as shown on the templates page: the text in force and whether it is edited.</summary>
public sealed record EmailTemplateView(EmailTemplateKind Kind, EmailTemplate Template, bool Customized, DateTimeOffset? UpdatedAt);

/// <summary>An email rendered from a template.</summary>
public sealed record RenderedEmail(string Subject, string Body);

/// <summary>
/// The editable email templates: an edited template is a <see cref="Setting"/> row <c>email.template.&lt;kind&gt;</c>
/// (subject and body as JSON); without one the default in <see cref="EmailTemplateCatalog"/> applies. Saves are
/// checked per field (unknown placeholder, unbalanced braces, length) and audited; nothing changes on a refusal.
/// </summary>
public sealed class EmailTemplates(CertMgrDbContext db, TimeProvider time)
{
    public const string ObjectType = "EmailTemplate";
    public const int MaxSubject = 400;
    public const int MaxBody = 20_000;
    private const string KeyPrefix = "email.template.";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<IReadOnlyList<EmailTemplateView>> ListAsync(CancellationToken ct)
    {
        var rows = await db.Settings.AsNoTracking().Where(s => s.Key.StartsWith(KeyPrefix)).ToListAsync(ct);
        return [.. EmailTemplateCatalog.All.Select(k => View(k, rows.SingleOrDefault(r => r.Key == KeyPrefix + k.Kind)))];
    }

    public async Task<Result<EmailTemplateView>> GetAsync(string kind, CancellationToken ct)
    {
        if (EmailTemplateCatalog.Find(kind) is not { } k)
        {
            return NotFound(kind);
        }

        var row = await db.Settings.AsNoTracking().SingleOrDefaultAsync(s => s.Key == KeyPrefix + k.Kind, ct);
        return View(k, row);
    }

    /// <summary>The template in force for <paramref name="kind"/> (stored or default), read in the caller's context.</summary>
    public static async Task<EmailTemplate> LoadAsync(CertMgrDbContext db, string kind, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var k = EmailTemplateCatalog.Get(kind);
        var row = await db.Settings.AsNoTracking().SingleOrDefaultAsync(s => s.Key == KeyPrefix + k.Kind, ct);
        return Read(row) ?? k.Default;
    }

    /// <summary>Renders <paramref name="template"/> with <paramref name="values"/>: a one-line subject and the body, plain text.</summary>
    public static RenderedEmail Render(EmailTemplate template, IReadOnlyDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(template);
        return new RenderedEmail(TemplateText.Subject(TemplateText.Render(template.Subject, values)), TemplateText.Render(template.Body, values));
    }

    /// <summary>Checks a subject and body for <paramref name="kind"/> and renders them with the sample values (the live preview).</summary>
    public static Result<RenderedEmail> Preview(string kind, string? subject, string? body)
    {
        if (EmailTemplateCatalog.Find(kind) is not { } k)
        {
            return NotFound(kind);
        }

        var checkedTemplate = Validate(k, subject, body);
        return checkedTemplate.IsSuccess ? Render(checkedTemplate.Value, k.Samples) : checkedTemplate.Error!;
    }

    public async Task<Result<EmailTemplateView>> SaveAsync(string kind, string? subject, string? body, string actor, CancellationToken ct)
    {
        if (EmailTemplateCatalog.Find(kind) is not { } k)
        {
            return NotFound(kind);
        }

        var valid = Validate(k, subject, body);
        if (!valid.IsSuccess)
        {
            return valid.Error!;
        }

        var now = time.GetUtcNow();
        var row = await db.Settings.SingleOrDefaultAsync(s => s.Key == KeyPrefix + k.Kind, ct);
        var before = Read(row) ?? k.Default;
        if (row is null)
        {
            row = new Setting { Key = KeyPrefix + k.Kind };
            db.Settings.Add(row);
        }

        row.Value = JsonSerializer.Serialize(valid.Value, Json);
        row.UpdatedAt = now;
        var changed = new List<string>();
        if (before.Subject != valid.Value.Subject)
        {
            changed.Add($"subject \"{Short(before.Subject)}\" -> \"{Short(valid.Value.Subject)}\"");
        }

        if (before.Body != valid.Value.Body)
        {
            changed.Add($"body changed ({before.Body.Length} -> {valid.Value.Body.Length} characters)");
        }

        db.Record(now, actor, ObjectType, k.Kind, "update", detail: changed.Count == 0 ? "saved unchanged" : string.Join("; ", changed));
        await db.SaveChangesAsync(ct);
        return View(k, row);
    }

    /// <summary>Back to the default text: the stored template is removed (audited).</summary>
    public async Task<Result<EmailTemplateView>> ResetAsync(string kind, string actor, CancellationToken ct)
    {
        if (EmailTemplateCatalog.Find(kind) is not { } k)
        {
            return NotFound(kind);
        }

        var row = await db.Settings.SingleOrDefaultAsync(s => s.Key == KeyPrefix + k.Kind, ct);
        if (row is not null)
        {
            db.Settings.Remove(row);
        }

        db.Record(time.GetUtcNow(), actor, ObjectType, k.Kind, "reset", detail: row is null ? "already the default" : "reset to the default text");
        await db.SaveChangesAsync(ct);
        return View(k, null);
    }

    internal static Result<EmailTemplate> Validate(EmailTemplateKind kind, string? subject, string? body)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var s = subject?.Trim() ?? "";
        var b = (body ?? "").Replace("\r\n", "\n", StringComparison.Ordinal);
        if (s.Length == 0)
        {
            errors["subject"] = ["Enter a subject."];
        }
        else if (s.Length > MaxSubject)
        {
            errors["subject"] = [$"At most {MaxSubject} characters."];
        }
        else if (s.Contains('\n', StringComparison.Ordinal) || s.Contains('\r', StringComparison.Ordinal))
        {
            errors["subject"] = ["The subject is one line."];
        }
        else if (TemplateText.Problem(s, kind.Names) is { } p)
        {
            errors["subject"] = [p];
        }

        if (b.Trim().Length == 0)
        {
            errors["body"] = ["Enter the body text."];
        }
        else if (b.Length > MaxBody)
        {
            errors["body"] = [$"At most {MaxBody} characters."];
        }
        else if (TemplateText.Problem(b, kind.Names) is { } p)
        {
            errors["body"] = [p];
        }

        return errors.Count > 0
            ? Error.Invalid("template-invalid", "The template is not valid; nothing was saved.", errors)
            : new EmailTemplate(s, b);
    }

    private static EmailTemplateView View(EmailTemplateKind kind, Setting? row) =>
        Read(row) is { } stored ? new EmailTemplateView(kind, stored, true, row!.UpdatedAt) : new EmailTemplateView(kind, kind.Default, false, null);

    private static EmailTemplate? Read(Setting? row)
    {
        if (row?.Value is null)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<EmailTemplate>(row.Value, Json);
        }
        catch (JsonException)
        {
            return null; // an unreadable row reads as the default; the next save replaces it
        }
    }

    private static string Short(string s) => s.Length <= 80 ? s : s[..77] + "...";

    private static Error NotFound(string? kind) => Error.NotFound("template-not-found", $"There is no email template \"{kind}\".");
}
