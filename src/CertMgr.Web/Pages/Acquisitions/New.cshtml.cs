using CertMgr.Core.Acquisition;
using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Web.Pages.Acquisitions;

/// <summary>Confirms and starts a New or Renewal acquisition for a definition.</summary>
[Authorize]
public sealed class NewModel(CertMgrDbContext db, AcquisitionService service) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "definition")]
    public Guid? DefinitionId { get; set; }

    [BindProperty(SupportsGet = true, Name = "kind")]
    public string? KindText { get; set; }

    public RequestKind Kind => string.Equals(KindText, nameof(RequestKind.Renewal), StringComparison.OrdinalIgnoreCase) ? RequestKind.Renewal : RequestKind.New;

    public CertificateDefinition? Definition { get; private set; }
    public Guid? OpenRequestId { get; private set; }
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        return Definition is null ? NotFound() : Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (DefinitionId is not { } id)
        {
            return NotFound();
        }

        var started = await service.StartAsync(id, Kind, User.Identity?.Name ?? "console", ct);
        if (started.IsSuccess)
        {
            return Redirect(Url.Content($"~/acquisitions/process/{started.Value.Id}"));
        }

        Error = started.Error.Message;
        await LoadAsync(ct);
        return Definition is null ? NotFound() : Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        if (DefinitionId is not { } id)
        {
            return;
        }

        Definition = await db.Definitions.AsNoTracking().Include(d => d.CurrentCertificate).SingleOrDefaultAsync(d => d.Id == id, ct);
        OpenRequestId = await db.Requests.AsNoTracking()
            .Where(r => r.DefinitionId == id && AcquisitionService.OpenStatuses.Contains(r.Status))
            .Select(r => (Guid?)r.Id).FirstOrDefaultAsync(ct);
    }
}
