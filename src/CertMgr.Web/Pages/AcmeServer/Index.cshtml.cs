using CertMgr.Core.Acme.Server;
using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Web.Pages.AcmeServer;

/// <summary>The ACME server's overview: the directory URL, the settings in force and where they come from, counts.</summary>
[Authorize]
public sealed class IndexModel(AcmeServerSettings settings, CertMgrDbContext db) : PageModel
{
    public AcmeServerOptions Effective { get; private set; } = null!;
    public AcmeServerOverrides Overrides { get; private set; } = null!;
    public string DirectoryUrl { get; private set; } = "";
    public int Accounts { get; private set; }
    public int ValidAccounts { get; private set; }
    public int UnusedEabKeys { get; private set; }
    public IReadOnlyDictionary<AcmeServerStatus, int> OrdersByStatus { get; private set; } = new Dictionary<AcmeServerStatus, int>();

    public async Task OnGetAsync(CancellationToken ct)
    {
        Effective = await settings.EffectiveAsync(ct);
        Overrides = await settings.OverridesAsync(ct);
        DirectoryUrl = $"{Request.Scheme}://{Request.Host}{CertMgr.Web.Acme.AcmeEndpoints.Prefix}/directory";
        Accounts = await db.AcmeServerAccounts.CountAsync(ct);
        ValidAccounts = await db.AcmeServerAccounts.CountAsync(a => a.Status == AcmeServerStatus.Valid, ct);
        UnusedEabKeys = await db.AcmeServerEabKeys.CountAsync(k => k.AccountId == null, ct);
        OrdersByStatus = await db.AcmeServerOrders.GroupBy(o => o.Status).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
    }

    public static string Source(bool overridden) => overridden ? "console" : "certmgr.json";
}
