using CertMgr.Core.Security;
using CertMgr.Web.Auth;
using CertMgr.Web.ConsoleUi;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CertMgr.Web.Pages.Users;

/// <summary>Users (guide 3.6), admins only: every account with its role, status, last sign-in and lockout state.</summary>
[Authorize(Policy = CertMgrClaims.AdminPolicy)]
public sealed class IndexModel(UserAdministration users, TimeProvider time) : PageModel
{
    public const string ListId = "users-list";

    [BindProperty(SupportsGet = true)]
    public string? Role { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Status { get; set; }

    public PagedResult<UserRow> Result { get; private set; } = null!;

    public ListView List { get; private set; } = null!;

    public DateTimeOffset Now { get; private set; }

    [TempData]
    public string? Flash { get; set; }

    public async Task<IActionResult> OnGetAsync([FromQuery] ListQuery query, CancellationToken ct)
    {
        Now = time.GetUtcNow();
        IEnumerable<UserRow> rows = (await users.ListAsync(ct)).Select(u => new UserRow(u, users.LockedAddresses(u.UserName))).ToList();
        Role = UserRows.RoleFilter.Options.FirstOrDefault(o => o.Value is not null && string.Equals(o.Value, Role?.Trim(), StringComparison.OrdinalIgnoreCase))?.Value;
        Status = UserRows.StatusFilter.Options.FirstOrDefault(o => o.Value is not null && string.Equals(o.Value, Status?.Trim(), StringComparison.OrdinalIgnoreCase))?.Value;
        if (Role is { } role)
        {
            rows = rows.Where(r => r.Role == role);
        }

        rows = Status switch
        {
            "enabled" => rows.Where(r => !r.User.Disabled),
            "disabled" => rows.Where(r => r.User.Disabled),
            "locked" => rows.Where(r => r.Locked),
            _ => rows,
        };

        Result = rows.AsQueryable().ToPagedResult(UserRows.Columns.Normalize(query), UserRows.Columns);
        List = ListView.For(Request, ListId, Result, UserRows.Columns);
        return this.PageOrFragment(ListId, "_UsersList");
    }
}
