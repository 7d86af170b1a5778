using CertMgr.Core.Unattended;
using Microsoft.AspNetCore.Mvc;

namespace CertMgr.Web.Pages.Unattended;

/// <summary>The dashboard's notice of unattended processes waiting for a person, with their reasons; nothing when none waits.</summary>
public sealed class UnattendedWaitingViewComponent(UnattendedQueries queries) : ViewComponent
{
    public const int Shown = 5;

    public async Task<IViewComponentResult> InvokeAsync()
    {
        var status = await queries.StatusAsync(HttpContext.RequestAborted);
        return View("~/Pages/Unattended/_WaitingNotice.cshtml", status);
    }
}
