using System.CommandLine;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.Pki;
using CertMgr.Core.PrivateCa;
using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Cli.Commands;

/// <summary><c>certmgr ca ...</c>: the built-in private CA (guide 2.9, 4.7, 4.9).</summary>
internal static class CaCommand
{
    internal const string Actor = "cli";

    private static readonly Option<string?> Dn = new("--dn")
    {
        Description = "Distinguished name of the new CA, e.g. \"CN=Example Private CA, O=Example\" (default: O=CertMgr Built-in Private CA, CN=CertMgr Auto-Generated CA <timestamp>).",
        HelpName = "DN",
    };

    private static readonly Option<string> Key = KeyOption();

    private static readonly Option<bool> Force = new("--force")
    {
        Description = "Replace an existing CA; the old one is backed up to ca/backup-<timestamp>/ and kept on record as Retired.",
    };

    private static readonly Option<bool> Subordinate = new("--subordinate")
    {
        Description = "Make a subordinate CA: write a CSR for the parent CA, then run 'certmgr ca install-cert'.",
    };

    private static readonly Option<string?> CsrOut = new("--out")
    {
        Description = "Where to write the subordinate CA's CSR (default: standard output).",
        HelpName = "FILE",
    };

    private static readonly Argument<string> BundleFile = new("FILE")
    {
        Description = "PEM bundle: the parent-signed certificate of this CA and the parent chain up to its root.",
    };

    public static void AddTo(RootCommand root, TextWriter output, TextWriter error)
    {
        var ca = new Command("ca", "The built-in private CA: set up, show, issue, revoke, CRLs.");

        var setup = new Command("setup", "Create a new root CA (or, with --subordinate, a CSR for a parent CA).");
        setup.Options.Add(Dn);
        setup.Options.Add(Key);
        setup.Options.Add(Force);
        setup.Options.Add(Subordinate);
        setup.Options.Add(CsrOut);
        setup.SetAction((parse, ct) => SetupAsync(parse, output, error, ct));
        ca.Subcommands.Add(setup);

        var install = new Command("install-cert", "Install the parent-signed certificate of a subordinate CA.");
        install.Arguments.Add(BundleFile);
        install.SetAction((parse, ct) => InstallAsync(parse, output, error, ct));
        ca.Subcommands.Add(install);

        var info = new Command("info", "Show the CA: subject, serial, validity, key, SHA-256, mode, issued count.");
        info.SetAction((parse, ct) => InfoAsync(parse, output, error, ct));
        ca.Subcommands.Add(info);

        var showRoot = new Command("show-root", "Print the CA certificate as PEM.");
        showRoot.SetAction((parse, ct) => ShowRootAsync(parse, output, error, ct));
        ca.Subcommands.Add(showRoot);

        CaIssueCommands.AddTo(ca, output, error);
        root.Subcommands.Add(ca);
    }

    private static Option<string> KeyOption()
    {
        var option = new Option<string>("--key")
        {
            Description = "Key of the new CA.",
            DefaultValueFactory = _ => PrivateCaService.DefaultKey.Name,
        };
        option.AcceptOnlyFromAmong([.. KeySpec.All.Select(k => k.Name)]);
        return option;
    }

    private static async Task<int> SetupAsync(ParseResult parse, TextWriter output, TextWriter error, CancellationToken ct)
    {
        X500DistinguishedName? subject = null;
        if (parse.GetValue(Dn) is { } dnText)
        {
            try
            {
                subject = new X500DistinguishedName(dnText);
            }
            catch (CryptographicException)
            {
                return await CliHost.UsageAsync(error, $"'{dnText}' is not a distinguished name; expected e.g. \"CN=Example CA, O=Example\".");
            }

            if (subject.RawData.Length <= 2)
            {
                return await CliHost.UsageAsync(error, "The distinguished name is empty.");
            }
        }

        if (!KeySpec.TryParse(parse.GetValue(Key), out var keySpec))
        {
            return await CliHost.UsageAsync(error, $"Unknown key '{parse.GetValue(Key)}'.");
        }

        var (host, code) = await CliHost.OpenAsync(parse, error, ensureCa: false, ct);
        if (host is null)
        {
            return code;
        }

        await using (host)
        {
            var service = host.Get<PrivateCaService>();
            if (parse.GetValue(Subordinate))
            {
                var sub = await service.SetupSubordinateAsync(subject, keySpec, parse.GetValue(Force), Actor, ct);
                if (!sub.IsSuccess)
                {
                    return await CliHost.FailAsync(error, sub.Error);
                }

                if (parse.GetValue(CsrOut) is { } path)
                {
                    await File.WriteAllTextAsync(path, sub.Value.CsrPem, ct);
                    await output.WriteLineAsync($"Subordinate CA {sub.Value.Ca.Subject} ({keySpec}): CSR written to {path}.");
                }
                else
                {
                    await output.WriteAsync(sub.Value.CsrPem);
                }

                await error.WriteLineAsync("Have the parent CA sign it, then run 'certmgr ca install-cert FILE' with the certificate and its chain.");
                return CliApp.ExitOk;
            }

            var created = await service.SetupRootAsync(subject, keySpec, parse.GetValue(Force), Actor, ct);
            if (!created.IsSuccess)
            {
                return await CliHost.FailAsync(error, created.Error);
            }

            await output.WriteLineAsync($"Created root CA {created.Value.Subject} ({keySpec}), SHA-256 {created.Value.Sha256}.");
            return CliApp.ExitOk;
        }
    }

