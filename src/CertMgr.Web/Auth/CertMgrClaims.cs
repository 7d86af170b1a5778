using System.Security.Claims;
using CertMgr.Data.Model;

namespace CertMgr.Web.Auth;

/// <summary>The claims a CertMgr session carries, and how they are made from a user.</summary>
public static class CertMgrClaims
{
    public const string Scheme = "CertMgr";
    public const string SecurityStamp = "certmgr:stamp";
    public const string MustChangePassword = "certmgr:must-change-password";
    public const string AdminPolicy = "Admin";

    public static ClaimsPrincipal PrincipalFor(User user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, user.Id.ToString()),
            new(ClaimTypes.Name, user.UserName),
            new(ClaimTypes.Role, user.Role.ToString()),
            new(SecurityStamp, user.SecurityStamp),
        };
        if (user.MustChangePassword)
        {
            claims.Add(new Claim(MustChangePassword, "true"));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme, ClaimTypes.Name, ClaimTypes.Role));
    }

    public static Guid? UserId(this ClaimsPrincipal principal) =>
        Guid.TryParse(principal?.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;

    public static bool MustChangePasswordNow(this ClaimsPrincipal principal) =>
        principal?.HasClaim(c => c.Type == MustChangePassword) == true;
}
