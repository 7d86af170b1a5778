using System.CommandLine;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using CertMgr.Core.PrivateCa;
using CertMgr.Data.Model;

namespace CertMgr.Cli.Commands;

/// <summary><c>certmgr ca issue | issue-client | revoke | gen-crl</c>.</summary>
internal static class CaIssueCommands
{
    private static readonly Option<string> Csr = new("--csr")
    {
        Description = "PKCS#10 certificate signing request (PEM or DER).",
        HelpName = "FILE",
        Required = true,
    };

    private static readonly Option<string?> CertOut = new("--out")
    {
        Description = "Where to write the certificate as PEM, with the CA chain for a subordinate CA (default: standard output).",
        HelpName = "FILE",
    };

    private static readonly Option<int?> Days = new("--days")
    {
        Description = "Validity in days (default and maximum: PrivateCa:MaxServerValidityDays or MaxClientValidityDays, 397).",
        HelpName = "N",
    };

    private static readonly Option<string> ClientName = new("--cn")
    {
        Description = "Common name of the client certificate (e.g. the user's name).",
        HelpName = "NAME",
        Required = true,
    };

    private static readonly Option<string> P12Out = new("--out")
    {
        Description = "The PKCS#12 file to write (certificate, key and CA certificate; AES-256-CBC, SHA-256).",
        HelpName = "FILE.p12",
        Required = true,
    };

    private static readonly Option<string?> Password = new("--password")
    {
        Description = "Password of the PKCS#12 file (default: asked on the terminal, without echo).",
        HelpName = "P",
    };

    private static readonly Argument<string> Serial = new("SERIAL") { Description = "Serial number in hex (colons allowed)." };

    private static readonly Option<string?> Reason = new("--reason")
    {
        Description = "Revocation reason: " + string.Join(", ", CaRevocation.Reasons.Select(CaRevocation.ReasonName)) + " (default: unspecified).",
        HelpName = "REASON",
    };

    private static readonly Option<string?> CrlOut = new("--out")
    {
        Description = "Where to write the CRL (default: standard output, PEM).",
        HelpName = "FILE",
    };

    private static readonly Option<string> CrlFormat = FormatOption();

    public static void AddTo(Command ca, TextWriter output, TextWriter error)
    {
        var issue = new Command("issue", "Issue a server certificate (serverAuth) for a CSR.");
        issue.Options.Add(Csr);
        issue.Options.Add(CertOut);
        issue.Options.Add(Days);
        issue.SetAction((parse, ct) => IssueAsync(parse, output, error, ct));
        ca.Subcommands.Add(issue);

        var client = new Command("issue-client", "Issue a client certificate (clientAuth) with a new key, as a PKCS#12 file.");
        client.Options.Add(ClientName);
        client.Options.Add(P12Out);
        client.Options.Add(Password);
        client.Options.Add(Days);
        client.SetAction((parse, ct) => IssueClientAsync(parse, output, error, ct));
        ca.Subcommands.Add(client);

        var revoke = new Command("revoke", "Revoke a certificate of the current CA and publish a new CRL.");
        revoke.Arguments.Add(Serial);
        revoke.Options.Add(Reason);
        revoke.SetAction((parse, ct) => RevokeAsync(parse, output, error, ct));
        ca.Subcommands.Add(revoke);

        var crl = new Command("gen-crl", "Sign a new CRL (next CRL number; next update after PrivateCa:CrlValidityDays, 7).");
        crl.Options.Add(CrlOut);
        crl.Options.Add(CrlFormat);
        crl.SetAction((parse, ct) => GenerateCrlAsync(parse, output, error, ct));
        ca.Subcommands.Add(crl);
    }

    private static Option<string> FormatOption()
    {
        var option = new Option<string>("--format")
        {
            Description = "Encoding of the CRL.",
            DefaultValueFactory = _ => "pem",
        };
        option.AcceptOnlyFromAmong("pem", "der");
        return option;
    }

    private static async Task<int> IssueAsync(ParseResult parse, TextWriter output, TextWriter error, CancellationToken ct)
    {
        var csrPath = parse.GetValue(Csr)!;
        byte[] csr;
        try
        {
            csr = await File.ReadAllBytesAsync(csrPath, ct);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"certmgr: cannot read {csrPath}: {ex.Message}");
            return CliApp.ExitFailure;
        }

        if (parse.GetValue(Days) is <= 0)
        {
            return await CliHost.UsageAsync(error, "--days must be a positive number.");
        }

        var (host, code) = await CliHost.OpenAsync(parse, error, ensureCa: true, ct);
        if (host is null)
        {
            return code;
        }

