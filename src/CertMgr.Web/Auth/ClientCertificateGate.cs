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
/// The CA file and certmap.txt are watched like ip_acl.txt: their time stamps and sizes are looked at, at most once a
/// second, during handshakes, and a changed file is read again, so an edit takes effect without a restart. The mode
/// itself comes from certmgr.json and needs a restart. The plain-HTTP PKI listener is not affected.
/// </summary>
internal sealed partial class ClientCertificateGate
{
    private static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(1);
    private readonly Lock _gate = new();
    private ClientCertificatePolicy? _policy;
    private ClientCertificateOptions? _options;
    private TimeProvider _time = TimeProvider.System;
    private (FileStamp? Map, FileStamp? Ca) _stamps;
    private DateTimeOffset _checkedAt;
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
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("CertMgr.Web.Auth.ClientCertificates");
        var options = ClientCertificateOptions.From(settings.Configuration, settings.Home);
        lock (_gate)
        {
            _logger = logger;
            _options = options;
            _time = services.GetRequiredService<TimeProvider>();
            _checkedAt = _time.GetUtcNow();
            _stamps = Stamps(options);
            _policy = Read(options, _time, logger, reloaded: false);
        }
    }

    private bool Allows(X509Certificate2 certificate)
    {
        var policy = Current();
        if (policy is null)
        {
            return false;
        }

        var verdict = policy.Check(certificate);
        if (!verdict.IsSuccess && _logger is not null)
        {
            LogRefused(_logger, certificate?.Subject, verdict.Error!.Message);
        }

        return verdict.IsSuccess;
    }

    /// <summary>The policy as the files are now: re-read when the CA file or the map changed since the last look.</summary>
    private ClientCertificatePolicy? Current()
    {
        lock (_gate)
        {
            if (_options is null || _logger is null || _options.Mode == CertMode.Off)
            {
                return _policy;
            }

            var now = _time.GetUtcNow();
            if (now - _checkedAt < CheckEvery && now >= _checkedAt)
            {
                return _policy;
            }

            _checkedAt = now;
            var stamps = Stamps(_options);
            if (stamps != _stamps)
            {
                _stamps = stamps;
                _policy = Read(_options, _time, _logger, reloaded: true);
            }

            return _policy;
        }
    }

    private static ClientCertificatePolicy Read(ClientCertificateOptions options, TimeProvider time, ILogger logger, bool reloaded)
    {
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

    private static (FileStamp? Map, FileStamp? Ca) Stamps(ClientCertificateOptions options) =>
        (FileStamp.Of(options.CertMapFile), options.CaFile is null ? null : FileStamp.Of(options.CaFile));

    /// <summary>A file's last write time and size; null when it does not exist.</summary>
    private readonly record struct FileStamp(DateTime WrittenUtc, long Length)
    {
        public static FileStamp? Of(string path)
        {
            var info = new FileInfo(path);
            return info.Exists ? new FileStamp(info.LastWriteTimeUtc, info.Length) : null;
        }
    }

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
