using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.PrivateCa;
using CertMgr.Data.Model;
using X509Request = System.Security.Cryptography.X509Certificates.CertificateRequest;

namespace CertMgr.Cli.Commands.Bench;

/// <summary>
/// The CA's signing path alone (build, policy check, sign) for ECDSA P-256 leaves under a P-256 CA, in memory,
/// beside the raw signing rate of <c>openssl speed ecdsap256</c> on one core.
/// </summary>
internal static class CaSignBenchmark
{
    /// <summary>
    /// Rates per CPU-second of this process, as <c>openssl speed</c> counts its own (user CPU time), so that a busy
    /// machine does not tilt the ratio; the wall-clock rate is reported beside it.
    /// </summary>
    public sealed record Outcome(int Count, double CertsPerCpuSecond, double CertsPerWallSecond, double OpensslSignsPerSecond)
    {
        public double Ratio => CertsPerCpuSecond / OpensslSignsPerSecond;
    }

    public static async Task<Outcome> RunAsync(int count, TimeProvider time, CancellationToken ct)
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new X509Request("CN=Bench CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        var now = time.GetUtcNow();
        using var caCert = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddYears(5));

        // Leaf keys come from a small pool (as in the reference farm): key generation is not the signing path.
        var leafKeys = Enumerable.Range(0, 16).Select(_ => ECDsa.Create(ECCurve.NamedCurves.nistP256)).ToList();
        var publicKeys = leafKeys.Select(k => PublicKey.CreateFromSubjectPublicKeyInfo(k.ExportSubjectPublicKeyInfo(), out _)).ToList();
        var context = new CaSigningContext(caCert, caKey);
        try
        {
            // Warm-up: JIT and OpenSSL's first-use costs are not the steady state.
            for (var i = 0; i < Math.Min(3000, count); i++)
            {
                _ = Issue(context, publicKeys[i % publicKeys.Count], i, now);
            }

            var process = Process.GetCurrentProcess();
            var cpuBefore = process.TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < count; i++)
            {
                ct.ThrowIfCancellationRequested();
                _ = Issue(context, publicKeys[i % publicKeys.Count], i, now);
            }

            watch.Stop();
            process.Refresh();
            var cpu = process.TotalProcessorTime - cpuBefore;
            var openssl = await PeerTools.OpensslEcdsaP256SignsPerSecondAsync(3, ct);
            return new Outcome(count, count / cpu.TotalSeconds, count / watch.Elapsed.TotalSeconds, openssl);
        }
        finally
        {
            leafKeys.ForEach(k => k.Dispose());
        }
    }

    private static byte[] Issue(CaSigningContext context, PublicKey publicKey, int i, DateTimeOffset now)
    {
        var name = $"leaf{i}.bench.test";
        var request = new IssuanceRequest(new X500DistinguishedName($"CN={name}"), publicKey, [name], IssuedCertificateProfile.Server, TimeSpan.FromDays(397));
        return CertificateEncoder.Encode(context, request, CertificateIssuer.NewSerialNumber(), now, now + request.Validity);
    }
}
