using System.Security.Cryptography.X509Certificates;

namespace CertMgr.Core.Discovery;

/// <summary>
/// The public root CAs shipped inside CertMgr (the content of the default Trusted CA Set's system file), for a scan
/// run without a data directory: <c>certmgr discover</c> must not create one just to judge trust.
/// </summary>
public static class ShippedRoots
{
    private static readonly Lazy<X509Certificate2Collection> Roots = new(Load);

    /// <summary>The shipped roots; shared, do not change or dispose.</summary>
    public static X509Certificate2Collection Anchors => Roots.Value;

    private static X509Certificate2Collection Load()
    {
        using var stream = typeof(ShippedRoots).Assembly.GetManifestResourceStream("CertMgr.Core.TrustedCas.public-roots.pem")
            ?? throw new InvalidOperationException("The build lacks the embedded public-roots.pem.");
        using var reader = new StreamReader(stream);
        var anchors = new X509Certificate2Collection();
        anchors.ImportFromPem(reader.ReadToEnd());
        return anchors;
    }
}
