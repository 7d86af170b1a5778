using CertMgr.Core.Common;
using CertMgr.Core.Inventory;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CertMgr.Web.Pages.Definitions;

/// <summary>Clone a set of definitions (every one with a tag) for another system, with a name rewrite; preview first.</summary>
[Authorize]
public sealed class CloneModel(DefinitionService definitions) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Tag { get; set; }

    [BindProperty]
    public string? Find { get; set; }

    [BindProperty]
    public string? Replace { get; set; }

    [BindProperty]
    public string? AddTag { get; set; }

    public ClonePlan? Plan { get; private set; }

    public string? Error { get; private set; }

    public string? Flash { get; private set; }

    private CloneRequest CloneRequestOf() => new(null, Tag, Find, Replace, AddTag);

    public void OnGet() => Flash = TempData["Flash"] as string;

    public async Task<IActionResult> OnPostPreviewAsync(CancellationToken ct)
    {
        var plan = await definitions.PlanCloneAsync(CloneRequestOf(), ct);
        if (plan.IsSuccess)
        {
            Plan = plan.Value;
        }
        else
        {
            Error = plan.Error.Message;
        }

        return Page();
    }

    public async Task<IActionResult> OnPostApplyAsync(CancellationToken ct)
    {
        var cloned = await definitions.CloneAsync(CloneRequestOf(), User.Identity?.Name ?? "console", ct);
        if (!cloned.IsSuccess)
        {
            Error = cloned.Error.Message;
            var plan = await definitions.PlanCloneAsync(CloneRequestOf(), ct);
            Plan = plan.IsSuccess ? plan.Value : null;
            return Page();
        }

        // Post/redirect/get: a reload of the result does not clone again.
        TempData["Flash"] = $"Created {Plural.Of(cloned.Value.Count, "definition")}: {string.Join(", ", cloned.Value.Select(d => d.Name))}.";
        return RedirectToPage(new { tag = Tag });
    }
}
