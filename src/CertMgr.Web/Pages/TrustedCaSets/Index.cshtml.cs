using CertMgr.Core.TrustedCas;
using CertMgr.Data.Model;
using CertMgr.Web.ConsoleUi;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CertMgr.Web.Pages.TrustedCaSets;

/// <summary>Trusted CA Sets (guide 2.12): the sets monitored certificates are validated against, and the system collection.</summary>
[Authorize]
public sealed class IndexModel(CertMgr.Core.TrustedCas.TrustedCaSets sets) : PageModel
{
    public const string ListId = "trusted-ca-sets-list";

    public PagedResult<TrustedCaSetSummary> Result { get; private set; } = null!;
    public ListView List { get; private set; } = null!;
    public IReadOnlyList<SystemFileInfo> SystemFiles { get; private set; } = [];
    public string? Flash { get; private set; }

    [BindProperty]
    public string? NewName { get; set; }

    public string? NameError { get; private set; }

    public bool IsAdmin => User.IsInRole(nameof(UserRole.Admin));

    public async Task<IActionResult> OnGetAsync([FromQuery] ListQuery query, CancellationToken ct)
    {
        Flash = TempData["Flash"] as string;
        await LoadAsync(query, ct);
        return this.PageOrFragment(ListId, "_SetsList");
    }

    public async Task<IActionResult> OnPostCreateAsync(CancellationToken ct)
    {
        if (!IsAdmin)
        {
            return Forbid();
        }

        var created = await sets.CreateAsync(NewName ?? "", null, User.Identity?.Name ?? "console", ct);
        if (created.IsSuccess)
        {
            TempData["Flash"] = $"Created '{created.Value.Name}' with the public roots. Add your CA certificates and choose system files here.";
            return RedirectToPage("Set", new { id = created.Value.Id });
        }

        NameError = created.Error.Message;
        await LoadAsync(new ListQuery(), ct);
        return Page();
    }

    private async Task LoadAsync(ListQuery query, CancellationToken ct)
    {
        var rows = await sets.SummariesAsync(ct);
        Result = rows.AsQueryable().ToPagedResult(SetRows.Columns.Normalize(query), SetRows.Columns);
        List = ListView.For(Request, ListId, Result, SetRows.Columns);
        SystemFiles = sets.DescribeSystemFiles();
    }
}
