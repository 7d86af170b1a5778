using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.PrivateCa;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Data.Secrets;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Core.Deployments;

/// <summary>
/// A stored certificate ready to be put on a server: the leaf, its chain (as stored with it) and its private key,
/// unsealed. Every way out of CertMgr (install package, SSH install, the console's own certificate) starts here;
/// disposing it disposes all three.
/// </summary>
internal sealed class CertificateMaterial : IDisposable
{
    private CertificateMaterial(X509Certificate2 leaf, X509Certificate2[] chain, AsymmetricAlgorithm key)
    {
        Leaf = leaf;
        Chain = chain;
        Key = key;
    }

    public X509Certificate2 Leaf { get; }

    /// <summary>The issuing chain, nearest issuer first, as acquired or imported with the certificate.</summary>
    public IReadOnlyList<X509Certificate2> Chain { get; }

    public AsymmetricAlgorithm Key { get; }

    /// <summary>The certificate's material, or null when CertMgr does not hold its private key.</summary>
    public static async Task<CertificateMaterial?> OpenAsync(CertMgrDbContext db, SecretProtector protector, Certificate certificate, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(certificate);
        if (certificate.PrivateKeyId is not { } keyId || await db.PrivateKeys.AsNoTracking().SingleOrDefaultAsync(k => k.Id == keyId, ct) is not { } stored)
        {
            return null;
        }

        var leaf = X509CertificateLoader.LoadCertificate(certificate.Der);
        var chain = new X509Certificate2Collection();
        try
        {
            if (!string.IsNullOrEmpty(certificate.ChainPem))
            {
                chain.ImportFromPem(certificate.ChainPem);
            }

            return new CertificateMaterial(leaf, [.. chain], SealedKeys.Open(stored, protector));
        }
        catch
        {
            leaf.Dispose();
            foreach (var c in chain)
            {
                c.Dispose();
            }

            throw;
        }
    }

    public void Dispose()
    {
        Key.Dispose();
        Leaf.Dispose();
        foreach (var c in Chain)
        {
            c.Dispose();
        }
    }
}
