using CertMgr.Core.Notifications;
using CertMgr.Web.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CertMgr.Web.Pages.Settings;

/// <summary>
/// Email templates: every email kind's subject and body with <c>{{placeholder}}</c> fields, the kind's placeholders,
/// a live preview with sample values (htmx, as you type), per-field errors for an unknown placeholder or unbalanced
/// braces, and Reset to default. Admins only; saves and resets are audited.
/// </summary>
[Authorize(Policy = CertMgrClaims.AdminPolicy)]
public sealed class TemplatesModel(EmailTemplates templates) : PageModel
{
    public const string PreviewId = "template-preview";

    [BindProperty(SupportsGet = true)]
    public string? Kind { get; set; }

    [BindProperty]
    public string? Subject { get; set; }

    [BindProperty]
    public string? Body { get; set; }

    public IReadOnlyList<EmailTemplateView> All { get; private set; } = [];
    public EmailTemplateView Current { get; private set; } = null!;
    public TemplatePreview Preview { get; private set; } = null!;
    public string? Done { get; private set; }
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? done, CancellationToken ct)
    {
        if (!await LoadAsync(ct))
        {
            return NotFound();
        }

        Subject = Current.Template.Subject;
        Body = Current.Template.Body;
        Preview = TemplatePreview.Of(Current.Kind.Kind, Subject, Body);
        Done = done switch
        {
            "saved" => "Template saved. New emails of this kind use it.",
            "reset" => "Template reset to the default text.",
            _ => null,
        };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct))
        {
            return NotFound();
        }

        var saved = await templates.SaveAsync(Current.Kind.Kind, Subject, Body, User.Identity?.Name ?? "console", ct);
        if (saved.IsSuccess)
        {
            return Redirect(Url.Content($"~/settings/templates?kind={Current.Kind.Kind}&done=saved"));
        }

        foreach (var (field, messages) in saved.Error!.Fields ?? new Dictionary<string, string[]>())
        {
            ModelState.AddModelError(char.ToUpperInvariant(field[0]) + field[1..], messages[0]);
        }

        Error = saved.Error.Message;
        Preview = TemplatePreview.Of(Current.Kind.Kind, Subject, Body);
        return Page();
    }

    public async Task<IActionResult> OnPostResetAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct))
        {
            return NotFound();
        }

        await templates.ResetAsync(Current.Kind.Kind, User.Identity?.Name ?? "console", ct);
        return Redirect(Url.Content($"~/settings/templates?kind={Current.Kind.Kind}&done=reset"));
    }

    /// <summary>The live preview (htmx): the posted subject and body rendered with the kind's sample values, or why not.</summary>
    public IActionResult OnPostPreview() =>
        EmailTemplateCatalog.Find(Kind) is { } kind
            ? Partial("TemplatesPreview", TemplatePreview.Of(kind.Kind, Subject, Body))
            : NotFound();

    private async Task<bool> LoadAsync(CancellationToken ct)
    {
        All = await templates.ListAsync(ct);
        Kind ??= All[0].Kind.Kind;
        var current = All.FirstOrDefault(t => t.Kind.Kind == Kind);
        if (current is null)
        {
            return false;
        }

        Current = current;
        return true;
    }
}

/// <summary>What the preview region shows: the rendered email, or the per-field problems.</summary>
public sealed record TemplatePreview(RenderedEmail? Email, IReadOnlyDictionary<string, string[]> Problems)
{
    public static TemplatePreview Of(string kind, string? subject, string? body)
    {
        var preview = EmailTemplates.Preview(kind, subject, body);
        return preview.IsSuccess
            ? new TemplatePreview(preview.Value, new Dictionary<string, string[]>())
            : new TemplatePreview(null, preview.Error!.Fields ?? new Dictionary<string, string[]> { ["template"] = [preview.Error.Message] });
    }
}
