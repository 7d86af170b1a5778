using CertMgr.Core.Catalog;
using CertMgr.Data.Model;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CertMgr.Web.Pages.CaConnections;

/// <summary>CA Contracts (guide 4.2.9, 4.6): the CA connections and their account state.</summary>
[Authorize]
public sealed class IndexModel(CaConnectionService connections) : PageModel
{
    public IReadOnlyList<CaConnectionView> Connections { get; private set; } = [];
    public string? Message { get; private set; }
    public bool IsAdmin => User.IsInRole(nameof(UserRole.Admin));

    public async Task OnGetAsync(string? done, CancellationToken ct)
    {
        Message = done;
        Connections = await connections.ListAsync(ct);
    }

    public static string KindLabel(CaConnectionKind kind) => kind switch
    {
        CaConnectionKind.BuiltInCa => "Built-in private CA",
        CaConnectionKind.Acme => "ACME",
        CaConnectionKind.MicrosoftAdcs => "Microsoft AD CS",
        _ => "Manual (ordered by hand)",
    };
}
