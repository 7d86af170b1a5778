using CertMgr.Core.Catalog;
using CertMgr.Data.Model;
using CertMgr.Web.Auth;
using CertMgr.Web.ConsoleUi;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CertMgr.Web.Pages.Products;

/// <summary>Admins add a product or edit one (including disabling it).</summary>
[Authorize(Policy = CertMgrClaims.AdminPolicy)]
public sealed class EditModel(ProductCatalog catalog) : PageModel
{
    [BindProperty]
    public string? Provider { get; set; }

    [BindProperty]
    public string? Name { get; set; }

    [BindProperty]
    public ValidationLevel ValidationLevel { get; set; }

    [BindProperty]
    public bool Wildcard { get; set; }

    [BindProperty]
    public int MaxSans { get; set; } = 1;

    [BindProperty]
    public int MaxValidityDays { get; set; } = 200;

    [BindProperty]
    public string? ProductUrl { get; set; }

    [BindProperty]
    public bool Enabled { get; set; } = true;

    public Guid? Id { get; private set; }
    public bool BuiltIn { get; private set; }
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid? id, CancellationToken ct)
    {
        Id = id;
        if (id is null)
        {
            return Page();
        }

        var p = await catalog.FindAsync(id.Value, ct);
        if (p is null)
        {
            return NotFound();
        }

        (Provider, Name, ValidationLevel, Wildcard, MaxSans, MaxValidityDays, ProductUrl, Enabled, BuiltIn) =
            (p.Provider, p.Name, p.ValidationLevel, p.Wildcard, p.MaxSans, p.MaxValidityDays, p.ProductUrl, p.Enabled, ProductCatalog.IsBuiltIn(p));
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(Guid? id, CancellationToken ct)
    {
        Id = id;
        var input = new ProductInput(Provider, Name, ValidationLevel, Wildcard, MaxSans, MaxValidityDays, ProductUrl, Enabled);
        var actor = User.Identity?.Name ?? "console";
        var saved = id is null ? await catalog.CreateAsync(input, actor, ct) : await catalog.UpdateAsync(id.Value, input, actor, ct);
        if (saved.IsSuccess)
        {
            return Redirect(Url.Content($"~/products?done={Uri.EscapeDataString($"Saved {Labels.Product(saved.Value.Provider, saved.Value.Name)}.")}"));
        }

        if (saved.Error.Code == "product-not-found")
        {
            return NotFound();
        }

        Error = saved.Error.Message;
        return Page();
    }
}
