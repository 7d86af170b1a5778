using CertMgr.Core.Security;
using CertMgr.Web.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CertMgr.Web.Pages.Account;

/// <summary>The signed-in user's personal API tokens: create (shown once), list, revoke.</summary>
[Authorize]
public sealed class TokensModel(ApiTokens tokens, TimeProvider time) : PageModel
{
    public IReadOnlyList<ApiTokenInfo> Tokens { get; private set; } = [];

    public DateTimeOffset Now { get; private set; }

    /// <summary>The secret of the token created by this very request; rendered once, never stored.</summary>
    public CreatedApiToken? Created { get; private set; }

    public string? Error { get; private set; }

    public string? Message { get; private set; }

    [BindProperty]
    public string? Name { get; set; }

    /// <summary>Days until expiry; empty = never.</summary>
    [BindProperty]
    public int? ExpiresInDays { get; set; } = 90;

    public static IReadOnlyList<(int? Days, string Label)> ExpiryChoices { get; } =
        [(7, "7 days"), (30, "30 days"), (90, "90 days"), (365, "1 year"), (null, "No expiry")];

    public async Task OnGetAsync(string? done, CancellationToken ct)
    {
        Message = done;
        await LoadAsync(ct);
    }

    public async Task<IActionResult> OnPostCreateAsync(CancellationToken ct)
    {
        var created = await tokens.CreateAsync(UserId(), Name, ExpiresInDays, ct);
        if (created.IsSuccess)
        {
            Created = created.Value;
            Name = null;
        }
        else
        {
            Error = created.Error.Message;
        }

        // No redirect: the secret exists only in this response.
        Response.Headers.CacheControl = "no-store";
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(Guid id, CancellationToken ct)
    {
        var revoked = await tokens.RevokeAsync(UserId(), id, ct);
        if (revoked.IsSuccess)
        {
            return RedirectToPage(new { done = "Token revoked; API calls with it are refused from now on." });
        }

        Error = revoked.Error.Message;
        await LoadAsync(ct);
        return Page();
    }

    private Guid UserId() => User.UserId() ?? throw new InvalidOperationException("A signed-in user has an id.");

    private async Task LoadAsync(CancellationToken ct)
    {
        Now = time.GetUtcNow();
        Tokens = await tokens.ListAsync(UserId(), ct);
    }
}
