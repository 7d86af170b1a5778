using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Authentication;
using System.Text;

namespace CertMgr.Core.Probe;

/// <summary>
/// A TLS client handshake driven directly through the system's OpenSSL 3 (libssl.so.3, the library .NET's own
/// SslStream uses on Linux), for capture-only probes (no trust anchors): discovery's hot path.
/// </summary>
/// <remarks>
/// <para>
/// Why: a capture-only handshake through SslStream costs about 3 ms of client CPU here, against 0.9 ms for the same
/// handshake through libssl with one shared SSL_CTX (measured on the reference farm, docs/benchmarks.md). SslStream
/// sets up its context per connection, builds an X509Chain for every handshake and wraps every certificate; a scan
/// that only captures what the server sends needs none of that, and on a two-core machine the client's CPU is the
/// scan's speed.
/// </para>
/// <para>
/// The socket I/O stays in .NET (memory BIOs): the same stage timeouts, byte limit and first-bytes capture as the
/// SslStream path, and no blocking calls. The context accepts every protocol version and security level OpenSSL can
/// still speak, because discovery must find the weak servers too (SslStream at the system's level 2 cannot even
/// complete a handshake with a 1024-bit RSA server). Where libssl.so.3 cannot be loaded the probe uses SslStream.
/// </para>
/// </remarks>
internal static partial class OpenSslHandshake
{
    private static readonly nint Context = TryCreateContext();

    /// <summary>Whether libssl.so.3 loaded and the shared client context exists (decided once, at first use).</summary>
    public static bool IsAvailable => Context != 0;

    /// <summary>What a completed handshake captured.</summary>
    public sealed record Captured(List<byte[]> Served, SslProtocols Protocol, TlsCipherSuite Cipher);

