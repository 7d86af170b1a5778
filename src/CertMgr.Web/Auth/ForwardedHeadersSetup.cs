using System.Net;
using IPNetwork = System.Net.IPNetwork;
using CertMgr.Core.Setup;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CertMgr.Web.Auth;

/// <summary>
/// Behind a reverse proxy: <c>X-Forwarded-For</c>, <c>-Proto</c> and <c>-Host</c> are honoured only from the proxies
/// listed in certmgr.json (<c>"ReverseProxy": { "KnownProxies": ["10.0.0.5"], "KnownNetworks": ["10.1.0.0/16"] }</c>).
/// Without that section the headers are ignored entirely (ASP.NET Core's default would trust loopback). Links never
/// come from the forwarded host: they use the external base URL (Hosting/ExternalUrl).
/// </summary>
internal static class ForwardedHeadersSetup
{
    public const string Section = "ReverseProxy";

    /// <summary>The trusted proxies from settings; empty when none are configured. Bad entries stop the start.</summary>
    public static (IReadOnlyList<IPAddress> Proxies, IReadOnlyList<IPNetwork> Networks) Read(IConfiguration configuration)
    {
        var proxies = new List<IPAddress>();
        var networks = new List<IPNetwork>();
        foreach (var text in Values(configuration, "KnownProxies"))
        {
            if (!IPAddress.TryParse(text, out var address))
            {
                throw new SettingsException($"{Section}:KnownProxies: '{text}' is not an IP address.");
            }

            proxies.Add(address);
        }

        foreach (var text in Values(configuration, "KnownNetworks"))
        {
            if (!IPNetwork.TryParse(text, out var network))
            {
                throw new SettingsException($"{Section}:KnownNetworks: '{text}' is not a network in CIDR form (e.g. 10.0.0.0/8).");
            }

            networks.Add(network);
        }

        return (proxies, networks);
    }

    public static IServiceCollection AddCertMgrForwardedHeaders(this IServiceCollection services, IConfiguration configuration)
    {
        var (proxies, networks) = Read(configuration);
        return services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var proxy in proxies)
            {
                o.KnownProxies.Add(proxy);
            }

            foreach (var network in networks)
            {
                o.KnownIPNetworks.Add(network);
            }

            o.ForwardLimit = Math.Max(1, proxies.Count + networks.Count);
        });
    }

    /// <summary>Adds the middleware only when proxies are configured.</summary>
    public static IApplicationBuilder UseCertMgrForwardedHeaders(this IApplicationBuilder app, IConfiguration configuration)
    {
        var (proxies, networks) = Read(configuration);
        return proxies.Count + networks.Count == 0 ? app : app.UseForwardedHeaders();
    }

    private static IEnumerable<string> Values(IConfiguration configuration, string key)
    {
        var section = configuration.GetSection(Section).GetSection(key);
        var single = section.Value;
        if (!string.IsNullOrWhiteSpace(single))
        {
            return single.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries);
        }

        return section.GetChildren().Select(c => c.Value).Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!.Trim());
    }
}
