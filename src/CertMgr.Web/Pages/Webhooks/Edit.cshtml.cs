using CertMgr.Core.Notifications.Webhooks;
using CertMgr.Data.Model;
using CertMgr.Web.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CertMgr.Web.Pages.Webhooks;

/// <summary>
/// Admins add or edit a webhook channel; each wrong field gets its own message and nothing is saved. The URL is
/// write-only once stored (Slack and Teams URLs carry their token); the signing secret is shown once, right after creation.
/// </summary>
[Authorize(Policy = CertMgrClaims.AdminPolicy)]
public sealed class EditModel(WebhookChannels channels) : PageModel
{
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? WebhookUrl { get; set; }
    [BindProperty] public WebhookFormat Format { get; set; } = WebhookFormat.Generic;
    // Empty until bound: a post with every box unchecked must bind as none, not keep a default.
    [BindProperty] public List<string> Kinds { get; set; } = [];
    [BindProperty] public bool Enabled { get; set; } = true;

    public Guid? Id { get; private set; }
    public string? UrlDisplay { get; private set; }
    public string? Error { get; private set; }
    /// <summary>Set once, right after a create: the secret to copy now.</summary>
    public WebhookChannelCreated? Created { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid? id, CancellationToken ct)
    {
        Id = id;
        if (id is null)
        {
            Kinds = [.. WebhookKinds.All.Select(k => k.Kind)];
            return Page();
        }

        var found = await channels.GetAsync(id.Value, ct);
        if (!found.IsSuccess)
        {
            return NotFound();
        }

        var c = found.Value;
        (Name, Format, Kinds, Enabled, UrlDisplay) = (c.Name, c.Format, [.. c.Kinds], c.Enabled, c.UrlDisplay);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(Guid? id, CancellationToken ct)
    {
        Id = id;
        var input = new WebhookChannelInput { Name = Name, Url = WebhookUrl, Format = Format.ToString(), Kinds = Kinds, Enabled = Enabled };
        var actor = User.Identity?.Name ?? "console";
        Core.Common.Error? error;
        if (id is null)
        {
            var created = await channels.CreateAsync(input, actor, ct);
            if (created.IsSuccess)
            {
                Created = created.Value;
                return Page();
            }

            error = created.Error;
        }
        else
        {
            var updated = await channels.UpdateAsync(id.Value, input, actor, ct);
            if (updated.IsSuccess)
            {
                return Redirect(Url.Content($"~/webhooks/{id}?done=saved"));
            }

            if (updated.Error.Kind == Core.Common.ErrorKind.NotFound)
            {
                return NotFound();
            }

            error = updated.Error;
            UrlDisplay = (await channels.GetAsync(id.Value, ct)).Value.UrlDisplay;
        }

        foreach (var (field, messages) in error.Fields ?? new Dictionary<string, string[]>())
        {
            ModelState.AddModelError(field == "url" ? nameof(WebhookUrl) : char.ToUpperInvariant(field[0]) + field[1..], messages[0]);
        }

        Error = error.Message;
        WebhookUrl = null; // never echoed back: it may carry the receiver's token
        return Page();
    }
}
