using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using CertMgr.Core.Common;
using CertMgr.Core.Probe;
using CertMgr.Core.TrustedCas;
using CertMgr.Data.Model;

namespace CertMgr.Cli.Commands;

/// <summary>
/// <c>certmgr check HOST[:PORT]</c>: one endpoint check from the command line. Exit 0 OK, 1 NG, 3 Unreachable,
/// 2 bad usage.
/// </summary>
internal static class CheckCommand
{
    public const int ExitUnreachable = 3;

    private static readonly JsonSerializerOptions JsonOut = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly Argument<string> Endpoint = new("HOST[:PORT]")
    {
        Description = "Host name, IPv4 address or [IPv6] address, with the port (default 443).",
    };

    private static readonly Option<string?> Sni = new("--sni")
    {
        Description = "Server name to send (SNI) and to check the certificate against (default: HOST when it is a name).",
        HelpName = "NAME",
    };

    private static readonly Option<FileInfo> CaFile = new Option<FileInfo>("--ca-file")
    {
        Description = "Trust only the CA certificates in this file (PEM bundle or DER) for path validation " +
            "(default: the default Trusted CA Set of the data directory; with none, the built-in public roots).",
        HelpName = "FILE",
    }.AcceptExistingOnly();

    private static readonly Option<string?> TrustSet = new("--trust-set")
    {
        Description = "Validate the served chain against this Trusted CA Set (default: the default set).",
        HelpName = "NAME",
    };

    private static readonly Option<string?> ExpectSha1 = new("--expect-sha1")
    {
        Description = "The SHA-1 thumbprint the served certificate must have (hex; colons and spaces allowed).",
        HelpName = "HEX",
    };

    private static readonly Option<int> Threshold = new("--threshold")
    {
        Description = "NG when fewer days of validity remain.",
        HelpName = "DAYS",
        DefaultValueFactory = _ => 30,
    };

    private static readonly Option<double> Timeout = new("--timeout")
    {
        Description = "Seconds allowed for the TCP connection, and again for the TLS handshake.",
        HelpName = "SECONDS",
        DefaultValueFactory = _ => 5,
    };

    private static readonly Option<bool> Json = new("--json") { Description = "Print one JSON object instead of text." };

    public static void AddTo(RootCommand root, TextWriter output, TextWriter error)
    {
        var check = new Command("check", "Check one TLS endpoint: handshake, served chain, trust, name, validity (exit 0 OK, 1 NG, 3 Unreachable).");
        check.Arguments.Add(Endpoint);
        foreach (var option in new Option[] { Sni, TrustSet, CaFile, ExpectSha1, Threshold, Timeout, Json })
        {
            check.Options.Add(option);
        }

        check.Validators.Add(r =>
        {
            if (r.GetValue(Endpoint) is { } text && !EndpointProbe.TryParseEndpoint(text, 443, out _, out _))
            {
                r.AddError($"'{text}' is not HOST, HOST:PORT or [IPv6]:PORT with a port from 1 to 65535.");
            }

            if (r.GetResult(TrustSet) is not null && r.GetResult(CaFile) is not null)
            {
                r.AddError("Use either --trust-set or --ca-file, not both.");
            }

            if (r.GetResult(Threshold) is { Implicit: false } t && t.GetValueOrDefault<int>() is < 0 or > 3650)
            {
                r.AddError("--threshold must be between 0 and 3650 days.");
            }

            if (r.GetResult(Timeout) is { Implicit: false } s && s.GetValueOrDefault<double>() is <= 0 or > 300)
            {
                r.AddError("--timeout must be more than 0 and at most 300 seconds.");
            }

            if (r.GetValue(ExpectSha1) is { } hex && Normalize(hex) is not { Length: 40 })
            {
                r.AddError("--expect-sha1 must be 40 hexadecimal digits.");
            }
        });
        check.SetAction((parse, ct) => RunAsync(parse, output, error, ct));
        root.Subcommands.Add(check);
    }

