using CertMgr.Core.Acme.Server;
using CertMgr.Data.Model;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CertMgr.Web.Pages.AcmeServer;

/// <summary>
/// EAB credentials: an admin issues them (note + optional allow-list), sees the HMAC key once with certbot and lego
/// command lines, and revokes unused ones; everyone sees the list (used or not, by which account).
/// </summary>
[Authorize]
public sealed class EabModel(AcmeServerAdmin admin, AcmeServerSettings settings) : PageModel
{
    [BindProperty]
    public string? Note { get; set; }

    [BindProperty]
    public string? AllowedDomains { get; set; }

    public EabCredentials? Created { get; private set; }
    public IReadOnlyList<AcmeEabKeyRow> Keys { get; private set; } = [];
    public string DirectoryUrl { get; private set; } = "";
    public bool RequireEab { get; private set; }
    public string? Done { get; private set; }
    public string? Error { get; private set; }
    public bool IsAdmin => User.IsInRole(nameof(UserRole.Admin));

    public async Task OnGetAsync(string? done, CancellationToken ct)
    {
        Done = done == "revoked" ? "EAB credentials revoked." : null;
        await LoadAsync(ct);
    }

    public async Task<IActionResult> OnPostCreateAsync(CancellationToken ct)
    {
        if (!IsAdmin)
        {
            return Forbid();
        }

        var created = await admin.CreateEabAsync(string.IsNullOrWhiteSpace(Note) ? null : Note, AcmeServerSettings.SplitDomains(AllowedDomains), User.Identity?.Name ?? "console", ct);
        if (created.IsSuccess)
        {
            // Shown in this answer only (never stored readable, never in a redirect URL).
            Created = created.Value;
            Note = null;
            AllowedDomains = null;
        }
        else
        {
            var field = created.Error!.Fields?.Keys.FirstOrDefault() == "note" ? nameof(Note) : nameof(AllowedDomains);
            ModelState.AddModelError(field, created.Error.Message);
            Error = "No credentials were issued: correct the marked field.";
        }

        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(string keyId, CancellationToken ct)
    {
        if (!IsAdmin)
        {
            return Forbid();
        }

        var revoked = await admin.RevokeEabAsync(keyId ?? "", User.Identity?.Name ?? "console", ct);
        if (revoked.IsSuccess)
        {
            return Redirect(Url.Content("~/acme-server/eab?done=revoked"));
        }

        Error = revoked.Error!.Message;
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Keys = await admin.EabKeysAsync(ct);
        RequireEab = (await settings.EffectiveAsync(ct)).RequireEab;
        DirectoryUrl = $"{Request.Scheme}://{Request.Host}{CertMgr.Web.Acme.AcmeEndpoints.Prefix}/directory";
    }
}
