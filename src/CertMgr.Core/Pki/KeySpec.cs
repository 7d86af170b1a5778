using System.Security.Cryptography;
using CertMgr.Data.Model;

namespace CertMgr.Core.Pki;

/// <summary>A key type and size: <c>ec-p256</c>, <c>ec-p384</c>, <c>rsa-2048</c>, <c>rsa-3072</c>, <c>rsa-4096</c>.</summary>
public sealed record KeySpec(KeyAlgorithm Algorithm, int Size)
{
    public static readonly KeySpec EcP256 = new(KeyAlgorithm.Ecdsa, 256);
    public static readonly KeySpec EcP384 = new(KeyAlgorithm.Ecdsa, 384);
    public static readonly KeySpec Rsa2048 = new(KeyAlgorithm.Rsa, 2048);
    public static readonly KeySpec Rsa3072 = new(KeyAlgorithm.Rsa, 3072);
    public static readonly KeySpec Rsa4096 = new(KeyAlgorithm.Rsa, 4096);

    public static IReadOnlyList<KeySpec> All { get; } = [EcP256, EcP384, Rsa2048, Rsa3072, Rsa4096];

    public string Name => Algorithm == KeyAlgorithm.Ecdsa ? $"ec-p{Size}" : $"rsa-{Size}";

    public static bool TryParse(string? text, out KeySpec spec)
    {
        spec = All.FirstOrDefault(s => string.Equals(s.Name, text?.Trim(), StringComparison.OrdinalIgnoreCase))!;
        return spec is not null;
    }

    /// <summary>The hash that matches the key's strength (SHA-384 for P-384, SHA-256 otherwise).</summary>
    public HashAlgorithmName SignatureHash => Algorithm == KeyAlgorithm.Ecdsa && Size >= 384
        ? HashAlgorithmName.SHA384
        : HashAlgorithmName.SHA256;

    public AsymmetricAlgorithm Generate() => Algorithm switch
    {
        KeyAlgorithm.Ecdsa => ECDsa.Create(Size switch
        {
            256 => ECCurve.NamedCurves.nistP256,
            384 => ECCurve.NamedCurves.nistP384,
            521 => ECCurve.NamedCurves.nistP521,
            _ => throw new NotSupportedException($"EC curve size {Size} is not supported."),
        }),
        KeyAlgorithm.Rsa => RSA.Create(Size),
        _ => throw new NotSupportedException($"Key algorithm {Algorithm} is not supported."),
    };

    public override string ToString() => Name;
}
