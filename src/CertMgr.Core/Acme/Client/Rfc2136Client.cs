using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using CertMgr.Core.Common;

namespace CertMgr.Core.Acme.Client;

/// <summary>A TSIG key (RFC 8945): its name, algorithm (hmac-sha256 or hmac-sha512) and shared secret.</summary>
public sealed record TsigKey(string Name, string Algorithm, byte[] Secret)
{
    public static readonly string[] Algorithms = ["hmac-sha256", "hmac-sha512"];
}

/// <summary>
/// DNS dynamic update (RFC 2136) of TXT records, signed with TSIG (RFC 2845/8945), and plain TXT queries to one
/// server (the zone's authoritative one), over UDP with bounded retries. Just what DNS-01 needs.
/// </summary>
public sealed class Rfc2136Client(IPEndPoint server, TsigKey? key, TimeProvider time)
{
    private const ushort TypeTxt = 16;
    private const ushort TypeSoa = 6;
    private const ushort TypeTsig = 250;
    private const ushort ClassIn = 1;
    private const ushort ClassNone = 254;
    private const ushort ClassAny = 255;
    private const int Attempts = 3;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    /// <summary>Adds a TXT record to the zone.</summary>
    public Task<Result> AddTxtAsync(string zone, string name, string value, int ttl, CancellationToken ct) =>
        UpdateAsync(zone, name, value, ClassIn, (uint)ttl, "add", ct);

    /// <summary>Deletes exactly that TXT record (class NONE, RFC 2136 2.5.4).</summary>
    public Task<Result> DeleteTxtAsync(string zone, string name, string value, CancellationToken ct) =>
        UpdateAsync(zone, name, value, ClassNone, 0, "delete", ct);

    /// <summary>The TXT strings the server answers for a name (each record's strings joined).</summary>
    public async Task<Result<IReadOnlyList<string>>> QueryTxtAsync(string name, CancellationToken ct)
    {
        var id = (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue);
        var message = new List<byte>();
        WriteHeader(message, id, flags: 0, qd: 1, an: 0, ns: 0, ar: 0);
        WriteName(message, name);
        WriteUInt16(message, TypeTxt);
        WriteUInt16(message, ClassIn);
        var answer = await ExchangeAsync([.. message], id, ct);
        if (!answer.IsSuccess)
        {
            return answer.Error;
        }

        var response = answer.Value;
        var rcode = response[3] & 0x0F;
        if (rcode == 3)
        {
            return Result<IReadOnlyList<string>>.Success([]);
        }

        if (rcode != 0)
        {
            return Error.Unavailable("dns-query-failed", $"The DNS server {server} answered the TXT query for {name} with {RcodeName(rcode)}.");
        }

        var questions = BinaryPrimitives.ReadUInt16BigEndian(response.AsSpan(4));
        var answers = BinaryPrimitives.ReadUInt16BigEndian(response.AsSpan(6));
        var at = 12;
        for (var i = 0; i < questions; i++)
        {
            at = SkipName(response, at) + 4;
        }

        var texts = new List<string>();
        for (var i = 0; i < answers; i++)
        {
            at = SkipName(response, at);
            var type = BinaryPrimitives.ReadUInt16BigEndian(response.AsSpan(at));
            var length = BinaryPrimitives.ReadUInt16BigEndian(response.AsSpan(at + 8));
            var data = at + 10;
            if (type == TypeTxt)
            {
                var text = new StringBuilder();
                for (var p = data; p < data + length;)
                {
                    var n = response[p];
                    text.Append(Encoding.ASCII.GetString(response, p + 1, n));
                    p += n + 1;
                }

                texts.Add(text.ToString());
            }

            at = data + length;
        }

        return texts;
    }

    private async Task<Result> UpdateAsync(string zone, string name, string value, ushort @class, uint ttl, string doing, CancellationToken ct)
    {
        if (Encoding.ASCII.GetByteCount(value) > 255)
        {
            return new Error("dns-txt-too-long", "A TXT string is at most 255 characters.");
        }

        var id = (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue);
        var message = new List<byte>();
        WriteHeader(message, id, flags: 5 << 11, qd: 1, an: 0, ns: 1, ar: 0);
        WriteName(message, zone);
        WriteUInt16(message, TypeSoa);
        WriteUInt16(message, ClassIn);
        WriteName(message, name);
        WriteUInt16(message, TypeTxt);
        WriteUInt16(message, @class);
        WriteUInt32(message, ttl);
        var text = Encoding.ASCII.GetBytes(value);
        WriteUInt16(message, (ushort)(text.Length + 1));
        message.Add((byte)text.Length);
        message.AddRange(text);
        if (key is not null)
        {
            Sign(message, id);
        }

        var answer = await ExchangeAsync([.. message], id, ct);
        if (!answer.IsSuccess)
        {
            return answer.Error;
        }

        var rcode = answer.Value[3] & 0x0F;
        return rcode switch
        {
            0 => Result.Success(),
            9 => Error.Forbidden("dns-update-notauth", $"The DNS server {server} refused to {doing} the TXT record of {name}: TSIG key not accepted (NOTAUTH). Check the key name, algorithm and secret."),
            5 => Error.Forbidden("dns-update-refused", $"The DNS server {server} refused to {doing} the TXT record of {name} (REFUSED): the zone does not allow this key to update it."),
            _ => Error.Unavailable("dns-update-failed", $"The DNS server {server} could not {doing} the TXT record of {name}: {RcodeName(rcode)}."),
        };
    }

