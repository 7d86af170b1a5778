using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace CertMgr.Core.Probe;

/// <summary>
/// One TLS handshake to an endpoint, capturing what the server sends. Never follows AIA, never consults the OS trust
/// store, never sends application data; every stage has its own timeout and the server may send at most
/// <see cref="ProbeOptions.MaxHandshakeBytes"/>, so a silent, slow, garbage-speaking or flooding server ends in time
/// with a reason.
/// </summary>
public static class EndpointProbe
{
    public static async Task<ProbeResult> ProbeAsync(string host, int port, string? sni, ProbeOptions options, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        var clock = Stopwatch.StartNew();
        using var total = CancellationTokenSource.CreateLinkedTokenSource(ct);
        total.CancelAfter(options.TotalTimeout);
        var literal = ParseAddress(host);
        var serverName = sni ?? (literal is null ? host : null);
        IPAddress? address = literal;
        TimeSpan connected = TimeSpan.Zero;
        var stage = ProbeStage.Resolve;
        using var stageTimeout = CancellationTokenSource.CreateLinkedTokenSource(total.Token);
        stageTimeout.CancelAfter(options.ConnectTimeout);
        Socket? socket = null;
        try
        {
            var addresses = literal is null ? await Dns.GetHostAddressesAsync(host, stageTimeout.Token) : [literal];
            if (addresses.Length == 0)
            {
                return Fail(ProbeStage.Resolve, $"{host} has no address.");
            }

            stage = ProbeStage.Connect;
            socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true }; // dual-mode: IPv4 and IPv6

            await socket.ConnectAsync(addresses, port, stageTimeout.Token);
            address = (socket.RemoteEndPoint as IPEndPoint)?.Address is { IsIPv4MappedToIPv6: true } mapped ? mapped.MapToIPv4() : (socket.RemoteEndPoint as IPEndPoint)?.Address;
            connected = clock.Elapsed;

            stage = ProbeStage.Handshake;
            var connectedSocket = socket;
            socket = null; // the handshake owns it now
            return await HandshakeCoreAsync(connectedSocket, host, port, sni, serverName, address!, options, clock, connected, total, stageTimeout, ct);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            var limit = total.IsCancellationRequested ? options.TotalTimeout : stage == ProbeStage.Handshake ? options.HandshakeTimeout : options.ConnectTimeout;
            var what = stage switch
            {
                ProbeStage.Resolve => "resolving the name",
                ProbeStage.Connect => "connecting",
                _ => "the TLS handshake (the server accepted the connection but did not complete a handshake)",
            };
            return Fail(stage, $"Timed out after {limit.TotalSeconds:0.#} s {what}.");
        }
        catch (HandshakeTooLargeException)
        {
            return Fail(ProbeStage.Handshake, $"The server sent more than {options.MaxHandshakeBytes / 1024} KiB during the handshake; probe stopped.");
        }
        catch (SocketException ex)
        {
            return Fail(stage, stage == ProbeStage.Resolve ? $"Cannot resolve {host}: {ex.Message}" : Describe(ex));
        }
        catch (AuthenticationException ex)
        {
            return Fail(ProbeStage.Handshake, $"TLS handshake failed: {Innermost(ex)}");
        }
        catch (IOException ex)
        {
            return Fail(ProbeStage.Handshake, ex.InnerException is SocketException se
                ? $"TLS handshake failed: {Describe(se)}"
                : $"TLS handshake failed: {Innermost(ex)} (not a TLS server, or it closed the connection).");
        }
        finally
        {
            socket?.Dispose();
        }

