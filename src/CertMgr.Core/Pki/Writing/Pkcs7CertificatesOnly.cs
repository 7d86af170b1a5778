using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace CertMgr.Core.Pki.Writing;

/// <summary>A certs-only PKCS#7 (RFC 5652 SignedData with no signers), the <c>.p7b</c>/<c>.p7c</c> bundle.</summary>
internal static class Pkcs7CertificatesOnly
{
    private const string SignedDataOid = "1.2.840.113549.1.7.2";
    private const string DataOid = "1.2.840.113549.1.7.1";

    /// <remarks>
    /// Written with System.Formats.Asn1 rather than <c>X509Certificate2Collection.Export(Pkcs7)</c> so that the
    /// output is the same on every platform. DER sorts the certificate SET, so readers must not rely on its order.
    /// </remarks>
    public static byte[] Encode(IEnumerable<X509Certificate2> certificates)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(SignedDataOid);
            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
            using (writer.PushSequence())
            {
                writer.WriteInteger(1);
                using (writer.PushSetOf())
                {
                    // no digest algorithms: nothing is signed
                }

                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier(DataOid);
                }

                using (writer.PushSetOf(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
                {
                    foreach (var certificate in certificates)
                    {
                        writer.WriteEncodedValue(certificate.RawData);
                    }
                }

                using (writer.PushSetOf())
                {
                    // no signer infos
                }
            }
        }

        return writer.Encode();
    }
}