    private void Sign(List<byte> message, ushort id)
    {
        var algorithm = key!.Algorithm.ToLowerInvariant();
        var signedAt = time.GetUtcNow().ToUnixTimeSeconds();
        const ushort fudge = 300;
        var variables = new List<byte>();
        WriteName(variables, key.Name.ToLowerInvariant());
        WriteUInt16(variables, ClassAny);
        WriteUInt32(variables, 0);
        WriteName(variables, algorithm);
        WriteUInt48(variables, signedAt);
        WriteUInt16(variables, fudge);
        WriteUInt16(variables, 0);
        WriteUInt16(variables, 0);
        var input = message.Concat(variables).ToArray();
        var mac = algorithm switch
        {
            "hmac-sha512" => HMACSHA512.HashData(key.Secret, input),
            _ => HMACSHA256.HashData(key.Secret, input),
        };

        var rdata = new List<byte>();
        WriteName(rdata, algorithm);
        WriteUInt48(rdata, signedAt);
        WriteUInt16(rdata, fudge);
        WriteUInt16(rdata, (ushort)mac.Length);
        rdata.AddRange(mac);
        WriteUInt16(rdata, id);
        WriteUInt16(rdata, 0);
        WriteUInt16(rdata, 0);
        WriteName(message, key.Name.ToLowerInvariant());
        WriteUInt16(message, TypeTsig);
        WriteUInt16(message, ClassAny);
        WriteUInt32(message, 0);
        WriteUInt16(message, (ushort)rdata.Count);
        message.AddRange(rdata);
        var arCount = (ushort)((message[10] << 8 | message[11]) + 1);
        message[10] = (byte)(arCount >> 8);
        message[11] = (byte)arCount;
    }

    private async Task<Result<byte[]>> ExchangeAsync(byte[] message, ushort id, CancellationToken ct)
    {
        using var udp = new UdpClient(server.AddressFamily);
        udp.Connect(server);
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            await udp.SendAsync(message, ct);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(Timeout);
            try
            {
                while (true)
                {
                    var received = await udp.ReceiveAsync(timeout.Token);
                    var buffer = received.Buffer;
                    if (buffer.Length >= 12 && BinaryPrimitives.ReadUInt16BigEndian(buffer) == id && (buffer[2] & 0x80) != 0)
                    {
                        return buffer;
                    }
                }
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                // No answer in time: send again.
            }
            catch (SocketException e)
            {
                return Error.Unavailable("dns-unreachable", $"The DNS server {server} could not be reached: {e.Message}");
            }
        }

        return Error.Unavailable("dns-timeout", $"The DNS server {server} did not answer within {Attempts} tries.");
    }

    private static string RcodeName(int rcode) => rcode switch
    {
        1 => "FORMERR",
        2 => "SERVFAIL",
        3 => "NXDOMAIN",
        4 => "NOTIMP",
        5 => "REFUSED",
        6 => "YXDOMAIN",
        7 => "YXRRSET",
        8 => "NXRRSET",
        9 => "NOTAUTH",
        10 => "NOTZONE",
        _ => "RCODE " + rcode,
    };

    private static int SkipName(byte[] data, int at)
    {
        while (true)
        {
            var length = data[at];
            if (length == 0)
            {
                return at + 1;
            }

            if ((length & 0xC0) == 0xC0)
            {
                return at + 2;
            }

            at += length + 1;
        }
    }

    private static void WriteHeader(List<byte> m, ushort id, int flags, ushort qd, ushort an, ushort ns, ushort ar)
    {
        WriteUInt16(m, id);
        WriteUInt16(m, (ushort)flags);
        WriteUInt16(m, qd);
        WriteUInt16(m, an);
        WriteUInt16(m, ns);
        WriteUInt16(m, ar);
    }

    private static void WriteName(List<byte> m, string name)
    {
        foreach (var label in name.TrimEnd('.').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var bytes = Encoding.ASCII.GetBytes(label);
            if (bytes.Length > 63)
            {
                throw new ArgumentException("A DNS label is at most 63 characters.", nameof(name));
            }

            m.Add((byte)bytes.Length);
            m.AddRange(bytes);
        }

        m.Add(0);
    }

    private static void WriteUInt16(List<byte> m, ushort v)
    {
        m.Add((byte)(v >> 8));
        m.Add((byte)v);
    }

    private static void WriteUInt32(List<byte> m, uint v)
    {
        WriteUInt16(m, (ushort)(v >> 16));
        WriteUInt16(m, (ushort)v);
    }

    private static void WriteUInt48(List<byte> m, long v)
    {
        WriteUInt16(m, (ushort)(v >> 32));
        WriteUInt32(m, (uint)v);
    }
}
