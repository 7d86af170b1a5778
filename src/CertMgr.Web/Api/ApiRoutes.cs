using CertMgr.Core.Common;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace CertMgr.Web.Api;

/// <summary>The REST API under <c>/api/v1</c>: same roles as the console, errors as RFC 9457 problem details.</summary>
public static class ApiRoutes
{
    public const string Prefix = "/api/v1";

    public static RouteGroupBuilder MapCertMgrApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup(Prefix).RequireAuthorization().DisableAntiforgery();
        // Each capability maps its endpoints here, from its own file.
        api.MapInspectApi();
        api.MapCaApi();
        api.MapAcquisitionsApi();
        api.MapProductsApi();
        api.MapProviderAccountsApi();
        api.MapCaConnectionsApi();
        api.MapDocumentsApi();
        api.MapImportApi();
        api.MapDefinitionsApi();
        api.MapCertificatesApi();
        api.MapKeysApi();
        api.MapTrustedCaSetsApi();
        api.MapDeploymentsApi();
        api.MapMonitorApi();
        api.MapEventsApi();
        api.MapDiscoveryApi();
        api.MapAutoInstallApi();
        api.MapUnattendedApi();
        api.MapUsersApi();
        api.MapAuditApi();
        api.MapNotificationsApi();
        api.MapSettingsApi();
        api.MapAcmeServerApi();
        api.MapWebhooksApi();
        return api;
    }

    /// <summary>
    /// The one translation of an expected failure into a problem document: the status from <see cref="Error.Kind"/>,
    /// the machine code as the <c>code</c> extension and in <c>type</c>, per-field messages as <c>errors</c>
    /// (camelCase keys, as the JSON bodies name them).
    /// </summary>
    public static ProblemHttpResult Problem(Error error) => Problem(error, StatusOf(error?.Kind ?? ErrorKind.Validation));

    /// <summary>A request body in a media type the endpoint does not read (415): an HTTP matter, not a Core error kind.</summary>
    public static ProblemHttpResult UnsupportedMediaType(Error error) => Problem(error, StatusCodes.Status415UnsupportedMediaType);

    /// <summary>The HTTP status of an error kind.</summary>
    public static int StatusOf(ErrorKind kind) => kind switch
    {
        ErrorKind.NotFound => StatusCodes.Status404NotFound,
        ErrorKind.Conflict => StatusCodes.Status409Conflict,
        ErrorKind.Forbidden => StatusCodes.Status403Forbidden,
        ErrorKind.Unavailable => StatusCodes.Status503ServiceUnavailable,
        ErrorKind.TooLarge => StatusCodes.Status413PayloadTooLarge,
        _ => StatusCodes.Status400BadRequest,
    };

    private static ProblemHttpResult Problem(Error error, int status)
    {
        ArgumentNullException.ThrowIfNull(error);
        var extensions = new Dictionary<string, object?> { ["code"] = error.Code };
        if (error.Fields is { Count: > 0 } fields)
        {
            extensions["errors"] = fields.ToDictionary(f => JsonName(f.Key), f => f.Value, StringComparer.Ordinal);
        }

        return TypedResults.Problem(
            title: error.Message,
            statusCode: status,
            type: $"https://certmgr.dev/problems/{error.Code}",
            extensions: extensions);
    }

    private static string JsonName(string field) =>
        field.Length == 0 ? field : char.ToLowerInvariant(field[0]) + field[1..];
}
