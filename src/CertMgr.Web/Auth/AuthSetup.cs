using CertMgr.Core.Security;
using CertMgr.Data.Model;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace CertMgr.Web.Auth;

internal static class AuthSetup
{
    public const string LoginPath = "/account/login";
    public const string ChangePasswordPath = "/account/change-password";
    public const string LogoutPath = "/account/logout";

    /// <summary>The default scheme: forwards to the API token handler or the cookie, per request.</summary>
    public const string ApiOrCookieScheme = "CertMgr.ApiOrCookie";

    public static IServiceCollection AddCertMgrAuth(this IServiceCollection services)
    {
        // The console cookie everywhere; on /api a Bearer token instead, when one is presented (never both at once).
        services.AddAuthentication(ApiOrCookieScheme)
            .AddPolicyScheme(ApiOrCookieScheme, "Console session or API token", o => o.ForwardDefaultSelector = ctx =>
                ctx.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase) &&
                ApiTokenAuthenticationHandler.BearerToken(ctx.Request) is not null
                    ? ApiTokenAuthenticationHandler.SchemeName
                    : CertMgrClaims.Scheme)
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null)
            .AddCookie(CertMgrClaims.Scheme, o =>
            {
                o.Cookie.Name = "certmgr.session";
                o.Cookie.HttpOnly = true;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.LoginPath = LoginPath;
                o.LogoutPath = LogoutPath;
                o.AccessDeniedPath = "/account/denied";
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.SlidingExpiration = true;
                o.Events.OnValidatePrincipal = ValidateSessionAsync;
                o.Events.OnRedirectToLogin = ctx => ApiAwareRedirect(ctx, StatusCodes.Status401Unauthorized);
                o.Events.OnRedirectToAccessDenied = ctx => ApiAwareRedirect(ctx, StatusCodes.Status403Forbidden);
            });

        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(CertMgrClaims.AdminPolicy, p => p.RequireRole(nameof(UserRole.Admin)));
        return services;
    }

    /// <summary>A session dies when its user is disabled or deleted, or the password changed elsewhere.</summary>
    private static async Task ValidateSessionAsync(CookieValidatePrincipalContext context)
    {
        var id = context.Principal?.UserId();
        var stamp = context.Principal?.FindFirst(CertMgrClaims.SecurityStamp)?.Value;
        var users = context.HttpContext.RequestServices.GetRequiredService<UserAccounts>();
        if (id is null || await users.FindActiveAsync(id.Value, stamp, context.HttpContext.RequestAborted) is null)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CertMgrClaims.Scheme);
        }
    }

    private static Task ApiAwareRedirect(RedirectContext<CookieAuthenticationOptions> ctx, int status)
    {
        if (ctx.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase))
        {
            ctx.Response.StatusCode = status;
            return Task.CompletedTask;
        }

        ctx.Response.Redirect(ctx.RedirectUri);
        return Task.CompletedTask;
    }

    /// <summary>
    /// A user who must change the password (first login) reaches nothing else until it is done.
    /// </summary>
    public static IApplicationBuilder UseForcedPasswordChange(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var path = context.Request.Path;
            var anonymous = context.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is not null;
            if (!anonymous && context.User.Identity?.IsAuthenticated == true && context.User.MustChangePasswordNow() &&
                !path.StartsWithSegments(ChangePasswordPath, StringComparison.OrdinalIgnoreCase) &&
                !path.StartsWithSegments(LogoutPath, StringComparison.OrdinalIgnoreCase))
            {
                if (path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase))
                {
                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    await context.Response.WriteAsJsonAsync(new { title = "Password change required", status = 403 });
                    return;
                }

                context.Response.Redirect(ChangePasswordPath);
                return;
            }

            await next(context);
        });
}
