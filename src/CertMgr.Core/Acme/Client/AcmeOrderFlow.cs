using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using CertMgr.Core.Common;
using Microsoft.Extensions.Logging;

namespace CertMgr.Core.Acme.Client;

/// <summary>Where an order stands after one step: issued (with its chain) or still with the CA.</summary>
/// <param name="Order">The order as the CA last described it.</param>
/// <param name="Chain">The certificate chain once the order is valid.</param>
/// <param name="PollAfter">When to look again, while pending.</param>
public sealed record AcmeProgress(AcmeOrder Order, AcmeCertificateChain? Chain, TimeSpan? PollAfter)
{
    public string Detail => Chain is not null ? $"order {Order.Url} valid, certificate {Order.Certificate}" : $"order {Order.Url} is {Order.Status}";
}

/// <summary>
/// Drives an ACME order (RFC 8555 7.4-7.5): answers each pending authorization with the connection's challenge
/// (HTTP-01 by <see cref="Http01Responder"/>, DNS-01 by RFC 2136 update with TSIG, visible at the zone's server
/// before the CA is told, removed afterwards), finalizes with the request's CSR, polls with Retry-After and
/// downloads the chain; within <see cref="AcmeOptions.StepWait"/>, after which the order is left pending.
/// </summary>
public sealed partial class AcmeOrderFlow(Http01Responder responder, AcmeOptions options, TimeProvider time, ILogger<AcmeOrderFlow> logger)
{
    private const int MaxSteps = 200;

    public async Task<Result<AcmeProgress>> StartAsync(AcmeSession session, IReadOnlyList<string> names, byte[] csrDer, string? profile, string? replaces, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(session);
        var order = await session.Client.NewOrderAsync(names, profile, replaces, ct);
        if (!order.IsSuccess)
        {
            return order.Error;
        }

        LogOrder(logger, order.Value.Url!.AbsoluteUri, order.Value.Status ?? "");
        return await ContinueAsync(session, order.Value, csrDer, ct);
    }

    public async Task<Result<AcmeProgress>> ContinueAsync(AcmeSession session, AcmeOrder order, byte[] csrDer, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(order);
        var clock = Stopwatch.StartNew();
        for (var step = 0; step < MaxSteps; step++)
        {
            switch (order.Status)
            {
                case "valid":
                    if (order.Certificate is null)
                    {
                        return AcmeErrors.Protocol("the order", "a valid order without a certificate URL");
                    }

                    var chain = await session.Client.DownloadAsync(order.Certificate, ct);
                    return chain.IsSuccess ? new AcmeProgress(order, chain.Value, null) : chain.Error;
                case "invalid":
                    return AcmeErrors.FromProblem(order.Error ?? new AcmeProblem { Type = "urn:ietf:params:acme:error:malformed", Detail = "the CA marked the order invalid" }, "the order");
                case "pending":
                    foreach (var url in order.Authorizations)
                    {
                        var solved = await AuthorizeAsync(session, url, clock, ct);
                        if (!solved.IsSuccess)
                        {
                            return solved.Error;
                        }

                        if (!solved.Value)
                        {
                            return new AcmeProgress(order, null, options.MaxPoll);
                        }
                    }

                    break;
                case "ready":
                    var finalized = await session.Client.FinalizeAsync(order, csrDer, ct);
                    if (!finalized.IsSuccess)
                    {
                        return finalized.Error;
                    }

                    order = finalized.Value;
                    continue;
                case "processing":
                    if (clock.Elapsed > options.StepWait)
                    {
                        return new AcmeProgress(order, null, order.RetryAfter ?? options.MaxPoll);
                    }

                    await Task.Delay(Pause(order.RetryAfter), ct);
                    break;
                default:
                    return AcmeErrors.Protocol("the order", $"unknown order status '{order.Status}'");
            }

            var refreshed = await session.Client.OrderAsync(order.Url!, ct);
            if (!refreshed.IsSuccess)
            {
                return refreshed.Error;
            }

            order = refreshed.Value;
        }

        return new AcmeProgress(order, null, options.MaxPoll);
    }

