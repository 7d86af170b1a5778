using CertMgr.Core.Unattended;
using CertMgr.Data.Model;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CertMgr.Web.Pages.Unattended;

/// <summary>One unattended pass: what happened to each definition, the ones that need a person first.</summary>
[Authorize]
public sealed class RunModel(UnattendedQueries queries) : PageModel
{
    public UnattendedRun Run { get; private set; } = null!;

    public IReadOnlyList<UnattendedItemRow> Items { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        if (await queries.RunAsync(id, ct) is not { } run)
        {
            return NotFound();
        }

        Run = run;
        Items = await queries.ItemsAsync(id, ct);
        return Page();
    }
}
