using System.CommandLine;
using System.Text.Json;
using CertMgr.Core.Common;
using CertMgr.Core.Pki.Reading;

namespace CertMgr.Cli.Commands;

/// <summary><c>certmgr inspect FILE</c>: what a certificate file (or certificate + key + chain set) holds.</summary>
internal static class InspectCommand
{
    public const string PasswordVariable = "CERTMGR_PASSWORD";

    public const string KeyPasswordVariable = "CERTMGR_KEY_PASSWORD";

    private static readonly Argument<FileInfo> File = new Argument<FileInfo>("FILE")
    {
        Description = "Certificate file: PEM, DER, PKCS#7, PKCS#12 or JKS (detected from the content).",
    }.AcceptExistingOnly();

    private static readonly Option<FileInfo> Key = new Option<FileInfo>("--key")
    {
        Description = "Separate private key file (PEM or DER), read together with FILE.",
        HelpName = "KEYFILE",
    }.AcceptExistingOnly();

    private static readonly Option<FileInfo> Chain = new Option<FileInfo>("--chain")
    {
        Description = "Separate chain file with the issuers (PEM, DER or PKCS#7).",
        HelpName = "CHAINFILE",
    }.AcceptExistingOnly();

    private static readonly Option<string?> Password = new("--password")
    {
        Description = $"Password of FILE (PKCS#12, JKS store) or of an encrypted key (default: ${PasswordVariable}).",
        HelpName = "P",
    };

    private static readonly Option<string?> KeyPassword = new("--key-password")
    {
        Description = $"Password of the private key when it differs from --password (PKCS#12 key bag, JKS key entry, key file) (default: ${KeyPasswordVariable}).",
        HelpName = "P",
    };

    private static readonly Option<bool> Json = new("--json")
    {
        Description = "Print one JSON object instead of text.",
    };

    private static readonly Option<int> MaxSize = CreateMaxSize();

    public static void AddTo(RootCommand root, TextWriter output, TextWriter error)
    {
        var inspect = new Command("inspect", "Show what a certificate file holds: leaf, key, chain, thumbprints.");
        inspect.Arguments.Add(File);
        foreach (var option in new Option[] { Key, Chain, Password, KeyPassword, Json, MaxSize })
        {
            inspect.Options.Add(option);
        }
        inspect.SetAction((parse, ct) => RunAsync(parse, output, error, ct));
        root.Subcommands.Add(inspect);
    }

    private static Option<int> CreateMaxSize()
    {
        var option = new Option<int>("--max-size")
        {
            Description = $"Largest accepted file, in bytes (default {ReadOptions.DefaultMaxBytes}).",
            HelpName = "BYTES",
            DefaultValueFactory = _ => ReadOptions.DefaultMaxBytes,
        };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() <= 0)
            {
                result.AddError("--max-size must be a positive number of bytes.");
            }
        });
        return option;
    }

    private static async Task<int> RunAsync(ParseResult parse, TextWriter output, TextWriter error, CancellationToken ct)
    {
        var json = parse.GetValue(Json);
        var maxBytes = parse.GetValue(MaxSize);
        var result = await ReadAsync(parse, maxBytes, ct);
        if (!result.IsSuccess)
        {
            await WriteErrorAsync(result.Error, json, output, error);
            return CliApp.ExitFailure;
        }

        using var bundle = result.Value;
        var summary = CertificateSummary.From(bundle);
        if (json)
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(summary, CertificateSummary.JsonOptions));
        }
        else
        {
            await WriteTextAsync(summary, output);
        }

        return CliApp.ExitOk;
    }

    private static async Task<Result<CertificateBundle>> ReadAsync(ParseResult parse, int maxBytes, CancellationToken ct)
    {
        var data = await ReadFileAsync(parse.GetValue(File)!, maxBytes, ct);
        if (!data.IsSuccess)
        {
            return data.Error;
        }

        byte[]? key = null;
        if (parse.GetValue(Key) is { } keyFile)
        {
            var read = await ReadFileAsync(keyFile, maxBytes, ct);
            if (!read.IsSuccess)
            {
                return read.Error;
            }

            key = read.Value;
        }

        byte[]? chain = null;
        if (parse.GetValue(Chain) is { } chainFile)
        {
            var read = await ReadFileAsync(chainFile, maxBytes, ct);
            if (!read.IsSuccess)
            {
                return read.Error;
            }

            chain = read.Value;
        }

        var options = new ReadOptions
        {
            Password = parse.GetValue(Password) ?? Environment.GetEnvironmentVariable(PasswordVariable),
            KeyPassword = parse.GetValue(KeyPassword) ?? Environment.GetEnvironmentVariable(KeyPasswordVariable),
            KeyData = key,
            ChainData = chain,
            MaxBytes = maxBytes,
        };
        return CertificateReader.Read(data.Value, options);
    }

    /// <summary>Reads a file, refusing one over the limit before reading it.</summary>
    private static async Task<Result<byte[]>> ReadFileAsync(FileInfo file, int maxBytes, CancellationToken ct)
    {
        if (file.Length > maxBytes)
        {
            return Result<byte[]>.Failure(ReadErrors.TooLarge, $"{file.Name} is {file.Length} bytes, over the limit of {maxBytes} bytes.");
        }

        try
        {
            return await System.IO.File.ReadAllBytesAsync(file.FullName, ct);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Not a kind of bad content, but still one line and exit 1 rather than a stack trace.
            return Result<byte[]>.Failure("unreadable", $"Cannot read {file.Name}: {ex.Message}");
        }
    }

    private static async Task WriteErrorAsync(Error failure, bool json, TextWriter output, TextWriter error)
    {
        if (json)
        {
            var body = new Dictionary<string, string> { ["error"] = failure.Code, ["message"] = failure.Message };
            await output.WriteLineAsync(JsonSerializer.Serialize(body, CertificateSummary.JsonOptions));
        }
        else
        {
            await error.WriteLineAsync($"certmgr: {failure.Message}");
        }
    }

    private static async Task WriteTextAsync(CertificateSummary s, TextWriter output)
    {
        (string Label, string Value)[] rows =
        [
            ("Format", s.Format),
            ("Subject", s.Subject),
            ("Common name", s.CommonName ?? "-"),
            ("Issuer", s.Issuer),
            ("Serial number", s.SerialNumber),
            ("Not before", CertificateSummary.IsoUtc(s.NotBefore)),
            ("Not after", CertificateSummary.IsoUtc(s.NotAfter)),
            ("SANs", s.Sans.Count == 0 ? "-" : string.Join(", ", s.Sans)),
            ("Key", $"{s.KeyAlgorithm} {s.KeySize}"),
            ("SHA-1", s.Sha1),
            ("SHA-256", s.Sha256),
            ("Chain length", s.ChainLength.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("Private key", s.HasPrivateKey ? "present, matches the certificate" : "not present"),
        ];
        var width = rows.Max(r => r.Label.Length) + 2;
        foreach (var (label, value) in rows)
        {
            await output.WriteLineAsync((label + ":").PadRight(width) + value);
        }
    }
}
