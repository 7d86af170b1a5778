using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace CertMgr.Web.ConsoleUi;

/// <summary>
/// An empty 404 from a console address (an unknown URL, or a page's NotFound() for an unknown id) re-executes as the
/// console's "Not found" page. The API, OpenAPI and PKI paths are left alone: they keep their problem JSON or bare status.
/// </summary>
public static class NotFoundPages
{
    public const string Path = "/not-found";

    public static IApplicationBuilder UseConsoleNotFoundPage(this IApplicationBuilder app) =>
        app.UseWhen(IsConsole, branch => branch.UseStatusCodePagesWithReExecute(Path));

    private static bool IsConsole(HttpContext context)
    {
        var path = context.Request.Path;
        return !path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
            && !path.StartsWithSegments("/openapi", StringComparison.OrdinalIgnoreCase)
            && !path.StartsWithSegments("/pki", StringComparison.OrdinalIgnoreCase)
            && !path.StartsWithSegments("/_content", StringComparison.OrdinalIgnoreCase)
            && !path.StartsWithSegments("/lib", StringComparison.OrdinalIgnoreCase);
    }
}
