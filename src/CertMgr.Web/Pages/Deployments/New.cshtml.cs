using CertMgr.Core.Deployments;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Web.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Web.Pages.Deployments;

/// <summary>
/// Entering Deploy Information and Prepare to Deploy (guide 4.3.3). Admins only: the package carries the private key,
/// encrypted under the password given here, as a key export does.
/// </summary>
[Authorize(Policy = CertMgrClaims.AdminPolicy)]
public sealed class NewModel(CertMgrDbContext db, DeploymentService service) : PageModel
{
    public static IReadOnlyList<ServerSoftware> SoftwareChoices { get; } = [.. Enum.GetValues<ServerSoftware>().Where(s => s != ServerSoftware.CertMgr)];

    public CertificateDefinition? Definition { get; private set; }
    public Certificate? Current { get; private set; }
    public bool HasKey { get; private set; }

    /// <summary>A refusal that stops the form (no certificate, no key, monitored-only), else null.</summary>
    public string? Blocker { get; private set; }

    [BindProperty]
    public string? TargetServerName { get; set; }

    [BindProperty]
    public ServerSoftware ServerSoftware { get; set; }

    [BindProperty]
    public DeliveryMethod Delivery { get; set; } = DeliveryMethod.Download;

    [BindProperty]
    public string? ServerAdminEmail { get; set; }

    [BindProperty]
    public PackageKind Package { get; set; } = PackageKind.OneClick;

    [BindProperty]
    public string? AlternativeCheckName { get; set; }

    /// <summary>Field name → error message, shown beside the field.</summary>
    public Dictionary<string, string> FieldErrors { get; } = [];
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid definition, CancellationToken ct)
    {
        if (!await LoadAsync(definition, ct))
        {
            return NotFound();
        }

        var defaults = await service.DefaultsAsync(definition, ct);
        if (defaults.IsSuccess)
        {
            var d = defaults.Value;
            (TargetServerName, ServerSoftware, Delivery, ServerAdminEmail, Package) = (d.TargetServerName, d.ServerSoftware, d.Delivery, d.ServerAdminEmail, d.Package);
        }

        return Page();
    }

    public async Task<IActionResult> OnPostAsync(Guid definition, string? password, string? passwordConfirm, CancellationToken ct)
    {
        if (!await LoadAsync(definition, ct))
        {
            return NotFound();
        }

        if (!string.Equals(password, passwordConfirm, StringComparison.Ordinal))
        {
            FieldErrors["password"] = "The two passwords differ.";
            return Page();
        }

        var info = new DeployInfo(definition, TargetServerName, ServerSoftware, Delivery, ServerAdminEmail, Package, AlternativeCheckName);
        var prepared = await service.PrepareAsync(info, password ?? "", User.Identity?.Name ?? "console", ct);
        if (prepared.IsSuccess)
        {
            return Redirect(Url.Content($"~/deployments/{prepared.Value.Id}?done=prepared"));
        }

        var field = prepared.Error.Code switch
        {
            "password-too-short" or "password-too-long" => "password",
            "admin-email-invalid" or "admin-email-missing" => "email",
            "target-invalid" => "target",
            "check-name-invalid" => "checkName",
            "software-invalid" => "software",
            "installer-unsupported" => "package",
            _ => null,
        };
        if (field is null)
        {
            Error = prepared.Error.Message;
        }
        else
        {
            FieldErrors[field] = prepared.Error.Message;
        }

        return Page();
    }

    public string? ErrorFor(string field) => FieldErrors.GetValueOrDefault(field);

    private async Task<bool> LoadAsync(Guid definitionId, CancellationToken ct)
    {
        Definition = await db.Definitions.AsNoTracking().Include(d => d.CurrentCertificate).SingleOrDefaultAsync(d => d.Id == definitionId, ct);
        if (Definition is null)
        {
            return false;
        }

        Current = Definition.CurrentCertificate;
        HasKey = Current?.PrivateKeyId is not null;
        Blocker = Definition.OperationMode != OperationMode.LifecycleManaged
            ? "This definition is monitored-only: CertMgr watches its server but does not deploy to it. Switch it to lifecycle-managed to deploy."
            : Current is null
                ? "This definition has no current certificate yet. Acquire or import one first."
                : !HasKey
                    ? "CertMgr does not hold the private key of the current certificate, so it cannot build an install package. Import the certificate with its key to make it re-deployable."
                    : null;
        return true;
    }
}
