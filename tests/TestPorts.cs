using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace CertMgr.Tests;

/// <summary>
/// Loopback ports for the servers tests start (nginx, sshd, pebble, SMTP, web apps). A port is free when it is handed
/// out, but the server binds it later; a second helper asking the OS in between could get the same port, and one test
/// would then talk to another test's server (pebble validating HTTP-01 against an sshd). Every helper of a test process
/// asks here, and a port is handed out at most once per process.
/// </summary>
public static class TestPorts
{
    private static readonly ConcurrentDictionary<int, byte> HandedOut = new();

    /// <summary>A loopback TCP port (and UDP when <paramref name="udpToo"/>) free now and never handed out before.</summary>
    public static int Next(bool udpToo = false)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            int port;
            using (var tcp = new TcpListener(IPAddress.Loopback, 0))
            {
                tcp.Start();
                port = ((IPEndPoint)tcp.LocalEndpoint).Port;
                tcp.Stop();
            }

            if (udpToo && !UdpFree(port))
            {
                continue;
            }

            if (HandedOut.TryAdd(port, 0))
            {
                return port;
            }
        }

        throw new InvalidOperationException("No free loopback port after 200 tries.");
    }

    private static bool UdpFree(int port)
    {
        try
        {
            using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
