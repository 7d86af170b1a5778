using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CertMgr.Web.Pages;

/// <summary>
/// The console's "Not found" page (status 404), for unknown console addresses and unknown ids on detail pages; the
/// API keeps answering problem JSON (see <see cref="ConsoleUi.NotFoundPages"/>).
/// </summary>
[AllowAnonymous]
[IgnoreAntiforgeryToken]
public sealed class NotFoundModel : PageModel
{
    public string Path { get; private set; } = "";

    public IActionResult OnGet() => Show();

    // A POST to a missing item re-executes here as a POST too.
    public IActionResult OnPost() => Show();

    private PageResult Show()
    {
        var original = HttpContext.Features.Get<IStatusCodeReExecuteFeature>();
        Path = original is null ? Request.Path.Value ?? "/" : original.OriginalPathBase + original.OriginalPath;
        Response.StatusCode = StatusCodes.Status404NotFound;
        return Page();
    }
}