    /// <summary>True when the authorization is valid, false when it is still pending at the deadline.</summary>
    private async Task<Result<bool>> AuthorizeAsync(AcmeSession session, Uri url, Stopwatch clock, CancellationToken ct)
    {
        var authz = await session.Client.AuthorizationAsync(url, ct);
        if (!authz.IsSuccess)
        {
            return authz.Error;
        }

        switch (authz.Value.Status)
        {
            case "valid":
                return true;
            case "pending":
                break;
            default:
                return InvalidAuthorization(authz.Value);
        }

        var type = session.Settings.Challenge == AcmeChallengeType.Dns01 ? "dns-01" : "http-01";
        var challenge = authz.Value.Challenges.FirstOrDefault(c => c.Type == type);
        var name = authz.Value.Identifier?.Value ?? "";
        if (challenge?.Url is null || challenge.Token is null)
        {
            return new Error("acme-challenge-unsupported", $"The CA offers no {type} challenge for {name}; choose another challenge type on the CA connection.");
        }

        var keyAuthorization = session.Client.Key.KeyAuthorization(challenge.Token);
        var provisioned = await ProvisionAsync(session, name, challenge.Token, keyAuthorization, clock, ct);
        if (!provisioned.IsSuccess)
        {
            return provisioned.Error;
        }

        try
        {
            if (challenge.Status == "pending")
            {
                var answered = await session.Client.AnswerChallengeAsync(challenge.Url, ct);
                if (!answered.IsSuccess)
                {
                    return answered.Error;
                }
            }

            for (var look = 0; look < MaxSteps; look++)
            {
                authz = await session.Client.AuthorizationAsync(url, ct);
                if (!authz.IsSuccess)
                {
                    return authz.Error;
                }

                if (authz.Value.Status == "valid")
                {
                    LogAuthorized(logger, name, type);
                    return true;
                }

                if (authz.Value.Status != "pending")
                {
                    return InvalidAuthorization(authz.Value);
                }

                if (clock.Elapsed > options.StepWait)
                {
                    return false;
                }

                await Task.Delay(Pause(authz.Value.RetryAfter), ct);
            }

            return false;
        }
        finally
        {
            await UnprovisionAsync(session, name, challenge.Token, keyAuthorization);
        }
    }

    private static Error InvalidAuthorization(AcmeAuthorization authz)
    {
        var failed = authz.Challenges.FirstOrDefault(c => c.Error is not null);
        var name = authz.Identifier?.Value ?? "a name";
        return failed?.Error is { } problem
            ? AcmeErrors.FromProblem(problem, $"the {failed.Type} validation of {name}")
            : new Error("acme-authorization-invalid", $"The CA did not authorize {name} (status {authz.Status}).");
    }

    private async Task<Result> ProvisionAsync(AcmeSession session, string name, string token, string keyAuthorization, Stopwatch clock, CancellationToken ct)
    {
        if (session.Settings.Challenge == AcmeChallengeType.Http01 && session.Http01Files is { } files)
        {
            var placed = await files.PlaceAsync(token, keyAuthorization, ct);
            if (placed.IsSuccess)
            {
                LogPlaced(logger, files.PathOf(token));
            }

            return placed;
        }

        if (session.Settings.Challenge == AcmeChallengeType.Http01)
        {
            if (string.IsNullOrWhiteSpace(session.Settings.Http01Address))
            {
                return new Error("acme-http01-no-responder", $"HTTP-01 for {name} needs either CertMgr's responder address on the CA connection "
                    + "or a web root in the definition's auto-install settings (the challenge file is then placed on the server over SSH).");
            }

            var address = Http01Responder.ParseAddress(session.Settings.Http01Address);
            if (!address.IsSuccess)
            {
                return address.Error;
            }

            var listening = await responder.EnsureListeningAsync(address.Value, ct);
            if (!listening.IsSuccess)
            {
                return listening;
            }

            responder.Publish(token, keyAuthorization);
            return Result.Success();
        }

        var dns = Dns(session);
        if (!dns.IsSuccess)
        {
            return dns.Error;
        }

        var (client, zone) = dns.Value;
        var record = RecordName(name);
        var value = TxtValue(keyAuthorization);
        var added = await client.AddTxtAsync(zone, record, value, 60, ct);
        if (!added.IsSuccess)
        {
            return added;
        }

        // The CA looks the record up itself: tell it only once the zone's own server answers with it.
        for (var look = 0; look < MaxSteps; look++)
        {
            var seen = await client.QueryTxtAsync(record, ct);
            if (seen.IsSuccess && seen.Value.Contains(value))
            {
                LogDnsVisible(logger, record);
                return Result.Success();
            }

            if (clock.Elapsed > options.StepWait)
            {
                break;
            }

            await Task.Delay(options.MinPoll, ct);
        }

        await client.DeleteTxtAsync(zone, record, value, CancellationToken.None);
        return Error.Unavailable("dns-record-not-visible", $"The TXT record {record} did not appear at {session.Settings.DnsServer} in time.");
    }

