using CertMgr.Data;
using Microsoft.Extensions.Configuration;

namespace CertMgr.Core.Setup;

/// <summary>Where CertMgr keeps its data, where it listens, which database it uses.</summary>
public sealed record CertMgrSettings(DataDirectory Home, IReadOnlyList<Uri> Urls, DatabaseSettings Database, IConfiguration Configuration)
{
    public const string DefaultHome = "certmgr-data";
    public const string DefaultUrl = "https://127.0.0.1:23466";
    public const string HomeVariable = "CERTMGR_HOME";
    public const string DatabaseVariable = "CERTMGR_DB";
    public const string UrlsVariable = "CERTMGR_URLS";
    public const string ExternalBaseUrlVariable = "CERTMGR_EXTERNAL_BASE_URL";
    public const string AllowedHostsVariable = "CERTMGR_ALLOWED_HOSTS";
    public const string ExternalBaseUrlKey = "ExternalBaseUrl";
    public const string AllowedHostsKey = "AllowedHosts";

    /// <summary>
    /// Where people reach the console (<c>ExternalBaseUrl</c>, e.g. https://certmgr.example.com), for links in emails
    /// and generated URLs; null when not set (then the first configured HTTPS listen URL). Never the request's Host.
    /// </summary>
    public Uri? ExternalBaseUrl { get; init; }

    /// <summary>Host names accepted in the Host header besides the external URL's and the listen URLs' hosts.</summary>
    public IReadOnlyList<string> ExtraAllowedHosts { get; init; } = [];

    /// <summary>The external base URL, or the one derived from the first HTTPS (else first) listen URL.</summary>
    public Uri EffectiveExternalBaseUrl => ExternalBaseUrl ?? new Uri((Urls.FirstOrDefault(u => u.Scheme == Uri.UriSchemeHttps) ?? Urls[0]).GetLeftPart(UriPartial.Authority) + "/");

    /// <summary>
    /// Resolves the settings. Precedence, highest first: command line, environment (<c>CERTMGR_*</c>),
    /// <c>certmgr.json</c> in the data directory, defaults.
    /// </summary>
    /// <exception cref="SettingsException">A setting has a value CertMgr cannot use.</exception>
    public static CertMgrSettings Resolve(string? homeOption, string? urlsOption, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var homePath = FirstNonEmpty(homeOption, environment(HomeVariable)) ?? DefaultHome;
        var home = new DataDirectory(homePath);

        var configuration = new ConfigurationBuilder()
            .AddJsonFile(home.ConfigPath, optional: true, reloadOnChange: false)
            .Build();

        var urlsText = FirstNonEmpty(urlsOption, environment(UrlsVariable), configuration["Urls"]) ?? DefaultUrl;
        var urls = ParseUrls(urlsText);

        var dbText = FirstNonEmpty(environment(DatabaseVariable), configuration["Database"]);
        DatabaseSettings database;
        try
        {
            database = DatabaseSettings.Resolve(dbText, home.SqliteDatabasePath);
        }
        catch (ArgumentException ex)
        {
            throw new SettingsException(ex.Message);
        }

        return new CertMgrSettings(home, urls, database, configuration)
        {
            ExternalBaseUrl = ParseExternalBaseUrl(FirstNonEmpty(environment(ExternalBaseUrlVariable), configuration[ExternalBaseUrlKey])),
            ExtraAllowedHosts = ParseHosts(FirstNonEmpty(environment(AllowedHostsVariable), configuration[AllowedHostsKey])),
        };
    }

    /// <summary>An absolute https (or http) URL without query, e.g. https://certmgr.example.com or https://host:8443/certmgr/.</summary>
    public static Uri? ParseExternalBaseUrl(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp) ||
            !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            throw new SettingsException($"{ExternalBaseUrlKey}: '{text}' is not an absolute URL such as https://certmgr.example.com.");
        }

        // A trailing slash, so that relative links resolve below a path prefix.
        return uri.AbsolutePath.EndsWith('/') ? uri : new Uri(uri + "/");
    }

    private static string[] ParseHosts(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        var hosts = text.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var host in hosts)
        {
            if (host.Contains('/', StringComparison.Ordinal) || host.Contains(' ', StringComparison.Ordinal))
            {
                throw new SettingsException($"{AllowedHostsKey}: '{host}' is not a host name; give names such as certmgr.example.com separated by ';'.");
            }
        }

        return hosts;
    }

    /// <summary>Parses a <c>;</c>- or <c>,</c>-separated list of absolute http(s) URLs with explicit ports.</summary>
    public static IReadOnlyList<Uri> ParseUrls(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var list = new List<Uri>();
        foreach (var part in text.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(part, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            {
                throw new SettingsException($"'{part}' is not a valid listen URL; expected e.g. https://127.0.0.1:23466.");
            }

            if (uri.AbsolutePath != "/" || !string.IsNullOrEmpty(uri.Query))
            {
                throw new SettingsException($"'{part}': a listen URL has no path; expected e.g. https://127.0.0.1:23466.");
            }

            list.Add(uri);
        }

        return list.Count > 0 ? list : throw new SettingsException("No listen URL given; expected e.g. https://127.0.0.1:23466.");
    }

    private static string? FirstNonEmpty(params string?[] values) =>
        values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v))?.Trim();
}

/// <summary>A configuration value CertMgr cannot use; the message says which and why.</summary>
public sealed class SettingsException(string message) : Exception(message);
