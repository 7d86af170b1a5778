using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using CertMgr.Core.Common;
using CertMgr.Core.Probe;

namespace CertMgr.Core.Discovery;

/// <summary>How hard and how long a scan works.</summary>
public sealed record ScanOptions
{
    /// <summary>TCP connects in flight at once (the sweep).</summary>
    public int ConnectConcurrency { get; init; } = 256;

    /// <summary>TLS handshakes in flight at once: they cost CPU on both ends, so a few per core.</summary>
    public int HandshakeConcurrency { get; init; } = Math.Max(4, Environment.ProcessorCount * 6);

    /// <summary>Per endpoint: from the start until the TCP connection is up (name resolution included).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Per handshake: from the connection until the TLS handshake is complete.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The most a server may send during one handshake.</summary>
    public int MaxHandshakeBytes { get; init; } = 256 * 1024;

    /// <summary>Handshakes through SslStream instead of libssl (tests compare the two paths).</summary>
    public bool UseSslStream { get; init; }

    /// <summary>The bounds a person may choose from (CLI, API and console alike).</summary>
    public const int MaxHandshakeConcurrency = 1024;
    public const int MinTimeoutMs = 10;
    public const int MaxTimeoutMs = 300_000;

    /// <summary>The defaults with a person's handshake concurrency and per-stage timeout, or why they are refused.</summary>
    public static Result<ScanOptions> From(int? handshakeConcurrency, int? timeoutMs)
    {
        var options = new ScanOptions();
        if (handshakeConcurrency is { } n)
        {
            if (n is < 1 or > MaxHandshakeConcurrency)
            {
                return Error.Invalid("concurrency-invalid", $"Concurrency (TLS handshakes at once) must be from 1 to {MaxHandshakeConcurrency}.", "concurrency");
            }

            options = options with { HandshakeConcurrency = n };
        }

        if (timeoutMs is { } ms)
        {
            if (ms is < MinTimeoutMs or > MaxTimeoutMs)
            {
                return Error.Invalid("timeout-invalid", $"The timeout must be from {MinTimeoutMs} to {MaxTimeoutMs} milliseconds.", "timeout");
            }

            options = options with { ConnectTimeout = TimeSpan.FromMilliseconds(ms), HandshakeTimeout = TimeSpan.FromMilliseconds(ms) };
        }

        return options;
    }

    /// <summary>The longest one endpoint can take: its connect, then one handshake per SNI variant.</summary>
    public TimeSpan EndpointBound(int sniNames) => ConnectTimeout + (HandshakeTimeout * (1 + sniNames));
}

/// <summary>What one endpoint turned out to be.</summary>
public enum EndpointKind
{
    /// <summary>A TLS server: the certificate and the chain as sent were captured.</summary>
    Tls,

    /// <summary>Something answered, but not in TLS (HTTP, a banner, garbage).</summary>
    NonTls,

    /// <summary>Accepted the connection, then never completed a handshake in time.</summary>
    Timeout,

    /// <summary>Spoke TLS (or closed/reset) but the handshake failed: an alert, a reset, a flood.</summary>
    HandshakeFailed,
}

/// <summary>One observed endpoint (closed and unreachable ones are only counted): the probe and what it was.</summary>
public sealed record EndpointObservation(EndpointKind Kind, ProbeResult Probe);

/// <summary>Live counters of a scan; safe to read from any thread while it runs.</summary>
public sealed class ScanProgress
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _total;
    private int _done;
    private int _found;
    private int _nonTls;
    private int _failed;
    private int _unreachable;

    public int Total => Volatile.Read(ref _total);
    public int Done => Volatile.Read(ref _done);
    public int Found => Volatile.Read(ref _found);
    public int NonTls => Volatile.Read(ref _nonTls);
    public int Failed => Volatile.Read(ref _failed);
    public int Unreachable => Volatile.Read(ref _unreachable);
    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Endpoints finished per second so far.</summary>
    public double Rate => Elapsed.TotalSeconds > 0 ? Done / Elapsed.TotalSeconds : 0;

    internal void Start(int total)
    {
        Volatile.Write(ref _total, total);
        _clock.Restart();
    }

    internal void Count(EndpointKind? kind)
    {
        switch (kind)
        {
            case EndpointKind.Tls:
                Interlocked.Increment(ref _found);
                break;
            case EndpointKind.NonTls:
                Interlocked.Increment(ref _nonTls);
                break;
            case null:
                Interlocked.Increment(ref _unreachable);
                break;
            default:
                Interlocked.Increment(ref _failed);
                break;
        }
    }

    internal void EndpointDone() => Interlocked.Increment(ref _done);
}

