using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;

namespace CertMgr.Core.Pki.Writing;

/// <summary>
/// PKCS#12 as OpenSSL 3 writes it by default: certificates in a PBES2 (AES-256-CBC, PBKDF2-HMAC-SHA256) encrypted
/// safe, the key in a shrouded key bag with the same protection, and an HMAC-SHA256 MAC over the whole.
/// </summary>
/// <remarks>
/// <c>X509Certificate2Collection.Export(Pkcs12)</c> is not used: its defaults are 3DES and SHA-1, and it gives no
/// control over the attributes that pair the key with its certificate.
/// </remarks>
internal static class Pkcs12Writer
{
    private const string FriendlyNameOid = "1.2.840.113549.1.9.20";

    public static byte[] Write(
        X509Certificate2 leaf,
        IReadOnlyList<X509Certificate2> chain,
        AsymmetricAlgorithm? key,
        string passphrase,
        string friendlyName,
        PbeParameters pbe)
    {
        // The local key id (the leaf's SHA-1, as OpenSSL writes it) ties the key bag to its certificate bag;
        // the friendly name on both is the alias Java shows.
        var localKeyId = new Pkcs9LocalKeyId(leaf.GetCertHash(HashAlgorithmName.SHA1));
        var name = FriendlyName(friendlyName);

        var certificates = new Pkcs12SafeContents();
        var leafBag = certificates.AddCertificate(leaf);
        leafBag.Attributes.Add(name);
        if (key is not null)
        {
            leafBag.Attributes.Add(localKeyId);
        }

        foreach (var issuer in chain)
        {
            certificates.AddCertificate(issuer);
        }

        var builder = new Pkcs12Builder();
        builder.AddSafeContentsEncrypted(certificates, passphrase, pbe);
        if (key is not null)
        {
            var keys = new Pkcs12SafeContents();
            var keyBag = keys.AddShroudedKey(key, passphrase, pbe);
            keyBag.Attributes.Add(name);
            keyBag.Attributes.Add(localKeyId);
            builder.AddSafeContentsUnencrypted(keys);
        }

        builder.SealWithMac(passphrase, HashAlgorithmName.SHA256, pbe.IterationCount);
        return builder.Encode();
    }

    private static AsnEncodedData FriendlyName(string name)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteCharacterString(UniversalTagNumber.BMPString, name);
        return new AsnEncodedData(new Oid(FriendlyNameOid), writer.Encode());
    }
}