        ProbeResult Fail(ProbeStage at, string reason) =>
            ProbeResult.Failed(host, port, sni, address, at, reason, new ProbeTimings(connected, connected == TimeSpan.Zero ? TimeSpan.Zero : clock.Elapsed - connected, clock.Elapsed));
    }

    /// <summary>
    /// The TLS handshake on a socket that is already connected (discovery's connect sweep hands over its sockets):
    /// the same capture, stage timeout, byte limit and reasons as <see cref="ProbeAsync"/>. Takes ownership of the socket.
    /// </summary>
    public static async Task<ProbeResult> HandshakeAsync(Socket connected, string host, int port, string? sni, ProbeOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connected);
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        ArgumentNullException.ThrowIfNull(options);
        var clock = Stopwatch.StartNew();
        using var total = CancellationTokenSource.CreateLinkedTokenSource(ct);
        total.CancelAfter(options.TotalTimeout);
        using var stageTimeout = CancellationTokenSource.CreateLinkedTokenSource(total.Token);
        var address = (connected.RemoteEndPoint as IPEndPoint)?.Address is { IsIPv4MappedToIPv6: true } mapped ? mapped.MapToIPv4() : (connected.RemoteEndPoint as IPEndPoint)?.Address;
        var serverName = sni ?? (ParseAddress(host) is null ? host : null);
        return await HandshakeCoreAsync(connected, host, port, sni, serverName, address ?? IPAddress.None, options, clock, TimeSpan.Zero, total, stageTimeout, ct);
    }

    private static async Task<ProbeResult> HandshakeCoreAsync(
        Socket socket, string host, int port, string? sni, string? serverName, IPAddress address, ProbeOptions options, Stopwatch clock,
        TimeSpan connected, CancellationTokenSource total, CancellationTokenSource stageTimeout, CancellationToken ct)
    {
        LimitedReadStream? limited = null;
        HandshakeBytes? nativeBytes = null;
        try
        {
            stageTimeout.CancelAfter(options.HandshakeTimeout);
            if (options.TrustAnchors is null && !options.UseSslStream && OpenSslHandshake.IsAvailable)
            {
                // Capture only: straight through libssl, three times cheaper than SslStream (see OpenSslHandshake).
                nativeBytes = new HandshakeBytes();
                OpenSslHandshake.Captured captured;
                using (socket)
                {
                    captured = await OpenSslHandshake.RunAsync(
                        socket, serverName, options.MaxHandshakeBytes, nativeBytes, () => new HandshakeTooLargeException(), stageTimeout.Token);
                }

                return captured.Served.Count == 0
                    ? Fail("The server completed the handshake without a certificate.")
                    : ProbeResult.Succeeded(host, port, sni, address, captured.Served, captured.Protocol, captured.Cipher, null,
                        new ProbeTimings(connected, clock.Elapsed - connected, clock.Elapsed));
            }

            var capture = new Capture(options.TrustAnchors is not null);
            limited = new LimitedReadStream(new NetworkStream(socket, ownsSocket: true), options.MaxHandshakeBytes);
            await using var tls = new SslStream(limited, leaveInnerStreamOpen: false);
            await tls.AuthenticateAsClientAsync(
                new SslClientAuthenticationOptions
                {
                    TargetHost = serverName ?? "",
                    RemoteCertificateValidationCallback = capture.Callback,
                    CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                    CertificateChainPolicy = ChainPolicy(options.TrustAnchors),
                },
                stageTimeout.Token);
            if (capture.Served is not { Count: > 0 } served)
            {
                return Fail("The server completed the handshake without a certificate.");
            }

            return ProbeResult.Succeeded(host, port, sni, address, served, tls.SslProtocol, tls.NegotiatedCipherSuite, capture.Validation,
                new ProbeTimings(connected, clock.Elapsed - connected, clock.Elapsed));
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            var limit = total.IsCancellationRequested ? options.TotalTimeout : options.HandshakeTimeout;
            return Fail($"Timed out after {limit.TotalSeconds:0.#} s the TLS handshake (the server accepted the connection but did not complete a handshake).", timedOut: true);
        }
        catch (HandshakeTooLargeException)
        {
            return Fail($"The server sent more than {options.MaxHandshakeBytes / 1024} KiB during the handshake; probe stopped.");
        }
        catch (AuthenticationException ex)
        {
            return Fail($"TLS handshake failed: {Innermost(ex)}");
        }
        catch (IOException ex)
        {
            return Fail(ex.InnerException is SocketException se
                ? $"TLS handshake failed: {Describe(se)}"
                : $"TLS handshake failed: {Innermost(ex)} (not a TLS server, or it closed the connection).");
        }
        catch (SocketException ex)
        {
            return Fail($"TLS handshake failed: {Describe(ex)}");
        }
        finally
        {
            if (limited is null && nativeBytes is null)
            {
                socket.Dispose();
            }
        }

        ProbeResult Fail(string reason, bool timedOut = false) =>
            ProbeResult.Failed(host, port, sni, address, ProbeStage.Handshake, reason,
                new ProbeTimings(connected, clock.Elapsed - connected, clock.Elapsed), limited?.FirstBytes ?? nativeBytes?.First ?? [], timedOut);
    }

    /// <summary>"host:port", "[v6]:port", a bare host or address (the port then defaults), into its parts.</summary>
    public static bool TryParseEndpoint(string text, int defaultPort, out string host, out int port)
    {
        host = "";
        port = defaultPort;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return false;
            }

            host = text[1..close];
            var rest = text[(close + 1)..];
            if (rest.Length > 0 && (!rest.StartsWith(':') || !int.TryParse(rest[1..], out port)))
            {
                return false;
            }
        }
        else if (text.Count(c => c == ':') == 1)
        {
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            host = text[..colon];
            if (!int.TryParse(text[(colon + 1)..], out port))
            {
                return false;
            }
        }
        else
        {
            host = text; // a name, an IPv4 address, or a bare IPv6 address
        }

        return host.Length > 0 && port is > 0 and <= 65535 && (ParseAddress(host) is not null || Uri.CheckHostName(host) == UriHostNameType.Dns);
    }

    private static IPAddress? ParseAddress(string host) =>
        IPAddress.TryParse(host, out var ip) && (ip.AddressFamily == AddressFamily.InterNetworkV6 || ip.ToString() == host) ? ip : null;

    private static X509ChainPolicy ChainPolicy(X509Certificate2Collection? anchors)
    {
        // Even without anchors, a policy that builds nothing from the OS store and downloads nothing.
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            DisableCertificateDownloads = true,
            RevocationMode = X509RevocationMode.NoCheck,
        };
        if (anchors is not null)
        {
            policy.CustomTrustStore.AddRange(anchors);
        }

        return policy;
    }

    private static string Describe(SocketException ex) => ex.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => "Connection refused (nothing listens on that port).",
        SocketError.ConnectionReset => "Connection reset by the server.",
        SocketError.HostUnreachable or SocketError.NetworkUnreachable => "No route to the host.",
        SocketError.TimedOut => "The connection timed out.",
        SocketError.HostNotFound or SocketError.NoData => "The host name does not resolve.",
        _ => ex.Message,
    };

    private static string Innermost(Exception ex)
    {
        while (ex.InnerException is not null)
        {
            ex = ex.InnerException;
        }

        return ex.Message;
    }

    /// <summary>Takes the served certificates (and the chain verdict when anchors were given) from the handshake.</summary>
    private sealed class Capture(bool validate)
    {
        public List<byte[]>? Served { get; private set; }
        public PathValidation? Validation { get; private set; }

        public bool Callback(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
        {
            if (certificate is null)
            {
                return false;
            }

            var leaf = certificate.GetRawCertData();
            var served = new List<byte[]> { leaf };
            if (chain is not null)
            {
                foreach (var c in chain.ChainPolicy.ExtraStore)
                {
                    if (!c.RawData.AsSpan().SequenceEqual(leaf))
                    {
                        served.Add(c.RawData);
                    }
                }

                if (validate)
                {
                    Validation = PathVerdicts.From(chain);
                }
            }

            Served = served;
            return true; // the verdicts are the checks' business, not the handshake's
        }
    }

    private sealed class HandshakeTooLargeException() : IOException("Handshake too large.");

    /// <summary>Refuses to read more than a limit: a server cannot make a probe swallow an endless chain.</summary>
    private sealed class LimitedReadStream(Stream inner, int limit) : Stream
    {
        private readonly HandshakeBytes _received = new();

        /// <summary>The first bytes the server sent (up to 8): tells a TLS record from an HTTP reply or garbage.</summary>
        public byte[] FirstBytes => _received.First;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(buffer.AsSpan(offset, inner.Read(buffer, offset, count)));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var n = await inner.ReadAsync(buffer, cancellationToken);
            return Count(buffer.Span[..n]);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            inner.WriteAsync(buffer, cancellationToken);

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            inner.WriteAsync(buffer, offset, count, cancellationToken);

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync();
            await base.DisposeAsync();
        }

        private int Count(ReadOnlySpan<byte> received)
        {
            _received.Add(received);
            return _received.Total > limit ? throw new HandshakeTooLargeException() : received.Length;
        }
    }
}