    private async Task UnprovisionAsync(AcmeSession session, string name, string token, string keyAuthorization)
    {
        if (session.Settings.Challenge == AcmeChallengeType.Http01 && session.Http01Files is { } files)
        {
            var removed = await files.RemoveAsync(token, CancellationToken.None);
            if (!removed.IsSuccess)
            {
                LogHttp01CleanupFailed(logger, files.PathOf(token), removed.Error.Message);
            }

            return;
        }

        if (session.Settings.Challenge == AcmeChallengeType.Http01)
        {
            responder.Remove(token);
            return;
        }

        if (Dns(session) is { IsSuccess: true } dns)
        {
            var removed = await dns.Value.Client.DeleteTxtAsync(dns.Value.Zone, RecordName(name), TxtValue(keyAuthorization), CancellationToken.None);
            if (!removed.IsSuccess)
            {
                LogDnsCleanupFailed(logger, RecordName(name), removed.Error.Message);
            }
        }
    }

    /// <summary>The RFC 2136 client and zone of a DNS-01 connection.</summary>
    public Result<(Rfc2136Client Client, string Zone)> Dns(AcmeSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        var s = session.Settings;
        if (!TryParseServer(s.DnsServer, out var server) || string.IsNullOrWhiteSpace(s.DnsZone))
        {
            return new Error("dns01-settings-missing", "DNS-01 needs the zone's DNS server (address:port) and the zone name.");
        }

        var key = s.TsigKeyName is { Length: > 0 } keyName && session.Secrets.TsigSecret is { Length: > 0 } secret
            ? new TsigKey(keyName, s.TsigAlgorithm ?? "hmac-sha256", secret)
            : null;
        return (new Rfc2136Client(server, key, time), s.DnsZone);
    }

    public static bool TryParseServer(string? text, out IPEndPoint server)
    {
        if (IPEndPoint.TryParse(text?.Trim() ?? "", out var parsed) && parsed is not null)
        {
            server = parsed.Port == 0 ? new IPEndPoint(parsed.Address, 53) : parsed;
            return true;
        }

        server = new IPEndPoint(IPAddress.None, 0);
        return false;
    }

    public static string RecordName(string name) => "_acme-challenge." + (name.StartsWith("*.", StringComparison.Ordinal) ? name[2..] : name);

    public static string TxtValue(string keyAuthorization) => Base64Url.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(keyAuthorization)));

    private TimeSpan Pause(TimeSpan? retryAfter)
    {
        var wait = retryAfter ?? options.MinPoll;
        return wait < options.MinPoll ? options.MinPoll : wait > options.MaxPoll ? options.MaxPoll : wait;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "ACME order {OrderUrl} placed ({Status})")]
    private static partial void LogOrder(ILogger logger, string orderUrl, string status);

    [LoggerMessage(Level = LogLevel.Information, Message = "ACME authorization of {Name} valid by {ChallengeType}")]
    private static partial void LogAuthorized(ILogger logger, string name, string challengeType);

    [LoggerMessage(Level = LogLevel.Information, Message = "DNS-01 record {Record} visible at the zone's server")]
    private static partial void LogDnsVisible(ILogger logger, string record);

    [LoggerMessage(Level = LogLevel.Information, Message = "HTTP-01 file {Path} placed over SSH")]
    private static partial void LogPlaced(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "HTTP-01 file {Path} could not be removed over SSH: {Reason}")]
    private static partial void LogHttp01CleanupFailed(ILogger logger, string path, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "DNS-01 record {Record} could not be removed: {Reason}")]
    private static partial void LogDnsCleanupFailed(ILogger logger, string record, string reason);
}
