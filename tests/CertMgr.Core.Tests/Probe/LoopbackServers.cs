using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace CertMgr.Core.Tests.Probe;

/// <summary>Small loopback servers for the probe's edge cases: TLS with a chain, silent, garbage, flooding.</summary>
internal sealed class LoopbackServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private LoopbackServer(IPAddress address, Func<Socket, CancellationToken, Task> handle, int port = 0)
    {
        _listener = new TcpListener(address, port);
        _listener.Start();
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket client;
                try
                {
                    client = await _listener.AcceptSocketAsync(_stop.Token);
                }
                catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }

                _ = Task.Run(async () =>
                {
                    using (client)
                    {
                        try
                        {
                            await handle(client, _stop.Token);
                        }
                        catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException or System.Security.Authentication.AuthenticationException or ObjectDisposedException)
                        {
                        }
                    }
                });
            }
        });
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>A server on a given address and port that hands each connection to <paramref name="handle"/>.</summary>
    public static LoopbackServer On(IPAddress address, int port, Func<Socket, CancellationToken, Task> handle) => new(address, handle, port);

    /// <summary>A TLS server that sends the leaf and the given intermediates.</summary>
    public static LoopbackServer Tls(X509Certificate2 leaf, X509Certificate2[] intermediates, IPAddress? address = null) =>
        new(address ?? IPAddress.Loopback, async (socket, ct) =>
        {
            var context = SslStreamCertificateContext.Create(leaf, [.. intermediates], offline: true);
            await using var tls = new SslStream(new NetworkStream(socket, ownsSocket: false));
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificateContext = context }, ct);
            await Task.Delay(200, ct);
        });

    /// <summary>Accepts and never says a word.</summary>
    public static LoopbackServer Silent() => new(IPAddress.Loopback, (_, ct) => Task.Delay(Timeout.Infinite, ct));

    /// <summary>Answers anything with an HTTP response: not TLS.</summary>
    public static LoopbackServer Garbage() => new(IPAddress.Loopback, async (socket, ct) =>
    {
        await socket.SendAsync("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"u8.ToArray(), ct);
        await Task.Delay(200, ct);
    });

    /// <summary>Starts a TLS handshake record and then sends an endless stream of bytes.</summary>
    public static LoopbackServer Flood() => new(IPAddress.Loopback, async (socket, ct) =>
    {
        var buffer = new byte[4096];
        _ = await socket.ReceiveAsync(buffer, ct);
        // A handshake record header that announces the largest record, then keep sending forever.
        byte[] header = [0x16, 0x03, 0x03, 0x40, 0x00];
        await socket.SendAsync(header, ct);
        var junk = new byte[16384];
        for (var i = 0; i < 10_000 && !ct.IsCancellationRequested; i++)
        {
            junk[0] = 0x0b;
            await socket.SendAsync(junk, ct);
        }
    });

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }
}
