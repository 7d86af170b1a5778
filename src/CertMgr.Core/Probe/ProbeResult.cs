using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace CertMgr.Core.Probe;

/// <summary>Where a probe stopped when it did not complete a handshake.</summary>
public enum ProbeStage
{
    Resolve,
    Connect,
    Handshake,
}

/// <summary>Time spent in each stage of a probe.</summary>
public sealed record ProbeTimings(TimeSpan Connect, TimeSpan Handshake, TimeSpan Total);

/// <summary>The outcome of path validation done during the handshake against <see cref="ProbeOptions.TrustAnchors"/>.</summary>
public sealed record PathValidation(bool Valid, string Detail);

/// <summary>
/// What one TLS endpoint served: the leaf and the chain exactly as sent (DER, in the server's order, leaf first),
/// the negotiated protocol and cipher, timings; or the stage and reason it failed.
/// </summary>
public sealed class ProbeResult
{
    private X509Certificate2? _leaf;

    private ProbeResult(string host, int port, string? sni)
    {
        Host = host;
        Port = port;
        Sni = sni;
    }

    public string Host { get; }
    public int Port { get; }
    public string? Sni { get; }
    public IPAddress? Address { get; private init; }

    /// <summary>True when the handshake completed and the server's certificate was captured.</summary>
    public bool Completed => FailedStage is null;

    public ProbeStage? FailedStage { get; private init; }
    public string? Failure { get; private init; }

    /// <summary>The certificates as the server sent them, leaf first; empty when the handshake failed.</summary>
    public IReadOnlyList<byte[]> ServedDer { get; private init; } = [];

    public SslProtocols Protocol { get; private init; }
    public TlsCipherSuite? CipherSuite { get; private init; }
    public PathValidation? PathValidation { get; private init; }
    public ProbeTimings Timings { get; private init; } = new(TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);

    /// <summary>The served leaf, parsed on first use (the result owns it).</summary>
    public X509Certificate2 Leaf => _leaf ??= Completed
        ? X509CertificateLoader.LoadCertificate(ServedDer[0])
        : throw new InvalidOperationException("The probe did not complete; there is no certificate.");

    /// <summary>The certificates the server sent after the leaf, in its order.</summary>
    public IEnumerable<byte[]> ServedChainDer => ServedDer.Skip(1);

    public string Target => Sni is null || Sni == Host ? $"{Host}:{Port}" : $"{Host}:{Port} (SNI {Sni})";

    /// <summary>The first bytes the server sent before the handshake failed (up to 8; empty when it sent nothing).</summary>
    public IReadOnlyList<byte> FirstBytes { get; private init; } = [];

    /// <summary>True when the handshake failed because its time ran out (a silent or stalling server).</summary>
    public bool TimedOut { get; private init; }

    /// <summary>
    /// True when the server answered the ClientHello with something that is not a TLS record (an HTTP reply, a
    /// banner, garbage): a non-TLS service, not a broken TLS one.
    /// </summary>
    public bool NotTls => FailedStage == ProbeStage.Handshake && FirstBytes.Count > 0
        && (FirstBytes[0] is < 0x14 or > 0x17 || (FirstBytes.Count > 1 && FirstBytes[1] != 0x03));

    internal static ProbeResult Failed(
        string host, int port, string? sni, IPAddress? address, ProbeStage stage, string reason, ProbeTimings timings, byte[]? firstBytes = null, bool timedOut = false) =>
        new(host, port, sni) { Address = address, FailedStage = stage, Failure = reason, Timings = timings, FirstBytes = firstBytes ?? [], TimedOut = timedOut };

    internal static ProbeResult Succeeded(
        string host, int port, string? sni, IPAddress address, IReadOnlyList<byte[]> served, SslProtocols protocol,
        TlsCipherSuite cipher, PathValidation? validation, ProbeTimings timings) =>
        new(host, port, sni)
        {
            Address = address, ServedDer = served, Protocol = protocol, CipherSuite = cipher, PathValidation = validation, Timings = timings,
        };
}
