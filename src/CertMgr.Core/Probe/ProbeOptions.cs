using System.Security.Cryptography.X509Certificates;

namespace CertMgr.Core.Probe;

/// <summary>How long a probe may take at each stage, and what it trusts when it validates the served chain.</summary>
public sealed record ProbeOptions
{
    public static readonly ProbeOptions Default = new();

    /// <summary>From the start until the TCP connection is up (name resolution included).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>From the TCP connection until the TLS handshake is complete.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The whole probe, whatever the stages take.</summary>
    public TimeSpan TotalTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The most the server may send during the handshake (a chain of certificates plus the TLS records).</summary>
    public int MaxHandshakeBytes { get; init; } = 256 * 1024;

    /// <summary>
    /// Trust anchors for validating the served chain during the handshake (one chain build, never the OS store, never
    /// a download). Null: the chain is captured but not validated.
    /// </summary>
    public X509Certificate2Collection? TrustAnchors { get; init; }

    /// <summary>Capture through SslStream even where the libssl path exists (tests compare the two paths).</summary>
    public bool UseSslStream { get; init; }
}
