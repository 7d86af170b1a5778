using CertMgr.Core.Catalog;
using CertMgr.Data.Model;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CertMgr.Web.Pages.ProviderAccounts;

/// <summary>Provider Accounts (guide 4.2.4): login records for commercial CA and reseller sites.</summary>
[Authorize]
public sealed class IndexModel(ProviderAccountService accounts) : PageModel
{
    public IReadOnlyList<ProviderAccount> Accounts { get; private set; } = [];
    public string? Message { get; private set; }
    public bool IsAdmin => User.IsInRole(nameof(UserRole.Admin));

    public async Task OnGetAsync(string? done, CancellationToken ct)
    {
        Message = done;
        Accounts = await accounts.ListAsync(ct);
    }
}
