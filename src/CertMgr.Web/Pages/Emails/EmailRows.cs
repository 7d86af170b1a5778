using System.Diagnostics.CodeAnalysis;
using System.Linq.Expressions;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Web.ConsoleUi;

namespace CertMgr.Web.Pages.Emails;

/// <summary>One line of the Sent Emails list (console and API).</summary>
public sealed class EmailRow
{
    public Guid Id { get; init; }
    public required List<string> To { get; init; }
    public required string Subject { get; init; }
    public EmailStatus Status { get; init; }
    public int Tries { get; init; }
    public string? LastError { get; init; }
    public string? RelatedType { get; init; }
    public Guid? RelatedId { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? SentAt { get; init; }
    public DateTimeOffset? NextAttemptAt { get; init; }
    public string? Kind { get; init; }
}

/// <summary>The Sent Emails projection, columns, search, status filter, badges and related-object links.</summary>
public static class EmailRows
{
    public static ListColumns<EmailRow> Columns { get; } = new ListColumns<EmailRow>("time")
        .Sortable("time", r => r.CreatedAt, descendingFirst: true)
        .Sortable("subject", r => r.Subject)
        .Sortable("status", r => r.Status)
        .Sortable("tries", r => r.Tries, descendingFirst: true)
        .Sortable("related", r => r.RelatedType)
        .UniqueKey(r => r.Id)
        .SearchWith(Search);

    public static ListFilter StatusFilter { get; } = new("status", "Status",
    [
        new(null, "Any status"),
        new(nameof(EmailStatus.Queued), "Queued"),
        new(nameof(EmailStatus.Sent), "Sent"),
        new(nameof(EmailStatus.Failed), "Failed"),
    ]);

    /// <summary>Every email kind: the template kinds and the test email.</summary>
    public static IReadOnlyList<string> Kinds { get; } = [.. Core.Notifications.EmailTemplateCatalog.All.Select(k => k.Kind), "test"];

    public static ListFilter KindFilter { get; } = new("kind", "Kind",
    [
        new(null, "Any kind"),
        .. Core.Notifications.EmailTemplateCatalog.All.Select(k => new FilterOption(k.Kind, k.Title)),
        new("test", "Test email"),
    ]);

    public static string? ParseKind(string? value) => Kinds.FirstOrDefault(k => string.Equals(k, value?.Trim(), StringComparison.OrdinalIgnoreCase));

    public static IQueryable<EmailRow> Rows(CertMgrDbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.SentEmails.Select(e => new EmailRow
        {
            Id = e.Id,
            To = e.To,
            Subject = e.Subject,
            Status = e.Status,
            Tries = e.Tries,
            LastError = e.LastError,
            RelatedType = e.RelatedType,
            RelatedId = e.RelatedId,
            CreatedAt = e.CreatedAt,
            SentAt = e.SentAt,
            NextAttemptAt = e.NextAttemptAt,
            Kind = e.Kind,
        });
    }

    public static EmailStatus? ParseStatus(string? value) =>
        Enum.TryParse<EmailStatus>(value?.Trim(), ignoreCase: true, out var s) && Enum.IsDefined(s) ? s : null;

    public static StatusBadge Badge(EmailStatus status, int tries) => status switch
    {
        EmailStatus.Sent => new("Sent", Tone.Success, "check-circle"),
        EmailStatus.Failed => new("Failed", Tone.Danger, "x-octagon"),
        _ when tries > 0 => new("Retrying", Tone.Warning, "arrow-clockwise", $"{tries} tries so far"),
        _ => new("Queued", Tone.Info, "hourglass-split"),
    };

    /// <summary>The console page of the email's related object, when it has one (relative to the app root).</summary>
    public static string? RelatedLink(string? type, Guid? id) => (type, id) switch
    {
        (nameof(Deployment), { } d) => $"~/deployments/{d}",
        (nameof(CertificateDefinition), { } d) => $"~/definitions/{d}",
        (nameof(MonitorRun), { } r) => $"~/monitor/runs/{r}",
        (Core.Notifications.NotificationSettings.TestEmailRelatedType, _) => "~/settings",
        _ => null,
    };

    public static string RelatedLabel(string? type) => type switch
    {
        null => "—",
        nameof(Deployment) => "Deployment",
        nameof(CertificateDefinition) => "Certificate definition",
        nameof(MonitorRun) => "Monitor run",
        Core.Notifications.NotificationSettings.TestEmailRelatedType => "Test email (Settings)",
        _ => type,
    };

    /// <summary>Search: subject, a recipient (case-insensitive substring) or the last error.</summary>
    [SuppressMessage("Performance", "CA1862", Justification = "Translated to SQL, where Contains(string, StringComparison) has no translation.")]
    public static Expression<Func<EmailRow, bool>> Search(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.ToLowerInvariant();
        return r => r.Subject.ToLower().Contains(t) || (r.LastError != null && r.LastError.ToLower().Contains(t)) || r.To.Any(a => a.ToLower().Contains(t));
    }
}
