using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.Pki;
using CertMgr.Core.PrivateCa;
using CertMgr.Core.Setup;
using Microsoft.Extensions.Logging.Abstractions;
using X509Request = System.Security.Cryptography.X509Certificates.CertificateRequest;

namespace CertMgr.Cli.Commands.Bench;

/// <summary>
/// End-to-end issuance for N CSRs through the REST API's code path (CSR parse and signature check, policy, ledger
/// row committed before signing, signature, DER stored; a fresh DI scope per certificate as per request), with a
/// durable SQLite database in a scratch data directory, beside ONE <c>openssl ca -batch -infiles</c> process that
/// signs the same CSR files with its text database. Both CAs are ECDSA P-256.
/// </summary>
internal static class CaIssueBenchmark
{
    public sealed record Outcome(int Count, double CertmgrPerSecond, double CertmgrOneByOnePerSecond, double OpensslPerSecond)
    {
        public double Ratio => CertmgrPerSecond / OpensslPerSecond;
    }

    public static async Task<Outcome> RunAsync(int count, CancellationToken ct)
    {
        var work = Directory.CreateTempSubdirectory("certmgr-bench-ca-");
        try
        {
            var csrFiles = WriteCsrs(work.FullName, count);
            var theirs = await RunOpensslCaAsync(work.FullName, csrFiles, ct);
            var (batch, oneByOne) = await RunCertmgrAsync(Path.Combine(work.FullName, "home"), csrFiles, ct);
            return new Outcome(count, count / batch.TotalSeconds, count / oneByOne.TotalSeconds, count / theirs.TotalSeconds);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static List<string> WriteCsrs(string dir, int count)
    {
        var keys = Enumerable.Range(0, 16).Select(_ => ECDsa.Create(ECCurve.NamedCurves.nistP256)).ToList();
        var files = new List<string>(count);
        Directory.CreateDirectory(Path.Combine(dir, "csr"));
        for (var i = 0; i < count; i++)
        {
            var name = $"leaf{i}.bench.test";
            var request = new X509Request($"CN={name}", keys[i % keys.Count], HashAlgorithmName.SHA256);
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName(name);
            request.CertificateExtensions.Add(san.Build());
            var path = Path.Combine(dir, "csr", $"{i}.csr");
            File.WriteAllText(path, request.CreateSigningRequestPem());
            files.Add(path);
        }

        keys.ForEach(k => k.Dispose());
        return files;
    }

    private static async Task<(TimeSpan Batch, TimeSpan OneByOne)> RunCertmgrAsync(string home, List<string> csrFiles, CancellationToken ct)
    {
        var settings = CertMgrSettings.Resolve(home, null, _ => null);
        var services = new ServiceCollection();
        services.AddSingleton<Microsoft.Extensions.Logging.ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(NullLogger<>));
        services.AddCertMgrCore(settings);
        await using var provider = services.BuildServiceProvider();
        await using (var scope = provider.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<CertMgrInitializer>().InitializeAsync(ct, ensureCa: false);
            await scope.ServiceProvider.GetRequiredService<PrivateCaService>()
                .CreateRootAsync(new X500DistinguishedName("CN=Bench CA"), KeySpec.EcP256, "bench", ct);
        }

        var csrs = csrFiles.Select(File.ReadAllBytes).ToList();
        await IssueBatchAsync(provider, csrs[..Math.Min(8, csrs.Count)], ct); // warm-up (JIT, connection pool, EF command cache); not counted

        // Batch: what `openssl ca -infiles` does, through POST /api/v1/ca/issue-batch's method, a DI scope per batch.
        var watch = Stopwatch.StartNew();
        foreach (var chunk in csrs.Chunk(CaIssuance.MaxBatch))
        {
            await IssueBatchAsync(provider, chunk, ct);
        }

        var batch = watch.Elapsed;

        // One by one: what POST /api/v1/ca/issue does per request, a DI scope per certificate.
        watch.Restart();
        foreach (var csr in csrs)
        {
            await IssueOneAsync(provider, csr, ct);
        }

        return (batch, watch.Elapsed);
    }

    private static async Task IssueBatchAsync(IServiceProvider provider, IReadOnlyList<byte[]> csrs, CancellationToken ct)
    {
        await using var scope = provider.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<CaIssuance>().IssueDerForCsrsAsync(csrs, null, "bench", ct);
        var refused = result.IsSuccess ? result.Value.FirstOrDefault(r => !r.IsSuccess) : default;
        if (!result.IsSuccess || refused.Error is not null)
        {
            throw new InvalidOperationException($"certmgr refused a benchmark CSR: {(result.Error ?? refused.Error)!.Message}");
        }
    }

    private static async Task IssueOneAsync(IServiceProvider provider, byte[] csr, CancellationToken ct)
    {
        await using var scope = provider.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<CaIssuance>().IssueDerForCsrAsync(csr, null, "bench", ct);
        if (!result.IsSuccess)
        {
            throw new InvalidOperationException($"certmgr refused a benchmark CSR: {result.Error.Message}");
        }
    }

    private static async Task<TimeSpan> RunOpensslCaAsync(string dir, List<string> csrFiles, CancellationToken ct)
    {
        var ca = Path.Combine(dir, "openssl-ca");
        Directory.CreateDirectory(Path.Combine(ca, "new"));
        await File.WriteAllTextAsync(Path.Combine(ca, "index"), "", ct);
        await File.WriteAllTextAsync(Path.Combine(ca, "serial"), "1000\n", ct);
        var (code, output, _) = await PeerTools.RunAsync("openssl",
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-noenc", "-keyout", "ca.key", "-out", "ca.pem",
             "-subj", "/CN=Bench openssl CA", "-days", "3650"], ca, ct);
        if (code != 0)
        {
            throw new InvalidOperationException($"openssl could not make its CA: {output}");
        }

        await File.WriteAllTextAsync(Path.Combine(ca, "ca.cnf"), string.Create(CultureInfo.InvariantCulture, $"""
            [ca]
            default_ca = bench
            [bench]
            dir = {ca}
            database = $dir/index
            new_certs_dir = $dir/new
            certificate = $dir/ca.pem
            private_key = $dir/ca.key
            serial = $dir/serial
            default_md = sha256
            default_days = 397
            policy = any
            copy_extensions = copy
            unique_subject = no
            x509_extensions = leaf
            [any]
            commonName = supplied
            [leaf]
            basicConstraints = critical,CA:FALSE
            keyUsage = critical,digitalSignature
            extendedKeyUsage = serverAuth
            subjectKeyIdentifier = hash
            authorityKeyIdentifier = keyid
            """), ct);

        (code, output, var elapsed) = await PeerTools.RunAsync("openssl",
            ["ca", "-batch", "-config", "ca.cnf", "-notext", "-out", "issued.pem", "-infiles", .. csrFiles], ca, ct);
        if (code != 0 || Directory.GetFiles(Path.Combine(ca, "new")).Length != csrFiles.Count)
        {
            throw new InvalidOperationException($"openssl ca did not issue every certificate: {output}");
        }

        return elapsed;
    }
}
