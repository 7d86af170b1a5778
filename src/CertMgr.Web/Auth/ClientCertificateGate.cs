using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.Common;
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
/// The CA file and certmap.txt are <see cref="WatchedFiles"/>, like ip_acl.txt: looked at during handshakes, at most
/// once a second, and read again when changed, so an edit takes effect without a restart. The mode
/// itself comes from certmgr.json and needs a restart. The plain-HTTP PKI listener is not affected.
/// </summary>
internal sealed partial class ClientCertificateGate
{
    private readonly Lock _gate = new();
    private Loaded? _loaded;
    private ClientCertificatePolicy? _policy;

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
        var options = ClientCertificateOptions.From(settings.Configuration, settings.Home);
        var time = services.GetRequiredService<TimeProvider>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("CertMgr.Web.Auth.ClientCertificates");
        lock (_gate)
        {
            _loaded = new Loaded(options, time, logger, new WatchedFiles(time, options.CertMapFile, options.CaFile));
            _policy = null;
        }

        _ = Current();
    }

    private bool Allows(X509Certificate2 certificate)
    {
        var policy = Current();
        if (policy is null)
        {
            return false;
        }

        var verdict = policy.Check(certificate);
        if (!verdict.IsSuccess && _loaded is { } loaded)
        {
            LogRefused(loaded.Logger, certificate?.Subject, verdict.Error!.Message);
        }

        return verdict.IsSuccess;
    }

    /// <summary>The policy as the files are now: read again when the CA file or the map changed since the last look.</summary>
    private ClientCertificatePolicy? Current()
    {
        lock (_gate)
        {
            if (_loaded is { } loaded && loaded.Files.Changed())
            {
                _policy = Read(loaded, reloaded: _policy is not null);
            }

            return _policy;
        }
    }

    private static ClientCertificatePolicy Read(Loaded loaded, bool reloaded)
    {
        var (options, time, logger, _) = loaded;
        var policy = ClientCertificatePolicy.Load(options, time);
        if (policy.Mode != CertMode.Required)
        {
            return policy;
        }

        foreach (var problem in policy.Problems)
        {
            LogProblem(logger, problem);
        }

        if (policy.Closed)
        {
            LogClosed(logger);
        }
        else
        {
            LogReady(logger, reloaded ? "reloaded" : "required", policy.AllowedCount, options.CaFile ?? "the OS trust store", options.CertMapFile);
        }

        return policy;
    }

    /// <summary>What <see cref="Load"/> found: the options, and the files to watch for changes.</summary>
    private sealed record Loaded(ClientCertificateOptions Options, TimeProvider Time, ILogger Logger, WatchedFiles Files);

    [LoggerMessage(Level = LogLevel.Error, Message = "Client certificates: {Problem}")]
    private static partial void LogProblem(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Client certificates are required but their configuration is broken: the console refuses every connection until it is fixed")]
    private static partial void LogClosed(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Client certificates {Event}: {Count} certificate(s) allowed by {CertMapFile}, trusted through {Anchors}")]
    private static partial void LogReady(ILogger logger, string @event, int count, string anchors, string certMapFile);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Client certificate {Subject} refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string? subject, string reason);
}

internal static class ClientCertificateGateSetup
{
    /// <summary>Loads the gate's policy (and logs it) once the app is built, before it listens.</summary>
    public static void UseClientCertificateGate(this WebApplication app) =>
        app.Services.GetRequiredService<ClientCertificateGate>().Load(app.Services);
}
