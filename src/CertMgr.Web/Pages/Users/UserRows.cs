using System.Linq.Expressions;
using CertMgr.Core.Security;
using CertMgr.Data.Model;
using CertMgr.Web.ConsoleUi;

namespace CertMgr.Web.Pages.Users;

/// <summary>One line of the Users screen: the account and whether it is locked out from some address right now.</summary>
public sealed record UserRow(UserSummary User, IReadOnlyList<string> LockedFrom)
{
    public string UserName => User.UserName;
    public string Role => User.Role.ToString();
    public string Status => User.Disabled ? "disabled" : "enabled";
    public bool Locked => LockedFrom.Count > 0;
}

/// <summary>The Users screen's columns, search and filters (the list is small: sorted and paged in memory).</summary>
public static class UserRows
{
    public static ListColumns<UserRow> Columns { get; } = new ListColumns<UserRow>("name")
        .Sortable("name", r => r.User.UserName.ToUpperInvariant())
        .Sortable("role", r => r.Role)
        .Sortable("status", r => r.Status)
        .Sortable("login", r => r.User.LastLoginAt, descendingFirst: true, nullsLast: true)
        .Sortable("lockout", r => r.Locked, descendingFirst: true)
        .UniqueKey(r => r.User.Id)
        .SearchWith(Search);

    public static ListFilter RoleFilter { get; } = new("role", "Role",
    [
        new(null, "Any role"),
        new(nameof(UserRole.Admin), "Admin"),
        new(nameof(UserRole.User), "User"),
    ]);

    public static ListFilter StatusFilter { get; } = new("status", "Status",
    [
        new(null, "Any status"),
        new("enabled", "Enabled"),
        new("disabled", "Disabled"),
        new("locked", "Locked out"),
    ]);

    public static StatusBadge StatusBadge(UserSummary user) => user.Disabled
        ? new("Disabled", Tone.Neutral, "slash-circle")
        : user.MustChangePassword
            ? new("Enabled", Tone.Success, "check-circle-fill", "Must change the password at the next sign-in")
            : new("Enabled", Tone.Success, "check-circle-fill");

    public static StatusBadge LockoutBadge(IReadOnlyList<string> lockedFrom) => lockedFrom.Count == 0
        ? new("Not locked", Tone.Neutral)
        : new($"Locked ({lockedFrom.Count} address{(lockedFrom.Count == 1 ? "" : "es")})", Tone.Danger, "lock-fill",
            "Too many wrong passwords from " + string.Join(", ", lockedFrom.Select(a => a.Length == 0 ? "(local)" : a)));

    private static Expression<Func<UserRow, bool>> Search(string text)
    {
        var t = text.Trim();
        return r => r.User.UserName.Contains(t, StringComparison.OrdinalIgnoreCase)
            || (r.User.DisplayName != null && r.User.DisplayName.Contains(t, StringComparison.OrdinalIgnoreCase))
            || (r.User.Email != null && r.User.Email.Contains(t, StringComparison.OrdinalIgnoreCase));
    }
}
