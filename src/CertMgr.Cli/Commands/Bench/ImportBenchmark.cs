using System.Diagnostics;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.Inventory;
using CertMgr.Core.Setup;
using CertMgr.Data.Model;
using Microsoft.Extensions.Logging.Abstractions;
using X509Request = System.Security.Cryptography.X509Certificates.CertificateRequest;

namespace CertMgr.Cli.Commands.Bench;

/// <summary>
/// <c>certmgr import</c> of a folder of N PEM leaves (half ECDSA P-256, half RSA-2048, as the TLS farm has them)
/// through <see cref="ImportService"/> into a scratch data directory with durable SQLite, beside the peers on the same
/// files: one <c>openssl x509 -noout -fingerprint -sha256</c> process per file (timed on a sample, scaled) and one
/// <c>openssl storeutl -noout -certs</c> process over a bundle of all of them. Target: 500 files/s.
/// </summary>
internal static class ImportBenchmark
{
    public const double TargetFilesPerSecond = 500;
    private const int OpensslSample = 100;

    public sealed record Outcome(int Count, double CertmgrFilesPerSecond, double OpensslX509FilesPerSecond, double OpensslStoreutlFilesPerSecond)
    {
        public double TargetRatio => CertmgrFilesPerSecond / TargetFilesPerSecond;
    }

    public static async Task<Outcome> RunAsync(int count, CancellationToken ct)
    {
        var work = Directory.CreateTempSubdirectory("certmgr-bench-import-");
        try
        {
            var folder = Path.Combine(work.FullName, "certs");
            var files = WriteLeaves(folder, count, "bench");
            var warmUp = WriteLeaves(Path.Combine(work.FullName, "warm-up"), 16, "warmup");
            var certmgr = await RunCertmgrAsync(Path.Combine(work.FullName, "home"), folder, warmUp, count, ct);
            var x509 = await RunOpensslX509Async(files, ct);
            var storeutl = await RunOpensslStoreutlAsync(work.FullName, files, ct);
            return new Outcome(count, count / certmgr.TotalSeconds, x509, count / storeutl.TotalSeconds);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static List<string> WriteLeaves(string dir, int count, string prefix)
    {
        Directory.CreateDirectory(dir);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new X509Request("CN=Bench Import CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        var now = TimeProvider.System.GetUtcNow();
        using var ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddYears(5));
        var ecKeys = Enumerable.Range(0, 8).Select(_ => ECDsa.Create(ECCurve.NamedCurves.nistP256)).ToList();
        var rsaKeys = Enumerable.Range(0, 4).Select(_ => RSA.Create(2048)).ToList();
        var signer = X509SignatureGenerator.CreateForECDsa(caKey);
        var files = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            var name = $"{prefix}{i}.import.bench.test";
            var request = i % 2 == 0
                ? new X509Request($"CN={name}, O=Bench", ecKeys[i % ecKeys.Count], HashAlgorithmName.SHA256)
                : new X509Request($"CN={name}, O=Bench", rsaKeys[i % rsaKeys.Count], HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName(name);
            request.CertificateExtensions.Add(san.Build());
            var serial = new BigInteger(1_000_000 + i).ToByteArray(isUnsigned: true, isBigEndian: true);
            using var leaf = request.Create(ca.SubjectName, signer, now.AddDays(-1), now.AddDays(90), serial);
            var path = Path.Combine(dir, $"{i:D6}.pem");
            File.WriteAllText(path, leaf.ExportCertificatePem() + "\n");
            files.Add(path);
        }

        ecKeys.ForEach(k => k.Dispose());
        rsaKeys.ForEach(k => k.Dispose());
        return files;
    }

    private static async Task<TimeSpan> RunCertmgrAsync(string home, string folder, List<string> warmUp, int count, CancellationToken ct)
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
        }

        await ImportAsync(provider, warmUp, warmUp.Count, ct); // JIT, connection pool, EF model; not counted
        var watch = Stopwatch.StartNew();
        await ImportAsync(provider, [folder], count, ct);
        return watch.Elapsed;
    }

    private static async Task ImportAsync(IServiceProvider provider, IEnumerable<string> paths, int expected, CancellationToken ct)
    {
        await using var scope = provider.CreateAsyncScope();
        var summary = await scope.ServiceProvider.GetRequiredService<ImportService>()
            .ImportAsync(ImportFiles.Collect(paths), new ImportSettings(OperationMode.LifecycleManaged), "bench", ct);
        if (summary.Imported != expected)
        {
            var failure = summary.Files.FirstOrDefault(f => f.Status != ImportStatus.Imported);
            throw new InvalidOperationException($"certmgr imported {summary.Imported} of {expected} benchmark files: {failure?.Message}");
        }
    }

    /// <summary>Files per second of one <c>openssl x509</c> process per file, on a sample.</summary>
    private static async Task<double> RunOpensslX509Async(List<string> files, CancellationToken ct)
    {
        var sample = files.Take(OpensslSample).ToList();
        var watch = Stopwatch.StartNew();
        foreach (var file in sample)
        {
            var (code, output, _) = await PeerTools.RunAsync("openssl", ["x509", "-noout", "-fingerprint", "-sha256", "-in", file], null, ct);
            if (code != 0)
            {
                throw new InvalidOperationException($"openssl x509 failed on {file}: {output}");
            }
        }

        return sample.Count / watch.Elapsed.TotalSeconds;
    }

    private static async Task<TimeSpan> RunOpensslStoreutlAsync(string dir, List<string> files, CancellationToken ct)
    {
        var bundle = Path.Combine(dir, "bundle.pem");
        await using (var writer = File.CreateText(bundle))
        {
            foreach (var file in files)
            {
                await writer.WriteAsync(await File.ReadAllTextAsync(file, ct));
            }
        }

        var (code, output, elapsed) = await PeerTools.RunAsync("openssl", ["storeutl", "-noout", "-certs", bundle], dir, ct);
        if (code != 0)
        {
            throw new InvalidOperationException($"openssl storeutl failed: {output}");
        }

        return elapsed;
    }
}
