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
        return api;
    }

    /// <summary>Maps an expected failure to a problem document; <c>code</c> carries the machine-readable kind.</summary>
    public static ProblemHttpResult Problem(Error error, int status = StatusCodes.Status400BadRequest)
    {
        ArgumentNullException.ThrowIfNull(error);
        return TypedResults.Problem(
            title: error.Message,
            statusCode: status,
            type: $"https://certmgr.dev/problems/{error.Code}",
            extensions: new Dictionary<string, object?> { ["code"] = error.Code });
    }
}
