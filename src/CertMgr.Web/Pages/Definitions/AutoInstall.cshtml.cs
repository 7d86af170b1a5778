using CertMgr.Core.Deployments;
using CertMgr.Core.Deployments.Ssh;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Web.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Web.Pages.Definitions;

/// <summary>
/// A definition's auto-install (guide 2.8, 4.3.3): the SSH login (password or key, write-only), the server profile with
/// its default paths and commands, the pinned host key, and the Test action's report. Admins only: the settings carry
/// the keys to a server.
/// </summary>
[Authorize(Policy = CertMgrClaims.AdminPolicy)]
public sealed class AutoInstallModel(AutoInstallService service, CertMgrDbContext db) : PageModel
{
    /// <summary>The form as posted; secrets are never filled back in.</summary>
    public sealed class Fields
    {
        public bool Enabled { get; set; } = true;
        public ServerSoftware Profile { get; set; } = ServerSoftware.Nginx;
        public string? Host { get; set; }
        public int Port { get; set; } = 22;
        public string? Username { get; set; }
        public SshAuthMethod AuthMethod { get; set; } = SshAuthMethod.PrivateKey;
        public string? Password { get; set; }
        public string? PrivateKey { get; set; }
        public string? KeyPassphrase { get; set; }
        public bool UseSudo { get; set; }
        public string? CertificatePath { get; set; }
        public string? ChainPath { get; set; }
        public string? FullChainPath { get; set; }
        public string? KeyPath { get; set; }
        public string? CombinedPath { get; set; }
        public string? FileOwner { get; set; }
        public string? FileGroup { get; set; }
        public string KeyMode { get; set; } = "0600";
        public string? ValidateCommand { get; set; }
        public string? ReloadCommand { get; set; }
        public string? Http01WebRoot { get; set; }
        public bool ClearHostKey { get; set; }
    }

    [BindProperty]
    public Fields Form { get; set; } = new();

    public CertificateDefinition Definition { get; private set; } = null!;
    public AutoInstallView? Stored { get; private set; }
    public AutoInstallTestReport? Report { get; private set; }
    public string? Message { get; private set; }
    public string? Error { get; private set; }

    /// <summary>Each profile's defaults for this definition, shown beside the fields.</summary>
    public IReadOnlyList<(ServerSoftware Profile, SshInstallDefaultValues Values)> Defaults { get; private set; } = [];

    public static string Label(ServerSoftware profile) => profile == ServerSoftware.CertMgr ? "This CertMgr (console certificate)" : InstallPackage.Label(profile);

    public async Task<IActionResult> OnGetAsync(Guid id, string? done, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
        {
            return NotFound();
        }

        Message = done switch
        {
            "saved" => "Auto-install settings saved.",
            "deleted" => "Auto-install settings removed; certificates for this definition are installed by hand.",
            _ => null,
        };
        if (Stored is { } s)
        {
            Form = new Fields
            {
                Enabled = s.Enabled, Profile = s.Profile, Host = s.Host, Port = s.Port, Username = s.Username, AuthMethod = s.AuthMethod, UseSudo = s.UseSudo,
                CertificatePath = s.CertificatePath, ChainPath = s.ChainPath, FullChainPath = s.FullChainPath, KeyPath = s.KeyPath, CombinedPath = s.CombinedPath,
                FileOwner = s.FileOwner, FileGroup = s.FileGroup, KeyMode = s.KeyMode, ValidateCommand = s.ValidateCommand, ReloadCommand = s.ReloadCommand, Http01WebRoot = s.Http01WebRoot,
            };
        }
        else
        {
            Form.Profile = Definition.ServerSoftware is var p && SshInstallDefaults.Profiles.Contains(p) ? p : ServerSoftware.Nginx;
            Form.Host = Definition.TargetServerName;
        }

        return Page();
    }

    public async Task<IActionResult> OnPostAsync(Guid id, CancellationToken ct)
    {
        var saved = await service.SaveAsync(id, Input(Form), User.Identity?.Name ?? "console", ct);
        if (saved.IsSuccess)
        {
            return Redirect(Url.Content($"~/definitions/{id}/auto-install?done=saved"));
        }

        foreach (var (field, messages) in saved.Error!.Fields ?? new Dictionary<string, string[]>())
        {
            ModelState.AddModelError($"Form.{char.ToUpperInvariant(field[0])}{field[1..]}", messages[0]);
        }

        Error = saved.Error.Fields is { Count: > 0 } ? "Some fields need attention." : saved.Error.Message;
        Form.Password = Form.PrivateKey = Form.KeyPassphrase = null;
        return await LoadAsync(id, ct) ? Page() : NotFound();
    }

    public async Task<IActionResult> OnPostTestAsync(Guid id, CancellationToken ct)
    {
        var report = await service.TestAsync(id, User.Identity?.Name ?? "console", ct);
        if (report.IsSuccess)
        {
            Report = report.Value;
        }
        else
        {
            Error = report.Error!.Message;
        }

        return await OnGetAsync(id, null, ct);
    }

    public async Task<IActionResult> OnPostDeleteAsync(Guid id, CancellationToken ct)
    {
        var deleted = await service.DeleteAsync(id, User.Identity?.Name ?? "console", ct);
        if (!deleted.IsSuccess)
        {
            Error = deleted.Error!.Message;
            return await LoadAsync(id, ct) ? Page() : NotFound();
        }

        return Redirect(Url.Content($"~/definitions/{id}/auto-install?done=deleted"));
    }

    private static AutoInstallInput Input(Fields f) => new()
    {
        Enabled = f.Enabled, Profile = f.Profile, Host = f.Host, Port = f.Port, Username = f.Username, AuthMethod = f.AuthMethod, Password = f.Password,
        PrivateKey = f.PrivateKey, KeyPassphrase = f.KeyPassphrase, UseSudo = f.UseSudo, CertificatePath = f.CertificatePath, ChainPath = f.ChainPath,
        FullChainPath = f.FullChainPath, KeyPath = f.KeyPath, CombinedPath = f.CombinedPath, FileOwner = f.FileOwner, FileGroup = f.FileGroup,
        KeyMode = f.KeyMode, ValidateCommand = f.ValidateCommand, ReloadCommand = f.ReloadCommand, ClearHostKey = f.ClearHostKey,
        Http01WebRoot = f.Http01WebRoot,
    };

    private async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        var definition = await db.Definitions.AsNoTracking().SingleOrDefaultAsync(d => d.Id == id, ct);
        if (definition is null)
        {
            return false;
        }

        Definition = definition;
        var stored = await service.GetAsync(id, ct);
        Stored = stored.IsSuccess ? stored.Value : null;
        Defaults = [.. SshInstallDefaults.Profiles.Select(p => (p, SshInstallDefaults.For(p, definition.CommonName)))];
        return true;
    }
}
