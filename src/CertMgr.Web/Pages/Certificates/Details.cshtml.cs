using CertMgr.Core.Common;
using CertMgr.Core.Inventory;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Web.ReadModels;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Web.Pages.Certificates;

/// <summary>"Show certificate": thumbprints, names, validity, key, every extension decoded, the chain, downloads.</summary>
[Authorize]
public sealed class DetailsModel(CertMgrDbContext db, KeyExportService exports, TimeProvider time) : PageModel
{
    public CertificateView View { get; private set; } = null!;

    public DateTimeOffset Now { get; private set; }

    public string? Error { get; private set; }

    public bool IsAdmin => User.IsInRole(nameof(UserRole.Admin));

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct) =>
        await LoadAsync(id, ct) ? Page() : NotFound();

    /// <summary>Export with the private key: admins only, with a passphrase (the console's form of POST …/export).</summary>
    public async Task<IActionResult> OnPostExportAsync(Guid id, string? format, string? passphrase, CancellationToken ct)
    {
        if (!IsAdmin)
        {
            return Forbid();
        }

        var file = await exports.ExportCertificateAsync(id, format, passphrase, allowUnencryptedKey: false, new KeyExporter(User.Identity?.Name ?? "console", IsAdmin), ct);
        if (file.Error?.Kind == ErrorKind.NotFound)
        {
            return NotFound();
        }

        if (!file.IsSuccess)
        {
            Error = file.Error.Message;
            await LoadAsync(id, ct);
            return Page();
        }

        Response.Headers.CacheControl = "no-store";
        return File(file.Value.ToArray(), file.Value.ContentType, file.Value.FileName);
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        Now = time.GetUtcNow();
        var found = await db.Certificates.AsNoTracking().Where(c => c.Id == id)
            .Select(c => new { Certificate = c, c.Definition.Name, IsCurrent = c.Definition.CurrentCertificateId == c.Id })
            .SingleOrDefaultAsync(ct);
        if (found is null)
        {
            return false;
        }

        View = CertificateView.From(found.Certificate, found.Name, found.IsCurrent);
        return true;
    }
}
