using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.PrivateCa;
using CertMgr.Data.Model;

namespace CertMgr.Core.Tests.PrivateCa;

internal static class CaTestData
{
    public static PublicKey PublicKeyOf(AsymmetricAlgorithm key) =>
        PublicKey.CreateFromSubjectPublicKeyInfo(key.ExportSubjectPublicKeyInfo(), out _);

    public static IssuanceRequest Server(PublicKey key, params string[] names) =>
        new(new X500DistinguishedName("CN=" + (names.Length > 0 ? names[0] : "none")), key, names, IssuedCertificateProfile.Server, TimeSpan.FromDays(90));

    public static IssuanceRequest Server(params string[] names)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return Server(PublicKeyOf(key), names);
    }

    /// <summary>A public RSA key with the given modulus and exponent (no private half: only the policy sees it).</summary>
    public static PublicKey RsaPublic(BigInteger modulus, BigInteger exponent)
    {
        var rsaKey = new AsnWriter(AsnEncodingRules.DER);
        using (rsaKey.PushSequence())
        {
            rsaKey.WriteInteger(modulus);
            rsaKey.WriteInteger(exponent);
        }

        var spki = new AsnWriter(AsnEncodingRules.DER);
        using (spki.PushSequence())
        {
            using (spki.PushSequence())
            {
                spki.WriteObjectIdentifier("1.2.840.113549.1.1.1");
                spki.WriteNull();
            }

            spki.WriteBitString(rsaKey.Encode());
        }

        return PublicKey.CreateFromSubjectPublicKeyInfo(spki.Encode(), out _);
    }

    public static BigInteger RealModulus(int bits)
    {
        using var rsa = RSA.Create(bits);
        return new BigInteger(rsa.ExportParameters(false).Modulus, isUnsigned: true, isBigEndian: true);
    }

    public static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "certmgr-ca-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    public static string Pem(byte[] der, string label = "CERTIFICATE") => PemEncoding.WriteString(label, der) + "\n";
}
