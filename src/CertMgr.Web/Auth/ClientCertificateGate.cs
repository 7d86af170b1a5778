using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.Security;
using CertMgr.Core.Setup;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using CertMode = CertMgr.Core.Security.ClientCertificateMode;

namespace CertMgr.Web.Auth;

/// <summary>
/// Client-certificate login (guide 3.5) on the HTTPS endpoint, on top of the password: with "ClientCertificates":
/// { "Mode": "required" } Kestrel asks every client for a certificate during the handshake and
/// <see cref="ClientCertificatePolicy"/> decides; a refused client never reaches HTTP. The policy is loaded and its
/// problems logged when the app is built; until then, and whenever the configuration is broken, nothing passes.
/// The plain-HTTP PKI listener is not affected.
/// </summary>
internal sealed partial class ClientCertificateGate
{
    private ClientCertificatePolicy? _policy;
    private ILogger? _logger;

    public CertMode Mode { get; private set; }

    /// <summary>Asks for a client certificate on HTTPS endpoints when the option says so.</summary>
    public void ConfigureHttps(HttpsConnectionAdapterOptions https, CertMgrSettings settings)
    {
        ArgumentNullException.ThrowIfNull(https);
        ArgumentNullException.ThrowIfNull(settings);
        Mode = ClientCertificateOptions.From(settings.Configuration, settings.Home).Mode;
        if (Mode == CertMode.Off)
        {
            return;
        }

        https.ClientCertificateMode = Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.RequireCertificate;
        https.ClientCertificateValidation = (certificate, _, _) => Allows(certificate);
    }

    /// <summary>Loads the CA file and certmap.txt and reports the outcome in the log.</summary>
    public void Load(IServiceProvider services)
    {
        var settings = services.GetRequiredService<CertMgrSettings>();
        _logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("CertMgr.Web.Auth.ClientCertificates");
        var options = ClientCertificateOptions.From(settings.Configuration, settings.Home);
        var policy = ClientCertificatePolicy.Load(options, services.GetRequiredService<TimeProvider>());
        if (policy.Mode == CertMode.Required)
        {
            foreach (var problem in policy.Problems)
            {
                LogProblem(_logger, problem);
            }

            if (policy.Closed)
            {
                LogClosed(_logger);
            }
            else
            {
                LogReady(_logger, policy.AllowedCount, options.CaFile ?? "the OS trust store", options.CertMapFile);
            }
        }

        _policy = policy;
    }

    private bool Allows(X509Certificate2 certificate)
    {
        if (_policy is null)
        {
            return false;
        }

        var verdict = _policy.Check(certificate);
        if (!verdict.IsSuccess && _logger is not null)
        {
            LogRefused(_logger, certificate?.Subject, verdict.Error!.Message);
        }

        return verdict.IsSuccess;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Client certificates: {Problem}")]
    private static partial void LogProblem(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Client certificates are required but their configuration is broken: the console refuses every connection until it is fixed and CertMgr restarted")]
    private static partial void LogClosed(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Client certificates required: {Count} certificate(s) allowed by {CertMapFile}, trusted through {Anchors}")]
    private static partial void LogReady(ILogger logger, int count, string anchors, string certMapFile);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Client certificate {Subject} refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string? subject, string reason);
}

internal static class ClientCertificateGateSetup
{
    /// <summary>Loads the gate's policy (and logs it) once the app is built, before it listens.</summary>
    public static void UseClientCertificateGate(this WebApplication app) =>
        app.Services.GetRequiredService<ClientCertificateGate>().Load(app.Services);
}
