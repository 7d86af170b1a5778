using CertMgr.Core.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CertMgr.Web.Auth;

/// <summary>
/// Applies <c>ip_acl.txt</c> (<see cref="IpAccessList"/>) to every request before authentication: a refused address
/// gets a bare 403 and reaches nothing else, not even the login page. The client address is the connection's, or the
/// forwarded one when the request came through a configured proxy (<see cref="ForwardedHeadersSetup"/> runs first).
/// </summary>
internal static partial class IpAllowList
{
    public static IApplicationBuilder UseIpAllowList(this IApplicationBuilder app)
    {
        var list = app.ApplicationServices.GetRequiredService<IpAccessListFile>();
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("CertMgr.Web.Auth.IpAllowList");
        _ = list.Current; // read and report the file at start
        return app.Use(async (context, next) =>
        {
            var address = context.Connection.RemoteIpAddress;
            if (!list.Current.Allows(address))
            {
                LogRefused(logger, address?.ToString(), context.Request.Path);
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                context.Response.ContentType = "text/plain; charset=utf-8";
                await context.Response.WriteAsync("Access from your address is not allowed.\n");
                return;
            }

            await next(context);
        });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Request from {Address} to {Path} refused by the IP allow-list")]
    private static partial void LogRefused(ILogger logger, string? address, string path);
}