    private static async Task<int> RunAsync(ParseResult parse, TextWriter output, TextWriter error, CancellationToken ct)
    {
        EndpointProbe.TryParseEndpoint(parse.GetValue(Endpoint)!, 443, out var host, out var port);
        var json = parse.GetValue(Json);
        var anchors = await LoadAnchorsAsync(parse, error, ct);
        if (anchors.Anchors is null)
        {
            return anchors.ExitCode;
        }

        var seconds = TimeSpan.FromSeconds(parse.GetValue(Timeout));
        var options = new ProbeOptions
        {
            ConnectTimeout = seconds,
            HandshakeTimeout = seconds,
            TotalTimeout = (seconds * 2) + TimeSpan.FromSeconds(1),
            TrustAnchors = anchors.Anchors,
        };
        var sni = parse.GetValue(Sni);
        var probe = await EndpointProbe.ProbeAsync(host, port, sni, options, ct);
        var report = EndpointChecks.Evaluate(probe, new CheckExpectations
        {
            NameToCheck = sni ?? host,
            ExpectedSha1 = parse.GetValue(ExpectSha1) is { } hex ? Normalize(hex) : null,
            TrustAnchors = anchors.Anchors,
            ThresholdDays = parse.GetValue(Threshold),
        }, TimeProvider.System.GetUtcNow());

        if (json)
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(new
            {
                status = report.Status switch { CheckStatus.Ok => "OK", CheckStatus.Ng => "NG", _ => "Unreachable" },
                target = report.Target,
                trustAnchors = anchors.Source,
                reason = report.Reason,
                sha1 = report.Sha1,
                sha256 = report.Sha256,
                subject = report.Subject,
                issuer = report.Issuer,
                notAfter = report.NotAfter?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                daysRemaining = report.DaysRemaining,
                chainLength = report.ChainLength,
                protocol = report.Protocol,
                cipherSuite = report.CipherSuite,
                checks = report.Checks.Select(c => new { name = c.Name, ok = c.Ok, detail = c.Detail }),
                timingsMs = new
                {
                    connect = Math.Round(report.Timings.Connect.TotalMilliseconds, 1),
                    handshake = Math.Round(report.Timings.Handshake.TotalMilliseconds, 1),
                    total = Math.Round(report.Timings.Total.TotalMilliseconds, 1),
                },
            }, JsonOut));
        }
        else
        {
            await WriteTextAsync(report, anchors.Source, output);
        }

        return report.Status switch
        {
            CheckStatus.Ok => CliApp.ExitOk,
            CheckStatus.Ng => CliApp.ExitFailure,
            _ => ExitUnreachable,
        };
    }

    /// <summary>
    /// The trust anchors and a line saying which they are: <c>--ca-file</c>; else a Trusted CA Set of an existing data
    /// directory; else, with no data directory here, the shipped public roots. Never creates a data directory.
    /// </summary>
    private static async Task<(X509Certificate2Collection? Anchors, string Source, int ExitCode)> LoadAnchorsAsync(
        ParseResult parse, TextWriter error, CancellationToken ct)
    {
        if (parse.GetValue(CaFile) is { } file)
        {
            var read = TrustAnchorFiles.Read(await File.ReadAllBytesAsync(file.FullName, ct), file.Name);
            if (!read.IsSuccess)
            {
                return (null, "", await CliHost.FailAsync(error, read.Error));
            }

            return (read.Value, $"--ca-file {file.FullName} ({Count(read.Value)})", 0);
        }

        if (CliHost.FindHome(parse) is { Home.IsInitialized: false, Explicit: false } && parse.GetValue(TrustSet) is null)
        {
            var roots = TrustedCaSets.ShippedPublicRoots();
            return (roots, $"built-in public roots ({Count(roots)}); no data directory here, none created", 0);
        }

        var (host, code) = await CliHost.OpenAsync(parse, error, ensureCa: false, ct, readOnly: true);
        if (host is null)
        {
            return (null, "", code);
        }

        await using (host)
        {
            var sets = host.Get<TrustedCaSets>();
            var name = parse.GetValue(TrustSet);
            var read = name is not null ? await sets.AnchorsByNameAsync(name, ct) : await sets.AnchorsAsync(null, ct);
            if (!read.IsSuccess)
            {
                return (null, "", await CliHost.FailAsync(error, read.Error));
            }

            name ??= (await sets.ListAsync(ct)).FirstOrDefault(s => s.IsDefault)?.Name;
            var which = parse.GetValue(TrustSet) is null ? $"default Trusted CA Set '{name}'" : $"Trusted CA Set '{name}'";
            return (read.Value, $"{which} of {host.Settings.Home.Root} ({Count(read.Value)})", 0);
        }
    }

    private static string Count(X509Certificate2Collection anchors) => anchors.Count == 1 ? "1 CA" : $"{anchors.Count} CAs";

    private static async Task WriteTextAsync(CheckReport report, string trustAnchors, TextWriter output)
    {
        var status = report.Status switch { CheckStatus.Ok => "OK", CheckStatus.Ng => "NG", _ => "Unreachable" };
        await output.WriteLineAsync($"{report.Target}: {status}");
        await output.WriteLineAsync($"  trust anchors {trustAnchors}");
        if (report.Status == CheckStatus.Unreachable)
        {
            await output.WriteLineAsync($"  {report.Reason}");
            return;
        }

        await output.WriteLineAsync($"  subject      {report.Subject}");
        await output.WriteLineAsync($"  issuer       {report.Issuer}");
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  not after    {report.NotAfter:yyyy-MM-dd HH:mm:ss}Z ({report.DaysRemaining} days)"));
        await output.WriteLineAsync($"  SHA-1        {report.Sha1}");
        await output.WriteLineAsync($"  SHA-256      {report.Sha256}");
        await output.WriteLineAsync($"  chain sent   {Plural.Of(report.ChainLength, "certificate")}; {report.Protocol}, {report.CipherSuite}");
        foreach (var c in report.Checks)
        {
            await output.WriteLineAsync($"  [{(c.Ok ? "ok" : "NG")}] {c.Name,-10} {c.Detail}");
        }
    }

    private static string Normalize(string hex)
    {
        var s = string.Concat(hex.Where(c => c is not (':' or ' ')).Select(char.ToUpperInvariant));
        return s.All(Uri.IsHexDigit) ? s : "";
    }
}