    /// <summary>
    /// Runs the handshake on a connected socket. Failures surface as the SslStream path's exceptions, so the caller
    /// maps both paths the same way: <see cref="AuthenticationException"/> (TLS said no), <see cref="IOException"/>
    /// (closed), <see cref="SocketException"/>, <see cref="OperationCanceledException"/> (time), and
    /// <paramref name="tooLarge"/> when the server sent more than <paramref name="maxBytes"/>.
    /// </summary>
    public static async Task<Captured> RunAsync(
        Socket socket, string? serverName, int maxBytes, HandshakeBytes received, Func<Exception> tooLarge, CancellationToken ct)
    {
        var ssl = NewSession(serverName);
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var step = Step(ssl, out var failure);
                await FlushAsync(ssl, socket, buffer, ct);
                switch (step)
                {
                    case StepResult.Done:
                        return Capture(ssl);
                    case StepResult.WantRead:
                        var n = await socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, ct);
                        if (n == 0)
                        {
                            throw new IOException("The server closed the connection");
                        }

                        received.Add(buffer.AsSpan(0, n));
                        if (received.Total > maxBytes)
                        {
                            throw tooLarge();
                        }

                        Feed(ssl, buffer.AsSpan(0, n));
                        break;
                    default:
                        throw new AuthenticationException(failure);
                }
            }
        }
        finally
        {
            Native.SSL_free(ssl); // frees its two BIOs too
        }
    }

    private enum StepResult
    {
        Done,
        WantRead,
        Failed,
    }

    private static nint TryCreateContext()
    {
        try
        {
            return CreateContext();
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            return 0; // no OpenSSL 3 here: the probe uses SslStream
        }
    }

    private static nint CreateContext()
    {
        var ctx = Native.SSL_CTX_new(Native.TLS_client_method());
        if (ctx == 0)
        {
            return 0;
        }

        Native.SSL_CTX_set_verify(ctx, 0, 0); // capture only: the verdicts are the analysis' business
        Native.SSL_CTX_set_security_level(ctx, 0);
        _ = Native.SSL_CTX_ctrl(ctx, Native.SSL_CTRL_SET_MIN_PROTO_VERSION, 0, 0); // the lowest the library speaks
        _ = Native.SSL_CTX_set_cipher_list(ctx, "ALL:@SECLEVEL=0");
        _ = Native.SSL_CTX_ctrl(ctx, Native.SSL_CTRL_SET_SESS_CACHE_MODE, 0, 0); // every probe a full handshake
        Native.ERR_clear_error();
        return ctx;
    }

    private static nint NewSession(string? serverName)
    {
        var ssl = Native.SSL_new(Context);
        if (ssl == 0)
        {
            throw new InvalidOperationException("OpenSSL could not create a TLS session.");
        }

        var read = Native.BIO_new(Native.BIO_s_mem());
        var write = Native.BIO_new(Native.BIO_s_mem());
        if (read == 0 || write == 0)
        {
            _ = Native.BIO_free(read);
            _ = Native.BIO_free(write);
            Native.SSL_free(ssl);
            throw new InvalidOperationException("OpenSSL could not create its buffers.");
        }

        Native.SSL_set_bio(ssl, read, write);
        Native.SSL_set_connect_state(ssl);
        if (!string.IsNullOrEmpty(serverName))
        {
            var name = Encoding.ASCII.GetBytes(serverName + "\0");
            SetServerName(ssl, name);
        }

        return ssl;
    }

    private static unsafe void SetServerName(nint ssl, byte[] nulTerminated)
    {
        fixed (byte* p = nulTerminated)
        {
            _ = Native.SSL_ctrl(ssl, Native.SSL_CTRL_SET_TLSEXT_HOSTNAME, Native.TLSEXT_NAMETYPE_host_name, (nint)p);
        }
    }

    /// <summary>One SSL_do_handshake and its verdict; the error queue is read on the same thread (it is per thread).</summary>
    private static StepResult Step(nint ssl, out string failure)
    {
        failure = "";
        Native.ERR_clear_error();
        var r = Native.SSL_do_handshake(ssl);
        if (r == 1)
        {
            return StepResult.Done;
        }

        var error = Native.SSL_get_error(ssl, r);
        if (error == Native.SSL_ERROR_WANT_READ)
        {
            return StepResult.WantRead;
        }

        failure = Describe(Native.ERR_get_error(), error);
        Native.ERR_clear_error();
        return StepResult.Failed;
    }

    private static string Describe(ulong code, int sslError)
    {
        var reason = code == 0 ? null : Marshal.PtrToStringAnsi(Native.ERR_reason_error_string(code));
        return reason is { Length: > 0 }
            ? reason
            : sslError == Native.SSL_ERROR_SYSCALL ? "the connection ended during the handshake" : $"OpenSSL error {sslError}";
    }

    private static async ValueTask FlushAsync(nint ssl, Socket socket, byte[] buffer, CancellationToken ct)
    {
        int n;
        while ((n = Drain(ssl, buffer)) > 0)
        {
            var sent = 0;
            while (sent < n)
            {
                sent += await socket.SendAsync(buffer.AsMemory(sent, n - sent), SocketFlags.None, ct);
            }
        }
    }

    private static unsafe int Drain(nint ssl, byte[] buffer)
    {
        var write = Native.SSL_get_wbio(ssl);
        if (Native.BIO_ctrl(write, Native.BIO_CTRL_PENDING, 0, 0) <= 0)
        {
            return 0;
        }

        fixed (byte* p = buffer)
        {
            return Math.Max(0, Native.BIO_read(write, p, buffer.Length));
        }
    }

    private static unsafe void Feed(nint ssl, ReadOnlySpan<byte> data)
    {
        var read = Native.SSL_get_rbio(ssl);
        fixed (byte* p = data)
        {
            if (Native.BIO_write(read, p, data.Length) != data.Length)
            {
                throw new InvalidOperationException("OpenSSL did not take the received bytes.");
            }
        }
    }

    private static unsafe Captured Capture(nint ssl)
    {
        var served = new List<byte[]>();
        var chain = Native.SSL_get_peer_cert_chain(ssl); // on a client: the server's certificates as sent, leaf first
        var count = chain == 0 ? 0 : Native.OPENSSL_sk_num(chain);
        for (var i = 0; i < count; i++)
        {
            var x509 = Native.OPENSSL_sk_value(chain, i);
            var length = Native.i2d_X509(x509, null);
            if (length <= 0)
            {
                continue;
            }

            var der = new byte[length];
            fixed (byte* p = der)
            {
                var cursor = p;
                _ = Native.i2d_X509(x509, &cursor);
            }

            served.Add(der);
        }

        var cipher = Native.SSL_get_current_cipher(ssl);
        return new Captured(served, ProtocolOf(Native.SSL_version(ssl)), cipher == 0 ? default : (TlsCipherSuite)Native.SSL_CIPHER_get_protocol_id(cipher));
    }

    // The SslProtocols values of the wire versions (Tls, Tls11 and Ssl3 are obsolete names for the same numbers).
    // CA5397 takes the wire numbers for protocol choices; nothing is chosen here, the server's choice is reported.
#pragma warning disable CA5397
    private static SslProtocols ProtocolOf(int wireVersion) => wireVersion switch
    {
        0x0304 => SslProtocols.Tls13,
        0x0303 => SslProtocols.Tls12,
        0x0302 => (SslProtocols)0x0300,
        0x0301 => (SslProtocols)0x00C0,
        0x0300 => (SslProtocols)0x0030,
        _ => SslProtocols.None,
    };
