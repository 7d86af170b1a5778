using System.Data.Common;
using System.Net;
using CertMgr.Core.PrivateCa;
using CertMgr.Core.Setup;
using CertMgr.Data;
using CertMgr.Web.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CertMgr.Web.Observability;

/// <summary>Who may read <c>/metrics</c> without signing in: certmgr.json <c>"Metrics": { "Anonymous": "loopback" | "any" | "none" }</c>.</summary>
public enum MetricsAnonymousAccess
{
    /// <summary>The default: a scraper on the same host; anyone else presents an API token (Bearer) or a session.</summary>
    Loopback,
    Any,
    None,
}

/// <summary>
/// <c>/healthz</c> (the process answers), <c>/readyz</c> (database reachable, migrations applied, CA loaded: 200 or
/// 503) — both anonymous, JSON, naming failed checks but never their exception text (which may carry connection
/// details) — and <c>/metrics</c> (Prometheus text; see <see cref="MetricsAnonymousAccess"/>).
/// </summary>
public static class ObservabilityEndpoints
{
    public const string AccessKey = "Metrics:Anonymous";

    public static IEndpointRouteBuilder MapCertMgrObservability(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/healthz", () => Results.Json(new { status = "ok" })).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/readyz", ReadyAsync).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/metrics", MetricsAsync).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    /// <summary>Parses the setting; an unknown value is the safest, <see cref="MetricsAnonymousAccess.None"/>.</summary>
    public static MetricsAnonymousAccess ParseAccess(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "loopback" => MetricsAnonymousAccess.Loopback,
        "any" => MetricsAnonymousAccess.Any,
        _ => MetricsAnonymousAccess.None,
    };

    /// <summary>Whether an unauthenticated request from <paramref name="remote"/> may read the metrics.</summary>
    public static bool AllowsAnonymous(MetricsAnonymousAccess access, IPAddress? remote) => access switch
    {
        MetricsAnonymousAccess.Any => true,
        MetricsAnonymousAccess.Loopback => remote is not null && IPAddress.IsLoopback(remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote),
        _ => false,
    };

    private static async Task<IResult> MetricsAsync(HttpContext http, CertMgrSettings settings, CertMgrDbContext db)
    {
        var access = ParseAccess(settings.Configuration[AccessKey]);
        if (!AllowsAnonymous(access, http.Connection.RemoteIpAddress) && http.User.Identity?.IsAuthenticated != true)
        {
            var token = await http.AuthenticateAsync(ApiTokenAuthenticationHandler.SchemeName);
            if (!token.Succeeded)
            {
                http.Response.Headers.WWWAuthenticate = "Bearer";
                return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Sign in or present an API token to read the metrics.");
            }
        }

        return Results.Text(await new CertMgrMetrics(db).RenderAsync(http.RequestAborted), PrometheusText.ContentType);
    }

    private static async Task<IResult> ReadyAsync(HttpContext http, IServiceProvider services)
    {
        var ct = http.RequestAborted;
        var checks = new Dictionary<string, string>(StringComparer.Ordinal) { ["database"] = "ok", ["migrations"] = "ok", ["ca"] = "ok" };
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CertMgrDbContext>();
        try
        {
            if (!await db.Database.CanConnectAsync(ct))
            {
                checks["database"] = "unreachable";
            }
            else
            {
                if ((await db.Database.GetPendingMigrationsAsync(ct)).Any())
                {
                    checks["migrations"] = "pending";
                }

                var ca = await scope.ServiceProvider.GetRequiredService<PrivateCaService>().FindCurrentAsync(ct);
                if (ca is null || !File.Exists(scope.ServiceProvider.GetRequiredService<DataDirectory>().CaCertificatePath))
                {
                    checks["ca"] = "missing";
                }
            }
        }
        catch (Exception ex) when (ex is DbException or InvalidOperationException or IOException or TimeoutException)
        {
            checks["database"] = "unreachable";
        }

        if (checks["database"] != "ok")
        {
            checks["migrations"] = "unknown";
            checks["ca"] = "unknown";
        }

        var ready = checks.Values.All(v => v == "ok");
        return Results.Json(new { status = ready ? "ready" : "not-ready", checks },
            statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }
}
