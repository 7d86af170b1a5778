using CertMgr.Core.Audit;
using CertMgr.Core.Deployments;
using CertMgr.Core.Notifications;
using CertMgr.Data;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CertMgr.Web.Pages.Emails;

/// <summary>
/// The signed download link of an install request email (<see cref="InstallPackageLinks"/>): no account needed, the
/// link is the permission. A changed or expired link gets a 403 page that says which, and no package; a download is
/// audited. The package stays encrypted under its password, which is never in the email.
/// </summary>
[AllowAnonymous]
[IgnoreAntiforgeryToken]
public sealed class PackageModel(InstallPackageLinks links, DeploymentService deployments, CertMgrDbContext db, TimeProvider time) : PageModel
{
    public string Reason { get; private set; } = "";

    public async Task<IActionResult> OnGetAsync(Guid id, string? expires, string? sig, CancellationToken ct)
    {
        var verified = await links.VerifyAsync(id, expires, sig, ct);
        if (!verified.IsSuccess)
        {
            Reason = verified.Error!.Message;
            Response.StatusCode = StatusCodes.Status403Forbidden;
            return Page();
        }

        var opened = await deployments.OpenPackageAsync(id, ct);
        if (!opened.IsSuccess)
        {
            Reason = "The install package of this deployment is no longer available. Ask the CertMgr administrator for a new one.";
            Response.StatusCode = StatusCodes.Status404NotFound;
            return Page();
        }

        var (document, content) = opened.Value;
        db.Record(time.GetUtcNow(), "download-link", "Deployment", id.ToString(), "package-download",
            detail: $"{document.FileName} by signed link", address: HttpContext.Connection.RemoteIpAddress?.ToString());
        await db.SaveChangesAsync(ct);
        return File(content, document.ContentType ?? "application/octet-stream", document.FileName);
    }
}
