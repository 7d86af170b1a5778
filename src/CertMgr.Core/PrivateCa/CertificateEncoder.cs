using System.Formats.Asn1;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertMgr.Data.Model;

namespace CertMgr.Core.PrivateCa;

/// <summary>
/// What stays the same for every certificate one CA signs, encoded once: issuer name, authority key identifier,
/// signature algorithm, and any extensions from the CA's configuration (CRL distribution points, AIA).
/// </summary>
public sealed class CaSigningContext
{
    private readonly AsymmetricAlgorithm _key;

    public CaSigningContext(X509Certificate2 caCertificate, AsymmetricAlgorithm caKey, IReadOnlyList<X509Extension>? extraExtensions = null)
    {
        ArgumentNullException.ThrowIfNull(caCertificate);
        ArgumentNullException.ThrowIfNull(caKey);
        _key = caKey;
        IssuerName = caCertificate.SubjectName.RawData;
        CaNotAfter = new DateTimeOffset(caCertificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        AuthorityKeyIdentifier = X509AuthorityKeyIdentifierExtension.CreateFromCertificate(caCertificate, true, false).RawData;
        AuthorityKeyIdentifierExtension = CertificateEncoder.EncodeExtension("2.5.29.35", critical: false, AuthorityKeyIdentifier);
        ExtraExtensions = extraExtensions ?? [];
        Hash = CertificateIssuer.SignatureHash(caKey);
        SignatureAlgorithm = caKey switch
        {
            ECDsa => AlgorithmIdentifier(Hash == HashAlgorithmName.SHA384 ? "1.2.840.10045.4.3.3" : "1.2.840.10045.4.3.2", withNullParameters: false),
            RSA => AlgorithmIdentifier("1.2.840.113549.1.1.11", withNullParameters: true),
            _ => throw new NotSupportedException($"CA key type {caKey.GetType().Name} is not supported."),
        };
    }

    public byte[] IssuerName { get; }
    public DateTimeOffset CaNotAfter { get; }
    public byte[] AuthorityKeyIdentifier { get; }
    internal byte[] AuthorityKeyIdentifierExtension { get; }
    public byte[] SignatureAlgorithm { get; }
    public HashAlgorithmName Hash { get; }
    public IReadOnlyList<X509Extension> ExtraExtensions { get; }

    internal byte[] Sign(ReadOnlySpan<byte> data) => _key switch
    {
        ECDsa ec => ec.SignData(data, Hash, DSASignatureFormat.Rfc3279DerSequence),
        RSA rsa => rsa.SignData(data.ToArray(), Hash, RSASignaturePadding.Pkcs1),
        _ => throw new NotSupportedException(),
    };

    private static byte[] AlgorithmIdentifier(string oid, bool withNullParameters)
    {
        var w = new AsnWriter(AsnEncodingRules.DER);
        using (w.PushSequence())
        {
            w.WriteObjectIdentifier(oid);
            if (withNullParameters)
            {
                w.WriteNull();
            }
        }

        return w.Encode();
    }
}

/// <summary>
/// Encodes and signs an end-entity certificate (RFC 5280) directly: one pass of DER encoding and one signature,
/// without the round trips of .NET's CertificateRequest through parsed certificate objects. This is the
/// CA's hot path.
/// </summary>
public static class CertificateEncoder
{
    private const string BasicConstraintsOid = "2.5.29.19";
    private const string KeyUsageOid = "2.5.29.15";
    private const string ExtendedKeyUsageOid = "2.5.29.37";
    private const string SubjectAltNameOid = "2.5.29.17";
    private const string SubjectKeyIdentifierOid = "2.5.29.14";
    private const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";
    private const string EcPublicKeyOid = "1.2.840.10045.2.1";

