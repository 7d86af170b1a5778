using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace CertMgr.Web.Hosting;

/// <summary>
/// The OpenAPI document of <c>/api/v1</c> at <c>/openapi/v1.json</c> (ASP.NET Core's generator) with the bearer-token
/// security scheme, and the browsable reference page at <c>/api-docs</c> (vendored swagger-ui, no CDN).
/// </summary>
internal static class OpenApiSetup
{
    public const string DocumentPath = "/openapi/v1.json";
    public const string ReferencePath = "/api-docs";
    public const string BearerSchemeId = "bearer";

    /// <summary>The reference page's CSP: the console's, plus inline style attributes that swagger-ui's React views set.</summary>
    public const string ReferencePageCsp =
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'";

    public static IServiceCollection AddCertMgrOpenApi(this IServiceCollection services) =>
        services.AddOpenApi("v1", o =>
        {
            // Only the REST API: not the console's pages, not the PKI files.
            o.ShouldInclude = d => d.RelativePath?.StartsWith("api/v1", StringComparison.OrdinalIgnoreCase) == true;
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "CertMgr REST API",
                    Version = "v1",
                    Description = "Server-certificate lifecycle management. Authenticate with a personal API token " +
                        "(console: user menu → API tokens) as `Authorization: Bearer cmt_…`, or with a console session. " +
                        "Tokens carry their user's role; admin-only operations answer 403 to other users. " +
                        "Errors are RFC 9457 problem documents with a machine-readable `code`.",
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[BearerSchemeId] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "cmt_ token",
                    Description = "A personal API token created on the console's API tokens page.",
                };
                document.Security ??= [];
                document.Security.Add(new OpenApiSecurityRequirement
                {
                    [new OpenApiSecuritySchemeReference(BearerSchemeId, document)] = [],
                });
                return Task.CompletedTask;
            });
        });

    public static IEndpointRouteBuilder MapCertMgrOpenApi(this IEndpointRouteBuilder endpoints)
    {
        // The document describes the API's surface, not data: readable without signing in, like the reference page.
        endpoints.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        endpoints.MapGet(ReferencePath, (HttpContext context) => Results.Content(ReferencePage(context.Request.PathBase), "text/html; charset=utf-8"))
            .AllowAnonymous().ExcludeFromDescription();
        return endpoints;
    }

    /// <summary>swagger-ui over the document; no inline script or style (the initializer is wwwroot/js/api-docs.js).</summary>
    private static string ReferencePage(PathString pathBase)
    {
        var b = System.Net.WebUtility.HtmlEncode(pathBase.Value ?? "");
        return $$"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8" />
            <meta name="viewport" content="width=device-width, initial-scale=1" />
            <title>CertMgr REST API reference</title>
            <link rel="stylesheet" href="{{b}}/_content/CertMgr.Web/lib/swagger-ui/swagger-ui.css" />
            <link rel="icon" href="{{b}}/_content/CertMgr.Web/img/logo.svg" />
            </head>
            <body>
            <div id="api-reference" data-document-url="{{b}}{{DocumentPath}}"></div>
            <script src="{{b}}/_content/CertMgr.Web/lib/swagger-ui/swagger-ui-bundle.js"></script>
            <script src="{{b}}/_content/CertMgr.Web/js/api-docs.js"></script>
            </body>
            </html>
            """;
    }

    /// <summary>The reference page gets its own, slightly wider CSP; everything else keeps the console's.</summary>
    public static bool IsReferencePage(HttpContext context) =>
        context.Request.Path.Equals(ReferencePath, StringComparison.OrdinalIgnoreCase);
}
