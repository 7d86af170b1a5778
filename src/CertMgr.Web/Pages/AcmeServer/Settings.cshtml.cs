using CertMgr.Core.Acme.Server;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CertMgr.Web.Pages.AcmeServer;

/// <summary>
/// The ACME server's settings: what an admin may override of certmgr.json (enabled, EAB required, global allow-list,
/// certificate validity, authorization reuse), each "from certmgr.json" or a console value; technical options shown
/// read-only. Users see the form read-only; a POST from a non-admin is forbidden.
/// </summary>
[Authorize]
public sealed class SettingsModel(AcmeServerSettings settings) : PageModel
{
    [BindProperty]
    public SettingsForm Form { get; set; } = new();

    public AcmeServerOptions FileOptions => settings.File;
    public AcmeServerOptions Effective { get; private set; } = null!;
    public int MaxCertificateDays => settings.MaxCertificateDays;
    public string? Error { get; private set; }
    public string? Done { get; private set; }
    public bool IsAdmin => User.IsInRole(nameof(CertMgr.Data.Model.UserRole.Admin));

    public async Task OnGetAsync(string? done, CancellationToken ct)
    {
        Form = SettingsForm.From(await settings.OverridesAsync(ct));
        Effective = await settings.EffectiveAsync(ct);
        Done = done == "saved" ? "ACME server settings saved." : null;
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!IsAdmin)
        {
            return Forbid();
        }

        // Model binding errors (e.g. letters in a number field) are per-field errors too, and nothing is saved.
        var bindingErrors = ModelState.Where(e => e.Value?.Errors.Count > 0).ToList();
        if (bindingErrors.Count == 0)
        {
            var saved = await settings.SaveAsync(Form.ToInput(), User.Identity?.Name ?? "console", ct);
            if (saved.IsSuccess)
            {
                return Redirect(Url.Content("~/acme-server/settings?done=saved"));
            }

            foreach (var (field, messages) in saved.Error!.Fields ?? new Dictionary<string, string[]>())
            {
                ModelState.AddModelError($"Form.{char.ToUpperInvariant(field[0])}{field[1..]}", messages[0]);
            }

            Error = saved.Error.Message;
        }
        else
        {
            Error = "The ACME server settings were not saved: correct the marked fields.";
        }

        Effective = await settings.EffectiveAsync(ct);
        return Page();
    }

    /// <summary>A tri-state as a select: "" = certmgr.json, "on", "off".</summary>
    public static string Tri(bool? value) => value is null ? "" : value.Value ? "on" : "off";

    public sealed class SettingsForm
    {
        public string? Enabled { get; set; }
        public string? RequireEab { get; set; }
        public bool OverrideAllowedDomains { get; set; }
        public string? AllowedDomains { get; set; }
        public int? CertificateDays { get; set; }
        public int? AuthorizationReuseDays { get; set; }

        public static SettingsForm From(AcmeServerOverrides o) => new()
        {
            Enabled = Tri(o.Enabled),
            RequireEab = Tri(o.RequireEab),
            OverrideAllowedDomains = o.AllowedDomains is not null,
            AllowedDomains = o.AllowedDomains is null ? null : string.Join('\n', o.AllowedDomains),
            CertificateDays = o.CertificateDays,
            AuthorizationReuseDays = o.AuthorizationReuseDays,
        };

        public AcmeServerSettingsInput ToInput() =>
            new(Flag(Enabled), Flag(RequireEab), OverrideAllowedDomains, AllowedDomains, CertificateDays, AuthorizationReuseDays);

        private static bool? Flag(string? v) => v switch { "on" => true, "off" => false, _ => null };
    }
}
