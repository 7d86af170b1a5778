using System.Net;
using System.Net.Sockets;
using System.Text;
using CertMgr.Core.Acme.Client;
using CertMgr.Core.Common;
using Microsoft.Extensions.Logging;

namespace CertMgr.Core.Acme.Server;

/// <summary>
/// Performs HTTP-01 and DNS-01 validation for real (RFC 8555 8.3, 8.4): an HTTP GET of the token on the configured
/// port (at the configured address, or the name's resolved addresses), or a TXT query of <c>_acme-challenge.name</c>
/// to the configured DNS server. A connection or DNS failure is tried again a few times (the client may still be
/// bringing its responder up); a wrong answer is final.
/// </summary>
public sealed partial class AcmeValidator(AcmeServerOptions options, TimeProvider time, ILogger<AcmeValidator> logger)
{
    private const int Attempts = 3;
    private const int MaxResponseBytes = 8 * 1024;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public async Task<Result> ValidateAsync(string type, string identifier, string token, string thumbprint, CancellationToken ct)
    {
        var keyAuthorization = token + "." + thumbprint;
        Result outcome = AcmeProblems.Connection("Not attempted.");
        for (var attempt = 1; attempt <= Attempts; attempt++)
        {
            outcome = type == "http-01"
                ? await Http01Async(identifier, token, keyAuthorization, ct)
                : await Dns01Async(identifier, keyAuthorization, ct);
            if (outcome.IsSuccess || outcome.Error!.Code == "incorrectResponse")
            {
                break;
            }

            if (attempt < Attempts)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), time, ct);
            }
        }

        if (!outcome.IsSuccess)
        {
            LogFailed(logger, type, identifier, outcome.Error!.Message);
        }

        return outcome;
    }

    private async Task<Result> Http01Async(string identifier, string token, string keyAuthorization, CancellationToken ct)
    {
        IPAddress[] addresses;
        if (options.ValidationAddress is { } fixedAddress)
        {
            addresses = [fixedAddress];
        }
        else
        {
            try
            {
                addresses = await Dns.GetHostAddressesAsync(identifier, ct);
            }
            catch (SocketException)
            {
                return AcmeProblems.Dns($"{identifier} does not resolve.");
            }
        }

        if (addresses.Length == 0)
        {
            return AcmeProblems.Dns($"{identifier} has no address.");
        }

        using var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            ConnectCallback = async (context, token2) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(addresses, options.Http01Port, token2);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        using var client = new HttpClient(handler) { Timeout = Timeout };
        var url = $"http://{identifier}:{options.Http01Port}{Http01Responder.PathPrefix}{token}";
        try
        {
            using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return AcmeProblems.Incorrect($"The HTTP-01 response for {identifier} was status {(int)response.StatusCode}.");
            }

            await using var stream = await response.Content.ReadAsStreamAsync(ct);
            var buffer = new byte[MaxResponseBytes];
            var read = 0;
            int n;
            while (read < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(read), ct)) > 0)
            {
                read += n;
            }

            var body = Encoding.ASCII.GetString(buffer, 0, read).Trim();
            return body == keyAuthorization
                ? Result.Success()
                : AcmeProblems.Incorrect($"The HTTP-01 response for {identifier} is not the key authorization.");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException or SocketException)
        {
            if (ct.IsCancellationRequested)
            {
                throw;
            }

            return AcmeProblems.Connection($"Could not fetch the HTTP-01 response for {identifier} on port {options.Http01Port}.");
        }
    }

    private async Task<Result> Dns01Async(string identifier, string keyAuthorization, CancellationToken ct)
    {
        var server = options.DnsServer ?? SystemResolver();
        if (server is null)
        {
            return AcmeProblems.Dns("No DNS server is configured for DNS-01 validation.");
        }

        var bare = identifier.StartsWith("*.", StringComparison.Ordinal) ? identifier[2..] : identifier;
        var expected = AcmeOrderFlow.TxtValue(keyAuthorization); // the same value the client publishes
        var answer = await new Rfc2136Client(server, null, time).QueryTxtAsync("_acme-challenge." + bare, ct);
        if (!answer.IsSuccess)
        {
            return AcmeProblems.Dns($"The TXT query for _acme-challenge.{bare} failed: {answer.Error!.Message}");
        }

        return answer.Value.Contains(expected, StringComparer.Ordinal)
            ? Result.Success()
            : AcmeProblems.Incorrect($"No TXT record of _acme-challenge.{bare} holds the expected digest.");
    }

    private static IPEndPoint? SystemResolver()
    {
        const string path = "/etc/resolv.conf";
        if (!File.Exists(path))
        {
            return null;
        }

        foreach (var line in File.ReadLines(path))
        {
            var parts = line.Split(' ', '\t', StringSplitOptions.RemoveEmptyEntries);
            if (parts is ["nameserver", var address, ..] && IPAddress.TryParse(address, out var ip))
            {
                return new IPEndPoint(ip, 53);
            }
        }

        return null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "ACME server: {ChallengeType} validation of {Identifier} failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string challengeType, string identifier, string reason);
}