    private static async Task<int> InstallAsync(ParseResult parse, TextWriter output, TextWriter error, CancellationToken ct)
    {
        var path = parse.GetValue(BundleFile)!;
        string pem;
        try
        {
            pem = await File.ReadAllTextAsync(path, ct);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"certmgr: cannot read {path}: {ex.Message}");
            return CliApp.ExitFailure;
        }

        var (host, code) = await CliHost.OpenAsync(parse, error, ensureCa: false, ct);
        if (host is null)
        {
            return code;
        }

        await using (host)
        {
            var installed = await host.Get<PrivateCaService>().InstallParentCertificateAsync(pem, Actor, ct);
            if (!installed.IsSuccess)
            {
                return await CliHost.FailAsync(error, installed.Error);
            }

            await output.WriteLineAsync($"Installed subordinate CA {installed.Value.Subject}, SHA-256 {installed.Value.Sha256}; it is now the current CA.");
            return CliApp.ExitOk;
        }
    }

    private static async Task<int> InfoAsync(ParseResult parse, TextWriter output, TextWriter error, CancellationToken ct)
    {
        var (host, code) = await CliHost.OpenAsync(parse, error, ensureCa: true, ct, readOnly: true);
        if (host is null)
        {
            return code;
        }

        await using (host)
        {
            var db = host.Get<CertMgrDbContext>();
            var ca = await db.PrivateCas.AsNoTracking().Include(c => c.PrivateKey).SingleOrDefaultAsync(c => c.IsCurrent, ct);
            if (ca?.CertificateDer is null)
            {
                return await CliHost.FailAsync(error, new("ca-missing", "No active private CA; run 'certmgr ca setup'."));
            }

            using var cert = X509CertificateLoader.LoadCertificate(ca.CertificateDer);
            var counts = await db.IssuedCertificates.Where(i => i.PrivateCaId == ca.Id)
                .GroupBy(i => i.Status).Select(g => new { Status = g.Key, Count = g.Count() }).ToListAsync(ct);
            int Count(IssuedCertificateStatus s) => counts.FirstOrDefault(c => c.Status == s)?.Count ?? 0;
            var key = new KeySpec(ca.PrivateKey.Algorithm, ca.PrivateKey.KeySize);
            await output.WriteLineAsync($"Subject:    {cert.Subject}");
            await output.WriteLineAsync($"Issuer:     {cert.Issuer}");
            await output.WriteLineAsync($"Serial:     {cert.SerialNumber}");
            await output.WriteLineAsync($"Valid:      {cert.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm:ss}Z to {cert.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm:ss}Z");
            await output.WriteLineAsync($"Key:        {key}");
            await output.WriteLineAsync($"SHA-256:    {ca.Sha256}");
            await output.WriteLineAsync($"SHA-1:      {Thumbprints.Sha1(cert)}");
            await output.WriteLineAsync($"Mode:       {ca.Mode}");
            await output.WriteLineAsync($"Issued:     {counts.Sum(c => c.Count)} ({Count(IssuedCertificateStatus.Valid)} valid, {Count(IssuedCertificateStatus.Revoked)} revoked, {Count(IssuedCertificateStatus.Pending)} signing interrupted)");
            await output.WriteLineAsync($"Next CRL:   #{ca.NextCrlNumber}");
            if (await host.Get<PrivateCaService>().FindAwaitingAsync(ct) is { } waiting)
            {
                await output.WriteLineAsync($"Pending:    subordinate CA {waiting.Subject} waits for its parent's certificate");
            }

            return CliApp.ExitOk;
        }
    }

    private static async Task<int> ShowRootAsync(ParseResult parse, TextWriter output, TextWriter error, CancellationToken ct)
    {
        var (host, code) = await CliHost.OpenAsync(parse, error, ensureCa: true, ct, readOnly: true);
        if (host is null)
        {
            return code;
        }

        await using (host)
        {
            var ca = await host.Get<PrivateCaService>().FindCurrentAsync(ct);
            if (ca?.CertificateDer is null)
            {
                return await CliHost.FailAsync(error, new("ca-missing", "No active private CA; run 'certmgr ca setup'."));
            }

            // A subordinate's chain follows it, up to the parent's root.
            await output.WriteAsync(PemEncoding.WriteString("CERTIFICATE", ca.CertificateDer) + "\n" + ca.ChainPem);
            return CliApp.ExitOk;
        }
    }
}