/// <summary>
/// The scan: a wide TCP connect sweep, and on each open port TLS handshakes (the plain one, then one per extra SNI
/// name) through <see cref="EndpointProbe"/>, with a small bound on handshakes in flight. The sweep's socket is handed
/// to the first handshake, so an open port costs one connect. Every endpoint ends within
/// <see cref="ScanOptions.EndpointBound"/>; a hostile server costs its timeout and nothing else.
/// </summary>
public static class DiscoveryScanner
{
    public static async Task<IReadOnlyList<EndpointObservation>> ScanAsync(DiscoveryPlan plan, ScanOptions options, ScanProgress progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(progress);
        var probe = new ProbeOptions
        {
            ConnectTimeout = options.ConnectTimeout,
            HandshakeTimeout = options.HandshakeTimeout,
            TotalTimeout = options.HandshakeTimeout + TimeSpan.FromMilliseconds(250),
            MaxHandshakeBytes = options.MaxHandshakeBytes,
            UseSslStream = options.UseSslStream,
        };
        var results = new ConcurrentBag<EndpointObservation>();
        using var handshakes = new SemaphoreSlim(options.HandshakeConcurrency, options.HandshakeConcurrency);
        progress.Start(plan.EndpointCount);
        var endpoints = plan.Hosts.SelectMany(h => plan.Ports.Select(p => (Host: h, Port: p)));
        await Parallel.ForEachAsync(endpoints, new ParallelOptions { MaxDegreeOfParallelism = options.ConnectConcurrency, CancellationToken = ct },
            async (endpoint, token) =>
            {
                try
                {
                    await ScanEndpointAsync(endpoint.Host, endpoint.Port, plan.SniNames, options, probe, handshakes, results, progress, token);
                }
                finally
                {
                    progress.EndpointDone();
                }
            });
        return [.. results.OrderBy(r => r.Probe.Address?.AddressFamily).ThenBy(r => AddressOrder(r.Probe)).ThenBy(r => r.Probe.Host, StringComparer.Ordinal)
            .ThenBy(r => r.Probe.Port).ThenBy(r => r.Probe.Sni, StringComparer.Ordinal)];
    }

    private static async Task ScanEndpointAsync(
        DiscoveryHost host, int port, IReadOnlyList<string> sniNames, ScanOptions options, ProbeOptions probe, SemaphoreSlim handshakes,
        ConcurrentBag<EndpointObservation> results, ScanProgress progress, CancellationToken ct)
    {
        var socket = await ConnectAsync(host, port, options.ConnectTimeout, ct);
        if (socket is null)
        {
            progress.Count(null);
            return;
        }

        // The plain handshake first (SNI = the host name, none for an address), then each extra name.
        string?[] names = [null, .. sniNames.Where(n => !string.Equals(n, host.Text, StringComparison.OrdinalIgnoreCase))];
        EndpointKind? first = null;
        foreach (var sni in names)
        {
            if (first is not null and not EndpointKind.Tls)
            {
                break; // not a TLS server: other names will not change that
            }

            await handshakes.WaitAsync(ct);
            ProbeResult result;
            try
            {
                var connected = socket ?? await ConnectAsync(host, port, options.ConnectTimeout, ct);
                socket = null;
                if (connected is null)
                {
                    break;
                }

                result = await EndpointProbe.HandshakeAsync(connected, host.Text, port, sni, probe, ct);
            }
            finally
            {
                handshakes.Release();
            }

            var kind = Classify(result);
            if (sni is null || kind == EndpointKind.Tls)
            {
                results.Add(new EndpointObservation(kind, result));
            }

            first ??= kind;
        }

        socket?.Dispose();
        progress.Count(first);
    }

    /// <summary>A connected socket, or null when the port is closed, filtered or the name does not resolve.</summary>
    private static async Task<Socket?> ConnectAsync(DiscoveryHost host, int port, TimeSpan timeout, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (host.Address is { } address)
            {
                await socket.ConnectAsync(new IPEndPoint(address, port), limit.Token);
            }
            else
            {
                await socket.ConnectAsync(host.Text, port, limit.Token);
            }

            return socket;
        }
        catch (Exception ex) when (ex is SocketException || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            socket.Dispose();
            return null;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static EndpointKind Classify(ProbeResult result) =>
        result.Completed ? EndpointKind.Tls
        : result.NotTls ? EndpointKind.NonTls
        : result.TimedOut ? EndpointKind.Timeout
        : EndpointKind.HandshakeFailed;

    private static System.Numerics.BigInteger AddressOrder(ProbeResult r) =>
        r.Address is { } a ? new System.Numerics.BigInteger(a.GetAddressBytes(), isUnsigned: true, isBigEndian: true) : System.Numerics.BigInteger.Zero;
}
