using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.Common;
using CertMgr.Core.Setup;
using Microsoft.Extensions.Configuration;

namespace CertMgr.Core.Security;

/// <summary>Whether the console's HTTPS endpoint asks for a client certificate (guide 3.5).</summary>
public enum ClientCertificateMode
{
    Off,
    Required,
}

/// <summary>
/// certmgr.json <c>"ClientCertificates": { "Mode": "off|required", "CaFile": "", "CertMapFile": "certmap.txt" }</c>.
/// <c>CaFile</c> (PEM or DER, one or more CA certificates) is the only trust anchor when set, the OS store otherwise;
/// relative paths are in the data directory.
/// </summary>
public sealed record ClientCertificateOptions(ClientCertificateMode Mode, string? CaFile, string CertMapFile, IReadOnlyList<string> Problems)
{
    public const string Section = "ClientCertificates";

    public static ClientCertificateOptions From(IConfiguration configuration, DataDirectory home)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(home);
        var section = configuration.GetSection(Section);
        var problems = new List<string>();
        var modeText = section["Mode"]?.Trim();
        var mode = ClientCertificateMode.Off;
        if (string.Equals(modeText, "required", StringComparison.OrdinalIgnoreCase))
        {
            mode = ClientCertificateMode.Required;
        }
        else if (!string.IsNullOrEmpty(modeText) && !string.Equals(modeText, "off", StringComparison.OrdinalIgnoreCase))
        {
            // A typo must not silently turn the requirement off: close access instead.
            mode = ClientCertificateMode.Required;
            problems.Add($"ClientCertificates:Mode '{modeText}' is neither 'off' nor 'required'.");
        }

        var caFile = section["CaFile"]?.Trim();
        var mapFile = section["CertMapFile"]?.Trim();
        return new ClientCertificateOptions(
            mode,
            string.IsNullOrEmpty(caFile) ? null : Path.Combine(home.Root, caFile),
            Path.Combine(home.Root, string.IsNullOrEmpty(mapFile) ? CertMap.FileName : mapFile),
            problems);
    }
}

/// <summary>
/// The client-certificate gate of the HTTPS endpoint, as loaded from the CA file (or the OS store) and
/// <c>certmap.txt</c>. A certificate passes when it chains to an anchor, is within its validity, is allowed for client
/// authentication (when it names extended key usages), and its SHA-1 thumbprint is in the map. Any configuration
/// problem (missing or unreadable CA file, no CA in it, missing or unreadable map, a malformed map line) closes access:
/// every certificate is refused until the configuration is fixed (the web app reloads the files when they change).
/// </summary>
public sealed class ClientCertificatePolicy
{
    private const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";

    private readonly X509Certificate2Collection? _anchors;
    private readonly CertMap? _map;
    private readonly TimeProvider _time;

    private ClientCertificatePolicy(ClientCertificateMode mode, X509Certificate2Collection? anchors, CertMap? map, IReadOnlyList<string> problems, TimeProvider time)
    {
        Mode = mode;
        _anchors = anchors;
        _map = map;
        Problems = problems;
        _time = time;
    }

    public ClientCertificateMode Mode { get; }

    /// <summary>Configuration problems; when any, no certificate is accepted.</summary>
    public IReadOnlyList<string> Problems { get; }

    public bool Closed => Problems.Count > 0;

    public int AllowedCount => _map?.Entries.Count ?? 0;

    public static ClientCertificatePolicy Load(ClientCertificateOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        if (options.Mode == ClientCertificateMode.Off)
        {
            return new ClientCertificatePolicy(ClientCertificateMode.Off, null, null, [], time);
        }

        var problems = new List<string>(options.Problems);
        X509Certificate2Collection? anchors = null;
        if (options.CaFile is { } caFile)
        {
            anchors = LoadAnchors(caFile, problems);
        }

        CertMap? map = null;
        try
        {
            map = CertMap.Parse(File.ReadAllText(options.CertMapFile));
            problems.AddRange(map.Problems.Select(p => $"{options.CertMapFile} line {p.LineNumber}: {p.Reason}"));
            if (map.Entries.Count == 0 && map.Problems.Count == 0)
            {
                problems.Add($"{options.CertMapFile} lists no certificate.");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add($"The certificate map {options.CertMapFile} cannot be read: {e.Message}");
        }

        return new ClientCertificatePolicy(ClientCertificateMode.Required, anchors, map, problems, time);
    }

    /// <summary>Whether this client certificate may open a connection; the error says why not (for the log).</summary>
    public Result Check(X509Certificate2? certificate)
    {
        if (Mode == ClientCertificateMode.Off)
        {
            return Result.Success();
        }

        if (Closed || _map is null)
        {
            return Result.Failure("client-cert-config", "Client certificates are required but their configuration is broken; access is closed.");
        }

        if (certificate is null)
        {
            return Result.Failure("client-cert-missing", "No client certificate was presented.");
        }

        var now = _time.GetUtcNow();
        if (now < certificate.NotBefore.ToUniversalTime() || now > certificate.NotAfter.ToUniversalTime())
        {
            return Result.Failure("client-cert-expired", "The client certificate is outside its validity period.");
        }

        if (certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault() is { } eku &&
            !eku.EnhancedKeyUsages.Cast<Oid>().Any(o => o.Value == ClientAuthOid))
        {
            return Result.Failure("client-cert-usage", "The client certificate is not for client authentication.");
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        if (_anchors is not null)
        {
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(_anchors);
            chain.ChainPolicy.ExtraStore.AddRange(_anchors);
        }

        if (!chain.Build(certificate))
        {
            var status = string.Join(", ", chain.ChainStatus.Select(s => s.Status));
            return Result.Failure("client-cert-untrusted", $"The client certificate does not chain to a trusted CA ({status}).");
        }

        var sha1 = certificate.Thumbprint; // SHA-1, as certmap.txt names certificates (guide 3.5)
        return _map.Allows(sha1)
            ? Result.Success()
            : Result.Failure("client-cert-not-mapped", $"The client certificate {sha1} is not in the certificate map.");
    }

    private static X509Certificate2Collection? LoadAnchors(string path, List<string> problems)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add($"The client CA file {path} cannot be read: {e.Message}");
            return null;
        }

        var anchors = new X509Certificate2Collection();
        try
        {
            var text = System.Text.Encoding.ASCII.GetString(bytes);
            if (text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
            {
                anchors.ImportFromPem(text);
            }
            else
            {
                anchors.Add(X509CertificateLoader.LoadCertificate(bytes));
            }
        }
        catch (CryptographicException e)
        {
            problems.Add($"The client CA file {path} holds no readable certificate: {e.Message}");
            return null;
        }

        if (anchors.Count == 0 || anchors.Any(c => c.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is not { CertificateAuthority: true }))
        {
            problems.Add($"The client CA file {path} must hold only CA certificates (basic constraints CA:TRUE).");
            return null;
        }

        return anchors;
    }
}
