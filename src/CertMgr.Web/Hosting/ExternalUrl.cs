using System.Net;
using CertMgr.Core.Setup;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.HostFiltering;

namespace CertMgr.Web.Hosting;

/// <summary>
/// Where people reach the console, for links in emails and generated URLs: the <c>ExternalBaseUrl</c> setting, else
/// the first HTTPS listen URL (its bound port when 0 was asked for). Never the request's Host header, which a client
/// chooses: a forged Host must not put another site's download link into an install-request email.
/// </summary>
public sealed class ExternalUrl(CertMgrSettings settings, IServer server)
{
    /// <summary>The base URL, ending in a slash.</summary>
    public Uri Base
    {
        get
        {
            if (settings.ExternalBaseUrl is { } configured)
            {
                return configured;
            }

            var derived = settings.EffectiveExternalBaseUrl;
            if (derived.Port == 0)
            {
                var bound = server.Features.Get<IServerAddressesFeature>()?.Addresses
                    .Select(a => Uri.TryCreate(a, UriKind.Absolute, out var u) ? u : null)
                    .FirstOrDefault(u => u is not null && u.Scheme == derived.Scheme && u.Port != 0);
                if (bound is not null)
                {
                    derived = new UriBuilder(derived) { Port = bound.Port }.Uri;
                }
            }

            return IsWildcard(derived.Host) ? new UriBuilder(derived) { Host = Dns.GetHostName() }.Uri : derived;
        }
    }

    /// <summary>
    /// The Host header values the server answers (HostFiltering; others get 400): the external URL's host, the listen
    /// URLs' hosts (and localhost beside a loopback address), the plain-HTTP PKI listener's and the CA's published URLs'
    /// hosts, and the <c>AllowedHosts</c> setting. A wildcard listen address without either setting accepts any host,
    /// since the names it is reached by are unknown; links are still built from the external URL.
    /// </summary>
    internal static void Configure(HostFilteringOptions options, CertMgrSettings settings, Uri? pkiHttp)
    {
        var hosts = new List<string>();
        var wildcard = false;
        void Add(Uri? uri)
        {
            if (uri is null)
            {
                return;
            }

            if (IsWildcard(uri.Host))
            {
                wildcard = true;
                return;
            }

            hosts.Add(uri.Host);
            if (uri.IsLoopback)
            {
                hosts.Add("localhost");
            }
        }

        Add(settings.ExternalBaseUrl);
        foreach (var url in settings.Urls)
        {
            Add(url);
        }

        Add(pkiHttp);
        foreach (var key in new[] { "PrivateCa:CrlDistributionPoints", "PrivateCa:CaIssuersUrls", "PrivateCa:OcspUrls" })
        {
            foreach (var child in settings.Configuration.GetSection(key).GetChildren())
            {
                Add(Uri.TryCreate(child.Value, UriKind.Absolute, out var u) && u.Scheme is "http" or "https" ? u : null);
            }
        }

        hosts.AddRange(settings.ExtraAllowedHosts);
        options.AllowedHosts = wildcard && settings.ExternalBaseUrl is null && settings.ExtraAllowedHosts.Count == 0
            ? ["*"]
            : [.. hosts.Distinct(StringComparer.OrdinalIgnoreCase)];
    }

    private static bool IsWildcard(string host) =>
        host is "0.0.0.0" or "[::]" or "*" or "+" || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any)));
}
