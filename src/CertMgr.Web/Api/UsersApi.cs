using System.Security.Claims;
using CertMgr.Core.Common;
using CertMgr.Core.Security;
using CertMgr.Data.Model;
using CertMgr.Web.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CertMgr.Web.Api;

/// <summary>
/// Users management over HTTP, admins only: <c>/api/v1/users</c> (list, add, edit, disable, delete, reset password)
/// and <c>/api/v1/ip-acl</c> (the IP allow-list as loaded, with the lines that were not understood).
/// </summary>
public static class UsersApi
{
    /// <summary>A user to add; without <c>initialPassword</c> a random one is generated and returned once.</summary>
    public sealed record CreateBody(string? UserName, string? Role, string? Email, string? InitialPassword = null);

    public sealed record UpdateBody(string? Role, string? Email, string? DisplayName, bool? Disabled);

    /// <summary>A new user and the one-time generated initial password (null when the caller chose it); it must be changed at the first sign-in.</summary>
    public sealed record Created(UserItem User, string? InitialPassword);

    /// <summary>A user over the API; the role by name, like every enum.</summary>
    public sealed record UserItem(
        Guid Id, string UserName, string? DisplayName, string? Email, string Role, bool Disabled, bool MustChangePassword,
        int FailedLoginCount, DateTimeOffset CreatedAt, DateTimeOffset? LastLoginAt, DateTimeOffset? PasswordChangedAt);

    public static UserItem Item(UserSummary u)
    {
        ArgumentNullException.ThrowIfNull(u);
        return new(u.Id, u.UserName, u.DisplayName, u.Email, u.Role.ToString(), u.Disabled, u.MustChangePassword, u.FailedLoginCount,
            u.CreatedAt, u.LastLoginAt, u.PasswordChangedAt);
    }

    public sealed record PasswordReset(string TemporaryPassword);

    public sealed record IpAclStatus(bool FilePresent, bool AllowAll, bool LoopbackOnly, IReadOnlyList<string> Networks, IReadOnlyList<IpAccessListProblem> Problems);

    public static void MapUsersApi(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var g = api.MapGroup("/users").WithTags("Users").RequireAuthorization(CertMgrClaims.AdminPolicy);
        g.MapGet("/", async (UserAdministration users, CancellationToken ct) => TypedResults.Ok((await users.ListAsync(ct)).Select(Item).ToList()));
        g.MapGet("/{id:guid}", async (Guid id, UserAdministration users, CancellationToken ct) => Respond(await users.GetAsync(id, ct)));
        g.MapPost("/", CreateAsync);
        g.MapPut("/{id:guid}", UpdateAsync);
        g.MapDelete("/{id:guid}", DeleteAsync);
        g.MapPost("/{id:guid}/reset-password", ResetPasswordAsync);
        g.MapPost("/{id:guid}/unlock", UnlockAsync);
        api.MapGet("/ip-acl", IpAcl).WithTags("Users").RequireAuthorization(CertMgrClaims.AdminPolicy);
    }

    /// <summary>Role names as the API takes them (by name, any case); null when absent, an error when unknown.</summary>
    internal static Result<UserRole?> ParseRole(string? text)
    {
        if (text is null)
        {
            return (UserRole?)null;
        }

        return Enum.TryParse<UserRole>(text.Trim(), ignoreCase: true, out var role) && Enum.IsDefined(role) && !char.IsDigit(text.Trim().FirstOrDefault())
            ? role
            : Error.Invalid("role-invalid", "The role must be Admin or User.", "role");
    }

    internal static async Task<IResult> CreateAsync(CreateBody? body, UserAccounts accounts, ClaimsPrincipal user, HttpContext http, CancellationToken ct)
    {
        var role = ParseRole(body?.Role ?? nameof(UserRole.User));
        if (!role.IsSuccess)
        {
            return ApiRoutes.Problem(role.Error);
        }

        var request = new NewUser(body?.UserName ?? "", role.Value!.Value, body?.Email, body?.InitialPassword);
        var created = await accounts.CreateUserAsync(request, Actor(user), Address(http), ct);
        if (!created.IsSuccess)
        {
            return ApiRoutes.Problem(created.Error);
        }

        var summary = UserAdministration.Summary(created.Value.User);
        return TypedResults.Created($"{ApiRoutes.Prefix}/users/{summary.Id}", new Created(Item(summary), string.IsNullOrEmpty(body?.InitialPassword) ? created.Value.Password : null));
    }

    internal static async Task<IResult> UpdateAsync(Guid id, UpdateBody? body, UserAdministration users, ClaimsPrincipal user, HttpContext http, CancellationToken ct)
    {
        var role = ParseRole(body?.Role);
        if (!role.IsSuccess)
        {
            return ApiRoutes.Problem(role.Error);
        }

        var changes = new UserChanges(role.Value, body?.Email, body?.DisplayName, body?.Disabled);
        return Respond(await users.UpdateAsync(id, changes, user.UserId() ?? Guid.Empty, Actor(user), Address(http), ct));
    }

    internal static async Task<IResult> DeleteAsync(Guid id, UserAdministration users, ClaimsPrincipal user, HttpContext http, CancellationToken ct)
    {
        var deleted = await users.DeleteAsync(id, user.UserId() ?? Guid.Empty, Actor(user), Address(http), ct);
        return deleted.IsSuccess ? TypedResults.NoContent() : ApiRoutes.Problem(deleted.Error!);
    }

    internal static async Task<IResult> ResetPasswordAsync(Guid id, UserAdministration users, ClaimsPrincipal user, HttpContext http, CancellationToken ct)
    {
        var reset = await users.ResetPasswordAsync(id, Actor(user), Address(http), ct);
        return reset.IsSuccess ? TypedResults.Ok(new PasswordReset(reset.Value)) : ApiRoutes.Problem(reset.Error);
    }

    internal static async Task<IResult> UnlockAsync(Guid id, UserAdministration users, ClaimsPrincipal user, HttpContext http, CancellationToken ct) =>
        Respond(await users.UnlockAsync(id, Actor(user), Address(http), ct));

    internal static IResult IpAcl(IpAccessListFile file) => TypedResults.Ok(Status(file));

    public static IpAclStatus Status(IpAccessListFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var list = file.Reload();
        return new IpAclStatus(File.Exists(file.Path), list.AllowAll, list.LoopbackFallback,
            [.. list.Networks.Select(n => n.ToString())], list.Problems);
    }

    internal static string Actor(ClaimsPrincipal user) => AcquisitionsApi.Actor(user);

    internal static string? Address(HttpContext http) => http.Connection.RemoteIpAddress?.ToString();

    private static IResult Respond(Result<UserSummary> result) =>
        result.IsSuccess ? TypedResults.Ok(Item(result.Value)) : ApiRoutes.Problem(result.Error);
}
