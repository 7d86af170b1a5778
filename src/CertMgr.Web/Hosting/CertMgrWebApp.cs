using CertMgr.Core.Setup;
using CertMgr.Web.Acme;
using CertMgr.Web.Api;
using CertMgr.Web.Auth;
using CertMgr.Web.ConsoleUi;
using CertMgr.Web.Observability;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CertMgr.Web.Hosting;

/// <summary>Builds and starts the CertMgr web server: console, API, and background jobs.</summary>
public static partial class CertMgrWebApp
{
    /// <summary>Builds the application for the given settings; nothing is initialised or bound yet.</summary>
    public static WebApplication Build(CertMgrSettings settings, Action<ILoggingBuilder>? logging = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            Args = [],
        });
        builder.Configuration.AddConfiguration(settings.Configuration);
        builder.Logging.ClearProviders();
        // Structured either way (message templates with named values); JSON for log shippers.
        if (string.Equals(settings.Configuration["LogFormat"] ?? Environment.GetEnvironmentVariable("CERTMGR_LOG_FORMAT"), "json", StringComparison.OrdinalIgnoreCase))
        {
            builder.Logging.AddJsonConsole(o =>
            {
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
            });
        }
        else
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss'Z' ";
                o.UseUtcTimestamp = true;
            });
        }
        // Quiet defaults; certmgr.json's "Logging" section overrides them.
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore.StaticFiles", LogLevel.Error);
        // A failed start is reported by `certmgr serve` in one line; the host's stack trace adds nothing.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        logging?.Invoke(builder.Logging);

        // Serve the console's files from the build output too (dotnet run / tests), not only from a publish folder;
        // a no-op when no static-web-assets runtime manifest is present.
        builder.WebHost.UseStaticWebAssets();
        var pkiHttp = PkiHttpUrl(settings);
        builder.WebHost.UseUrls([.. settings.Urls.Select(u => u.GetLeftPart(UriPartial.Authority)), .. pkiHttp is null ? [] : new[] { pkiHttp.GetLeftPart(UriPartial.Authority) }]);
        var holder = new ConsoleCertificateHolder();
        builder.Services.AddSingleton(holder);
        var clientCertificates = new ClientCertificateGate();
        builder.Services.AddSingleton(clientCertificates);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.ConfigureHttpsDefaults(h =>
            {
                h.ServerCertificateSelector = (_, _) => holder.Certificate;
                clientCertificates.ConfigureHttps(h, settings);
            });
        });

        builder.Services.AddSingleton<ExternalUrl>();
        builder.Services.Configure<HostFilteringOptions>(o => ExternalUrl.Configure(o, settings, pkiHttp));
        // JSON bodies that do not bind (e.g. an enum given as a number) throw, so BadRequestProblems names the field.
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.AddCertMgrCore(settings);
        builder.Services.AddCertMgrDataProtection();
        builder.Services.AddCertMgrAuth();
        builder.Services.AddCertMgrForwardedHeaders(settings.Configuration);
        builder.Services.AddRazorPages(o =>
        {
            o.Conventions.AllowAnonymousToPage("/Account/Login");
            o.Conventions.AllowAnonymousToPage("/Account/Denied");
        }).ConfigureApplicationPartManager(AddConsolePages);
        builder.Services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "certmgr.csrf";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.Always;
        });
        builder.Services.AddProblemDetails();
        builder.Services.AddCertMgrOpenApi();

        var app = builder.Build();
        app.UseClientCertificateGate();
        app.UseExceptionHandler("/error");
        app.UseCertMgrForwardedHeaders(settings.Configuration);
        app.UseIpAllowList();
        app.UseConsoleNotFoundPage();
        app.Use(SecurityHeaders);
        if (pkiHttp is not null)
        {
            app.Use(PkiOnlyOnPlainHttp(pkiHttp.Port));
        }

        app.UseRouting();
        app.UseBadRequestProblems();
        app.UseAuthentication();
        app.UseApiCsrfHeader();
        app.UseAuthorization();
        app.UseForcedPasswordChange();
        // The static-asset manifest sits beside the executable; an in-process host (tests) may have none.
        var manifest = Path.Combine(AppContext.BaseDirectory, $"{app.Environment.ApplicationName}.staticwebassets.endpoints.json");
        if (File.Exists(manifest))
        {
            app.MapStaticAssets(manifest).AllowAnonymous();
            app.MapRazorPages().WithStaticAssets(manifest);
        }
        else
        {
            app.MapRazorPages();
        }

        app.MapCertMgrApi();
        app.MapCertMgrOpenApi();
        app.MapPkiFiles();
        app.MapCertMgrObservability();
        app.MapAcmeServer();
        return app;
    }

    /// <summary>
    /// The console's pages and views live in this assembly. MVC finds them from the entry assembly, which is
    /// <c>certmgr</c> in production; an in-process host (the Web tests) has another entry assembly, so they are added
    /// here when missing.
    /// </summary>
    private static void AddConsolePages(ApplicationPartManager parts)
    {
        var assembly = typeof(CertMgrWebApp).Assembly;
        if (parts.ApplicationParts.OfType<AssemblyPart>().Any(p => p.Assembly == assembly))
        {
            return;
        }

        foreach (var part in ApplicationPartFactory.GetApplicationPartFactory(assembly).GetApplicationParts(assembly))
        {
            parts.ApplicationParts.Add(part);
        }
    }

    /// <summary>
    /// First-start work before binding: migrations, the CA, the admin user, the console certificate.
    /// </summary>
    public static async Task<InitializationOutcome> InitializeAsync(WebApplication app, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(app);
        await using var scope = app.Services.CreateAsyncScope();
        var outcome = await scope.ServiceProvider.GetRequiredService<CertMgrInitializer>().InitializeAsync(ct);
        var settings = scope.ServiceProvider.GetRequiredService<CertMgrSettings>();
        var names = ConsoleCertificateService.RequiredNames(settings.Urls);
        var certificate = await scope.ServiceProvider.GetRequiredService<ConsoleCertificateService>().EnsureAsync(names, ct);
        app.Services.GetRequiredService<ConsoleCertificateHolder>().Certificate = certificate;
        return outcome;
    }

    /// <summary>The addresses actually bound (ports resolved when 0 was asked for).</summary>
    public static IReadOnlyList<string> BoundAddresses(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
    }

    public static void LogListening(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("CertMgr");
        var settings = app.Services.GetRequiredService<CertMgrSettings>();
        LogDataDirectory(logger, settings.Home.Root);
        foreach (var address in BoundAddresses(app))
        {
            LogConsoleUrl(logger, address);
        }
    }

    /// <summary>
    /// The optional plain-HTTP listener for the CA certificate and CRL (<c>PkiHttpUrl</c>, e.g. http://127.0.0.1:23467):
    /// relying parties fetch the URLs in issued certificates without TLS. It serves /pki/ and nothing else.
    /// </summary>
    private static Uri? PkiHttpUrl(CertMgrSettings settings)
    {
        var text = settings.Configuration[Core.PrivateCa.PrivateCaOptions.PkiHttpUrlKey];
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp || uri.IsDefaultPort && !text.Contains(":80", StringComparison.Ordinal))
        {
            throw new SettingsException($"PkiHttpUrl: '{text}' is not a plain http URL with a port, e.g. http://127.0.0.1:23467.");
        }

        return uri;
    }

    private static Func<HttpContext, RequestDelegate, Task> PkiOnlyOnPlainHttp(int port) => (context, next) =>
    {
        if (!context.Request.IsHttps && context.Connection.LocalPort == port &&
            !context.Request.Path.StartsWithSegments(CaApi.PkiPrefix, StringComparison.OrdinalIgnoreCase))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        return next(context);
    };

    private static Task SecurityHeaders(HttpContext context, RequestDelegate next)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.ContentSecurityPolicy = OpenApiSetup.IsReferencePage(context) ? OpenApiSetup.ReferencePageCsp : "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'";
        if (context.Request.IsHttps)
        {
            headers.StrictTransportSecurity = "max-age=31536000";
        }

        return next(context);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "CertMgr data directory: {DataDirectory}")]
    private static partial void LogDataDirectory(ILogger logger, string dataDirectory);

    [LoggerMessage(Level = LogLevel.Information, Message = "CertMgr console: {Url}")]
    private static partial void LogConsoleUrl(ILogger logger, string url);
}