#pragma warning restore CA5397

    private static unsafe partial class Native
    {
        private const string Ssl = "libssl.so.3";
        private const string Crypto = "libcrypto.so.3";

        public const int SSL_ERROR_WANT_READ = 2;
        public const int SSL_ERROR_SYSCALL = 5;
        public const int SSL_CTRL_SET_SESS_CACHE_MODE = 44;
        public const int SSL_CTRL_SET_TLSEXT_HOSTNAME = 55;
        public const int SSL_CTRL_SET_MIN_PROTO_VERSION = 123;
        public const int TLSEXT_NAMETYPE_host_name = 0;
        public const int BIO_CTRL_PENDING = 10;

        [LibraryImport(Ssl)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static partial nint TLS_client_method();

        [LibraryImport(Ssl)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static partial nint SSL_CTX_new(nint method);

        [LibraryImport(Ssl)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static partial void SSL_CTX_set_verify(nint ctx, int mode, nint callback);

        [LibraryImport(Ssl)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static partial void SSL_CTX_set_security_level(nint ctx, int level);

        [LibraryImport(Ssl)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static partial long SSL_CTX_ctrl(nint ctx, int cmd, long larg, nint parg);

        [LibraryImport(Ssl, StringMarshalling = StringMarshalling.Utf8)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static partial int SSL_CTX_set_cipher_list(nint ctx, string list);

        [LibraryImport(Ssl)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static partial nint SSL_new(nint ctx);

        [LibraryImport(Ssl)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static partial void SSL_free(nint ssl);

        [LibraryImport(Ssl)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static partial long SSL_ctrl(nint ssl, int cmd, long larg, nint parg);

        [LibraryImport(Ssl)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static partial void SSL_set_bio(nint ssl, nint read, nint write);

        [LibraryImport(Ssl)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static partial nint SSL_get_rbio(nint ssl);

        [LibraryImport(Ssl)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static partial nint SSL_get_wbio(nint ssl);

        [LibraryImport(Ssl)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static partial void SSL_set_connect_state(nint ssl);

        [LibraryImport(Ssl)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static partial int SSL_do_handshake(nint ssl);

        [LibraryImport(Ssl)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static partial int SSL_get_error(nint ssl, int ret);

        [LibraryImport(Ssl)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static partial nint SSL_get_peer_cert_chain(nint ssl);

        [LibraryImport(Ssl)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static partial int SSL_version(nint ssl);

        [LibraryImport(Ssl)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static partial nint SSL_get_current_cipher(nint ssl);

        [LibraryImport(Ssl)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static partial ushort SSL_CIPHER_get_protocol_id(nint cipher);

        [LibraryImport(Crypto)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static partial nint BIO_s_mem();

        [LibraryImport(Crypto)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static partial nint BIO_new(nint type);

        [LibraryImport(Crypto)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static partial int BIO_free(nint bio);

        [LibraryImport(Crypto)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static partial int BIO_read(nint bio, byte* data, int length);

        [LibraryImport(Crypto)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static partial int BIO_write(nint bio, byte* data, int length);

        [LibraryImport(Crypto)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static partial long BIO_ctrl(nint bio, int cmd, long larg, nint parg);

        [LibraryImport(Crypto)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static partial int OPENSSL_sk_num(nint stack);

        [LibraryImport(Crypto)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static partial nint OPENSSL_sk_value(nint stack, int index);

        [LibraryImport(Crypto)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static partial int i2d_X509(nint x509, byte** output);

        [LibraryImport(Crypto)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static partial ulong ERR_get_error();

        [LibraryImport(Crypto)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static partial void ERR_clear_error();

        [LibraryImport(Crypto)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static partial nint ERR_reason_error_string(ulong code);
    }
}

/// <summary>Counts what a server sent during a handshake and keeps its first bytes (TLS record or not).</summary>
internal sealed class HandshakeBytes
{
    private readonly byte[] _first = new byte[8];

    public long Total { get; private set; }

    /// <summary>The first bytes the server sent (up to 8).</summary>
    public byte[] First => _first[..(int)Math.Min(Total, _first.Length)];

    public void Add(ReadOnlySpan<byte> received)
    {
        if (Total < _first.Length)
        {
            var take = (int)Math.Min(received.Length, _first.Length - Total);
            received[..take].CopyTo(_first.AsSpan((int)Total));
        }

        Total += received.Length;
    }
}
