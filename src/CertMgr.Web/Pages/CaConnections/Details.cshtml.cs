using CertMgr.Core.Catalog;
using CertMgr.Core.Common;
using CertMgr.Data.Model;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CertMgr.Web.Pages.CaConnections;

/// <summary>One CA connection: settings, ACME account status and actions, products, and the requests sent to the CA.</summary>
[Authorize]
public sealed class DetailsModel(CaConnectionService connections) : PageModel
{
    public CaConnectionView? Connection { get; private set; }
    public IReadOnlyList<Product> Products { get; private set; } = [];
    public IReadOnlyList<CaSubmission> Submissions { get; private set; } = [];
    public string? Message { get; private set; }
    public string? Error { get; private set; }
    public bool IsAdmin => User.IsInRole(nameof(UserRole.Admin));

    public async Task<IActionResult> OnGetAsync(Guid id, string? done, CancellationToken ct)
    {
        Message = done;
        return await LoadAsync(id, ct) ? Page() : NotFound();
    }

    public Task<IActionResult> OnPostRegisterAsync(Guid id, CancellationToken ct) =>
        ActAsync(id, connections.RegisterAccountAsync(id, false, Actor, ct), "The ACME account is registered.", ct);

    public Task<IActionResult> OnPostRolloverAsync(Guid id, CancellationToken ct) =>
        ActAsync(id, connections.RollOverKeyAsync(id, Actor, ct), "The account key was rolled over to a new key.", ct);

    public Task<IActionResult> OnPostDeactivateAsync(Guid id, CancellationToken ct) =>
        ActAsync(id, connections.DeactivateAccountAsync(id, Actor, ct), "The ACME account is deactivated.", ct);

    private string Actor => User.Identity?.Name ?? "console";

    private async Task<IActionResult> ActAsync(Guid id, Task<Result<CaConnectionView>> action, string success, CancellationToken ct)
    {
        if (!User.IsInRole(nameof(UserRole.Admin)))
        {
            return Forbid();
        }

        var done = await action;
        if (done.IsSuccess)
        {
            return Redirect(Url.Content($"~/ca-contracts/{id}?done={Uri.EscapeDataString(success)}"));
        }

        Error = done.Error.Message;
        return await LoadAsync(id, ct) ? Page() : NotFound();
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        Connection = await connections.FindAsync(id, ct);
        if (Connection is null)
        {
            return false;
        }

        Products = await connections.ProductsAsync(id, ct);
        Submissions = await connections.SubmissionsAsync(id, 100, ct);
        return true;
    }
}
