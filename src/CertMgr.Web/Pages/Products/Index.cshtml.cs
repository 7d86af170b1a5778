using CertMgr.Core.Catalog;
using CertMgr.Data.Model;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CertMgr.Web.Pages.Products;

/// <summary>Products (guide 4.3.2): the catalog the product selector of an acquisition offers from.</summary>
[Authorize]
public sealed class IndexModel(ProductCatalog catalog) : PageModel
{
    public IReadOnlyList<Product> Products { get; private set; } = [];
    public string? Message { get; private set; }
    public bool IsAdmin => User.IsInRole(nameof(UserRole.Admin));

    public async Task OnGetAsync(string? done, CancellationToken ct)
    {
        Message = done;
        Products = await catalog.ListAsync(ct);
    }
}