    // The same for every end-entity certificate of a profile: encoded once.
    private static readonly byte[] BasicConstraintsEndEntity = EncodeExtension(BasicConstraintsOid, true, [0x30, 0x00]); // cA defaults to FALSE
    private static readonly byte[] KeyUsageEc = EncodeExtension(KeyUsageOid, true, new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true).RawData);
    private static readonly byte[] KeyUsageRsa = EncodeExtension(KeyUsageOid, true,
        new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true).RawData);
    private static readonly byte[] ServerAuth = EncodeExtension(ExtendedKeyUsageOid, false, ExtendedKeyUsage(ServerAuthOid));
    private static readonly byte[] ClientAuth = EncodeExtension(ExtendedKeyUsageOid, false, ExtendedKeyUsage(ClientAuthOid));

    /// <summary>Returns the DER of the signed certificate.</summary>
    public static byte[] Encode(CaSigningContext ca, IssuanceRequest request, byte[] serialNumber, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        ArgumentNullException.ThrowIfNull(ca);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(serialNumber);

        var tbs = new AsnWriter(AsnEncodingRules.DER);
        using (tbs.PushSequence())
        {
            using (tbs.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0)))
            {
                tbs.WriteInteger(2); // v3
            }

            tbs.WriteIntegerUnsigned(serialNumber);
            tbs.WriteEncodedValue(ca.SignatureAlgorithm);
            tbs.WriteEncodedValue(ca.IssuerName);
            using (tbs.PushSequence())
            {
                WriteTime(tbs, notBefore);
                WriteTime(tbs, notAfter);
            }

            tbs.WriteEncodedValue(request.Subject.RawData);
            tbs.WriteEncodedValue(request.PublicKey.ExportSubjectPublicKeyInfo());
            using (tbs.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 3)))
            using (tbs.PushSequence())
            {
                tbs.WriteEncodedValue(BasicConstraintsEndEntity);
                tbs.WriteEncodedValue(request.PublicKey.Oid.Value == EcPublicKeyOid ? KeyUsageEc : KeyUsageRsa);
                tbs.WriteEncodedValue(request.Profile == IssuedCertificateProfile.Client ? ClientAuth : ServerAuth);
                if (request.Names.Count > 0)
                {
                    // Critical when the subject is empty (RFC 5280 4.2.1.6).
                    WriteExtension(tbs, SubjectAltNameOid, critical: request.Subject.RawData.Length <= 2, SubjectAltNames(request.Names));
                }

                WriteExtension(tbs, SubjectKeyIdentifierOid, critical: false, SubjectKeyIdentifier(request.PublicKey));
                tbs.WriteEncodedValue(ca.AuthorityKeyIdentifierExtension);
                foreach (var extension in ca.ExtraExtensions)
                {
                    WriteExtension(tbs, extension.Oid!.Value!, extension.Critical, extension.RawData);
                }
            }
        }

        var tbsBytes = tbs.Encode();
        var signature = ca.Sign(tbsBytes);

        var cert = new AsnWriter(AsnEncodingRules.DER);
        using (cert.PushSequence())
        {
            cert.WriteEncodedValue(tbsBytes);
            cert.WriteEncodedValue(ca.SignatureAlgorithm);
            cert.WriteBitString(signature);
        }

        return cert.Encode();
    }

    // RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050.
    private static void WriteTime(AsnWriter w, DateTimeOffset t)
    {
        var utc = t.ToUniversalTime();
        utc = new DateTimeOffset(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        if (utc.Year < 2050)
        {
            w.WriteUtcTime(utc);
        }
        else
        {
            w.WriteGeneralizedTime(utc, omitFractionalSeconds: true);
        }
    }

    private static void WriteExtension(AsnWriter w, string oid, bool critical, ReadOnlySpan<byte> value)
    {
        using (w.PushSequence())
        {
            w.WriteObjectIdentifier(oid);
            if (critical)
            {
                w.WriteBoolean(true);
            }

            w.WriteOctetString(value);
        }
    }

    internal static byte[] EncodeExtension(string oid, bool critical, ReadOnlySpan<byte> value)
    {
        var w = new AsnWriter(AsnEncodingRules.DER);
        WriteExtension(w, oid, critical, value);
        return w.Encode();
    }

    private static byte[] ExtendedKeyUsage(string oid)
    {
        var w = new AsnWriter(AsnEncodingRules.DER);
        using (w.PushSequence())
        {
            w.WriteObjectIdentifier(oid);
        }

        return w.Encode();
    }

    private static byte[] SubjectAltNames(IReadOnlyList<string> names)
    {
        var w = new AsnWriter(AsnEncodingRules.DER);
        using (w.PushSequence())
        {
            foreach (var name in names)
            {
                if (IssuancePolicy.IsIpAddress(name) && IPAddress.TryParse(name, out var ip))
                {
                    w.WriteOctetString(ip.GetAddressBytes(), new Asn1Tag(TagClass.ContextSpecific, 7));
                }
                else
                {
                    w.WriteCharacterString(UniversalTagNumber.IA5String, name, new Asn1Tag(TagClass.ContextSpecific, 2));
                }
            }
        }

        return w.Encode();
    }

    // RFC 5280 4.2.1.2 method (1), as .NET computes it: SHA-1 of the subjectPublicKey bits (an identifier, not a signature).
    private static byte[] SubjectKeyIdentifier(PublicKey publicKey) =>
        new X509SubjectKeyIdentifierExtension(publicKey, false).RawData;
}
