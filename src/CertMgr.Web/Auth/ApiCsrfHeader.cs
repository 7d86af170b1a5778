using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace CertMgr.Web.Auth;

/// <summary>
/// Cross-site request forgery on <c>/api</c>: a POST, PUT, PATCH or DELETE authenticated by the console cookie must
/// carry the header <c>X-CertMgr-Csrf</c> (any non-empty value). This is the "custom request header" defence of the
/// OWASP CSRF cheat sheet: an HTML form on another site cannot set a header, and a cross-origin script that sets one
/// triggers a CORS preflight, which CertMgr never grants (it sends no CORS headers). It is on top of the session
/// cookie's SameSite=Strict. Calls with <c>Authorization: Bearer</c> need no header: a browser never adds a token on its own.
/// </summary>
internal static class ApiCsrfHeader
{
    public const string HeaderName = "X-CertMgr-Csrf";

    /// <summary>After authentication: rejects cookie-authenticated unsafe API calls without the header (403 problem).</summary>
    public static IApplicationBuilder UseApiCsrfHeader(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (Required(context) && string.IsNullOrWhiteSpace(context.Request.Headers[HeaderName]))
        {
            await Results.Problem(
                title: $"Requests with the console session must carry the header {HeaderName} (cross-site request forgery protection); API clients use a Bearer token.",
                statusCode: StatusCodes.Status403Forbidden,
                type: "https://certmgr.dev/problems/csrf-header-missing",
                extensions: new Dictionary<string, object?> { ["code"] = "csrf-header-missing" }).ExecuteAsync(context);
            return;
        }

        await next(context);
    });

    private static bool Required(HttpContext context) =>
        context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase) &&
        !(HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method) || HttpMethods.IsOptions(context.Request.Method) || HttpMethods.IsTrace(context.Request.Method)) &&
        context.User.Identity is { IsAuthenticated: true, AuthenticationType: CertMgrClaims.Scheme };
}
