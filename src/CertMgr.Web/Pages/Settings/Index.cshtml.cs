using CertMgr.Core.Notifications;
using CertMgr.Web.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CertMgr.Web.Pages.Settings;

/// <summary>
/// Settings (guide 3.1): the certificate administrator's name and email, and outgoing email (SMTP) with Send Test Email,
/// which shows the server's answer. Monitoring schedules live on Monitor Control; no threshold or default renewal lead
/// time exists as a server-wide setting yet, so none is shown here. Admins only; the SMTP password is write-only.
/// Also the daily digest and install package delivery preferences; the email texts are on Email templates.
/// </summary>
[Authorize(Policy = CertMgrClaims.AdminPolicy)]
public sealed class IndexModel(NotificationSettings settings, NotificationPreferences preferences) : PageModel
{
    [BindProperty]
    public PreferencesForm Prefs { get; set; } = new();

    public string? PrefsError { get; private set; }

    [BindProperty]
    public SettingsForm Form { get; set; } = new();

    [BindProperty]
    public string? TestTo { get; set; }

    public NotificationSettingsView Current { get; private set; } = null!;
    public string? Error { get; private set; }
    public string? Done { get; private set; }
    public string? TestAnswer { get; private set; }
    public string? TestError { get; private set; }

    public async Task OnGetAsync(string? done, CancellationToken ct)
    {
        Current = await settings.GetAsync(ct);
        Form = SettingsForm.From(Current);
        Prefs = PreferencesForm.From(await preferences.GetAsync(ct));
        Done = done switch
        {
            "saved" => "Settings saved.",
            "prefs" => "Digest and delivery preferences saved.",
            _ => null,
        };
    }

    public async Task<IActionResult> OnPostPreferencesAsync(CancellationToken ct)
    {
        var saved = await preferences.SaveAsync(Prefs.ToInput(), User.Identity?.Name ?? "console", ct);
        if (saved.IsSuccess)
        {
            return Redirect(Url.Content("~/settings?done=prefs"));
        }

        foreach (var (field, messages) in saved.Error!.Fields ?? new Dictionary<string, string[]>())
        {
            ModelState.AddModelError($"Prefs.{char.ToUpperInvariant(field[0])}{field[1..]}", messages[0]);
        }

        PrefsError = saved.Error.Message;
        Current = await settings.GetAsync(ct);
        Form = SettingsForm.From(Current);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var saved = await settings.SaveAsync(Form.ToInput(), User.Identity?.Name ?? "console", ct);
        if (saved.IsSuccess)
        {
            return Redirect(Url.Content("~/settings?done=saved"));
        }

        foreach (var (field, messages) in saved.Error!.Fields ?? new Dictionary<string, string[]>())
        {
            ModelState.AddModelError($"Form.{char.ToUpperInvariant(field[0])}{field[1..]}", messages[0]);
        }

        Error = saved.Error.Fields is { Count: > 0 } ? saved.Error.Message : saved.Error.Message;
        Form.SmtpPassword = null; // never echoed back
        Current = await settings.GetAsync(ct);
        Prefs = PreferencesForm.From(await preferences.GetAsync(ct));
        return Page();
    }

    public async Task<IActionResult> OnPostTestAsync(CancellationToken ct)
    {
        var sent = await settings.SendTestAsync(TestTo, User.Identity?.Name ?? "console", ct);
        Current = await settings.GetAsync(ct);
        Form = SettingsForm.From(Current);
        Prefs = PreferencesForm.From(await preferences.GetAsync(ct));
        if (sent.IsSuccess)
        {
            TestAnswer = sent.Value;
        }
        else
        {
            TestError = sent.Error!.Message;
        }

        return Page();
    }

    public sealed class SettingsForm
    {
        public string? AdminName { get; set; }
        public string? AdminEmail { get; set; }
        public string? SmtpHost { get; set; }
        public int? SmtpPort { get; set; }
        public SmtpSecurity SmtpSecurity { get; set; } = SmtpSecurity.StartTls;
        public string? SmtpUser { get; set; }
        public string? SmtpPassword { get; set; }
        public bool ClearSmtpPassword { get; set; }
        public string? SenderAddress { get; set; }
        public string? SenderName { get; set; }

        public static SettingsForm From(NotificationSettingsView v) => new()
        {
            AdminName = v.AdminName,
            AdminEmail = v.AdminEmail,
            SmtpHost = v.SmtpHost,
            SmtpPort = v.SmtpHost is null ? null : v.SmtpPort,
            SmtpSecurity = v.SmtpSecurity,
            SmtpUser = v.SmtpUser,
            SenderAddress = v.SenderAddress,
            SenderName = v.SenderName,
        };

        public NotificationSettingsInput ToInput() => new()
        {
            AdminName = AdminName,
            AdminEmail = AdminEmail,
            SmtpHost = SmtpHost,
            SmtpPort = SmtpPort,
            SmtpSecurity = SmtpSecurity,
            SmtpUser = SmtpUser,
            SmtpPassword = SmtpPassword,
            ClearSmtpPassword = ClearSmtpPassword,
            SenderAddress = SenderAddress,
            SenderName = SenderName,
        };
    }

    public sealed class PreferencesForm
    {
        public bool DigestEnabled { get; set; } = true;
        public int? DigestHourUtc { get; set; }
        public bool DigestWhenEmpty { get; set; }
        public PackageDelivery PackageDelivery { get; set; }
        public int? LinkValidDays { get; set; }
        public int? AttachmentMaxKb { get; set; }

        public static PreferencesForm From(NotificationPreferencesView v) => new()
        {
            DigestEnabled = v.DigestEnabled,
            DigestHourUtc = v.DigestHourUtc,
            DigestWhenEmpty = v.DigestWhenEmpty,
            PackageDelivery = v.PackageDelivery,
            LinkValidDays = v.LinkValidDays,
            AttachmentMaxKb = v.AttachmentMaxKb,
        };

        public NotificationPreferencesInput ToInput() => new()
        {
            DigestEnabled = DigestEnabled,
            DigestHourUtc = DigestHourUtc,
            DigestWhenEmpty = DigestWhenEmpty,
            PackageDelivery = PackageDelivery,
            LinkValidDays = LinkValidDays,
            AttachmentMaxKb = AttachmentMaxKb,
        };
    }
}