        await using (host)
        {
            var issued = await host.Get<CaIssuance>().IssueForCsrAsync(csr, parse.GetValue(Days), CaCommand.Actor, ct);
            if (!issued.IsSuccess)
            {
                return await CliHost.FailAsync(error, issued.Error);
            }

            using var certificate = issued.Value;
            var ca = await host.Get<PrivateCaService>().FindCurrentAsync(ct);
            var pem = new StringBuilder(PemEncoding.WriteString("CERTIFICATE", certificate.RawData)).Append('\n');
            if (ca is { Mode: PrivateCaMode.Subordinate, CertificateDer: { } caDer })
            {
                pem.Append(PemEncoding.WriteString("CERTIFICATE", caDer)).Append('\n');
            }

            if (parse.GetValue(CertOut) is { } path)
            {
                await File.WriteAllTextAsync(path, pem.ToString(), ct);
                await output.WriteLineAsync($"Issued serial {certificate.SerialNumber} to {certificate.Subject}, valid until {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm:ss}Z: {path}");
            }
            else
            {
                await output.WriteAsync(pem.ToString());
            }

            return CliApp.ExitOk;
        }
    }

    private static async Task<int> IssueClientAsync(ParseResult parse, TextWriter output, TextWriter error, CancellationToken ct)
    {
        if (parse.GetValue(Days) is <= 0)
        {
            return await CliHost.UsageAsync(error, "--days must be a positive number.");
        }

        var password = parse.GetValue(Password);
        if (password is null)
        {
            if (Console.IsInputRedirected)
            {
                await error.WriteLineAsync("certmgr: no --password given and standard input is not a terminal to ask for one.");
                return CliApp.ExitFailure;
            }

            password = ReadPasswordTwice(error);
            if (password is null)
            {
                return CliApp.ExitFailure;
            }
        }

        if (password.Length == 0)
        {
            await error.WriteLineAsync("certmgr: the PKCS#12 password must not be empty.");
            return CliApp.ExitFailure;
        }

        var (host, code) = await CliHost.OpenAsync(parse, error, ensureCa: true, ct);
        if (host is null)
        {
            return code;
        }

        await using (host)
        {
            var issued = await host.Get<CaIssuance>().IssueClientAsync(parse.GetValue(ClientName)!, parse.GetValue(Days), CaCommand.Actor, ct);
            if (!issued.IsSuccess)
            {
                return await CliHost.FailAsync(error, issued.Error);
            }

            using var certificate = issued.Value;
            var ca = await host.Get<PrivateCaService>().FindCurrentAsync(ct);
            using var caCert = X509CertificateLoader.LoadCertificate(ca!.CertificateDer!);
            var bundle = new X509Certificate2Collection { certificate, caCert };
            var pfx = bundle.ExportPkcs12(Pkcs12ExportPbeParameters.Pbes2Aes256Sha256, password);
            try
            {
                var path = parse.GetValue(P12Out)!;
                await CliHost.WritePrivateFileAsync(path, pfx, ct);
                await output.WriteLineAsync($"Issued client certificate {certificate.Subject}, serial {certificate.SerialNumber}, SHA-1 {CertMgr.Core.Pki.Thumbprints.Sha1(certificate)}: {path}");
            }
            finally
            {
                CryptographicOperations.ZeroMemory(pfx);
            }

            return CliApp.ExitOk;
        }
    }

    private static async Task<int> RevokeAsync(ParseResult parse, TextWriter output, TextWriter error, CancellationToken ct)
    {
        if (!CaRevocation.TryParseReason(parse.GetValue(Reason), out var reason))
        {
            return await CliHost.UsageAsync(error, $"'{parse.GetValue(Reason)}' is not a revocation reason; use one of {string.Join(", ", CaRevocation.Reasons.Select(CaRevocation.ReasonName))}.");
        }

        var (host, code) = await CliHost.OpenAsync(parse, error, ensureCa: true, ct);
        if (host is null)
        {
            return code;
        }

        await using (host)
        {
            var revoked = await host.Get<CaRevocation>().RevokeAsync(parse.GetValue(Serial)!, reason, CaCommand.Actor, ct);
            if (!revoked.IsSuccess)
            {
                return await CliHost.FailAsync(error, revoked.Error);
            }

            await output.WriteLineAsync($"Revoked serial {revoked.Value.SerialNumber} ({revoked.Value.Subject}): {CaRevocation.ReasonName(reason)}; a new CRL is published.");
            return CliApp.ExitOk;
        }
    }

    private static async Task<int> GenerateCrlAsync(ParseResult parse, TextWriter output, TextWriter error, CancellationToken ct)
    {
        var (host, code) = await CliHost.OpenAsync(parse, error, ensureCa: true, ct);
        if (host is null)
        {
            return code;
        }

        await using (host)
        {
            var crl = await host.Get<CaRevocation>().GenerateCrlAsync(CaCommand.Actor, ct);
            if (!crl.IsSuccess)
            {
                return await CliHost.FailAsync(error, crl.Error);
            }

            var der = parse.GetValue(CrlFormat) == "der";
            var path = parse.GetValue(CrlOut);
            if (path is null)
            {
                if (der)
                {
                    return await CliHost.UsageAsync(error, "--format der needs --out FILE.");
                }

                await output.WriteAsync(PemEncoding.WriteString("X509 CRL", crl.Value) + "\n");
                return CliApp.ExitOk;
            }

            if (der)
            {
                await File.WriteAllBytesAsync(path, crl.Value, ct);
            }
            else
            {
                await File.WriteAllTextAsync(path, PemEncoding.WriteString("X509 CRL", crl.Value) + "\n", ct);
            }

            await output.WriteLineAsync($"CRL written to {path}.");
            return CliApp.ExitOk;
        }
    }

    /// <summary>Asks twice on the terminal without echo; null (after a message) when they differ.</summary>
    private static string? ReadPasswordTwice(TextWriter error)
    {
        var first = HiddenInput.Read(error, "PKCS#12 password: ");
        var second = HiddenInput.Read(error, "Repeat the password: ");
        if (first == second)
        {
            return first;
        }

        error.WriteLine("certmgr: the passwords differ.");
        return null;
    }
}
