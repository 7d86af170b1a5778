using System.Buffers.Binary;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.Common;

namespace CertMgr.Core.Pki.Reading;

/// <summary>
/// Reads certificates, keys and chains from any supported container, detected from the content (never the file
/// name): PEM, DER, PKCS#7, PKCS#12 and JKS. Pure: no I/O, no clock. Either a whole bundle or one error; never a
/// partial result, never key material in a message.
/// </summary>
public static class CertificateReader
{
    private const string Pkcs7SignedData = "1.2.840.113549.1.7.2";

    public static Result<CertificateBundle> Read(ReadOnlySpan<byte> data, ReadOptions? options = null)
    {
        options ??= ReadOptions.Default;
        using var contents = ReadContents(data, options, "file");
        if (!contents.IsSuccess)
        {
            return contents.Error;
        }

        var merged = contents.Value;
        if (options.ChainData is { } chainData)
        {
            using var chain = ReadContents(chainData, options with { Password = null }, "chain file");
            if (!chain.IsSuccess)
            {
                return chain.Error;
            }

            merged.Certificates.AddRange(chain.Value.Certificates);
            chain.Value.Certificates.Clear();
        }

        if (options.KeyData is { } keyData)
        {
            var key = ReadKeyFile(keyData, options);
            if (!key.IsSuccess)
            {
                return key.Error;
            }

            merged.Keys.Add(key.Value);
        }

        return ChainAssembler.Assemble(merged);
    }

    /// <summary>Reads one input into its certificates and keys; the caller disposes the contents.</summary>
    private static DisposableResult ReadContents(ReadOnlySpan<byte> data, ReadOptions options, string what)
    {
        if (data.Length > options.MaxBytes)
        {
            return new(new Error(ReadErrors.TooLarge, $"The {what} is {data.Length} bytes, over the limit of {options.MaxBytes} bytes."));
        }

        if (data.IsEmpty || data.Trim(" \t\r\n\0"u8).IsEmpty)
        {
            return new(ReadErrors.Malformed($"The {what} is empty."));
        }

        if (data.Length >= 4 && BinaryPrimitives.ReadUInt32BigEndian(data) == JksKeystores.Magic)
        {
            var keystore = data.ToArray();
            return Fill(new FileContents(CertificateFormat.Jks), c => JksKeystores.ReadInto(c, keystore, options));
        }

        if (data.Length >= 4 && BinaryPrimitives.ReadUInt32BigEndian(data) == JksKeystores.JceksMagic)
        {
            return new(ReadErrors.NotSupported("JCEKS keystores are not supported; convert it with 'keytool -importkeystore -deststoretype PKCS12'."));
        }

        if (data[0] == 0x30)
        {
            return ReadDer(data.ToArray(), options, what);
        }

        if (PemBlocks.LooksLikePem(data))
        {
            var blocks = PemBlocks.Parse(data);
            return blocks.IsSuccess
                ? Fill(new FileContents(CertificateFormat.Pem), c => PemFiles.ReadInto(c, blocks.Value, options))
                : new(blocks.Error);
        }

        return new(ReadErrors.Malformed($"The {what} is not in a recognised format (PEM, DER, PKCS#7, PKCS#12 or JKS)."));
    }

    private static DisposableResult ReadDer(byte[] data, ReadOptions options, string what)
    {
        var kind = SniffDer(data);
        return kind switch
        {
            DerKind.Certificate => Fill(new FileContents(CertificateFormat.Der), c => AddCertificate(c, data)),
            DerKind.Pkcs12 => Fill(new FileContents(CertificateFormat.Pkcs12), c => Pkcs12Files.ReadInto(c, data, options)),
            DerKind.Pkcs7 => Fill(new FileContents(CertificateFormat.Pkcs7), c => Pkcs7Bundles.ReadInto(c, data, options)),
            DerKind.PrivateKey or DerKind.EncryptedPrivateKey or DerKind.Pkcs1OrSec1 => new(new Error(ReadErrors.NoCertificate, $"The {what} holds a private key but no certificate.")),
            DerKind.Request => new(new Error(ReadErrors.NoCertificate, $"The {what} holds a certificate signing request, not a certificate.")),
            DerKind.OtherPkcs7 => new(ReadErrors.NotSupported($"The {what} is PKCS#7 data other than a certificate bundle.")),
            _ => new(ReadErrors.Malformed($"The {what} is malformed or truncated DER data.")),
        };
    }

    internal static Result<bool> AddCertificate(FileContents contents, byte[] der)
    {
        try
        {
            contents.Certificates.Add(X509CertificateLoader.LoadCertificate(der));
            return true;
        }
        catch (CryptographicException)
        {
            // .NET refuses certificates for keys it cannot represent (Ed25519, ...): say so rather than "corrupt".
            var algorithm = PublicKeyAlgorithm(der);
            return algorithm is not null && !PrivateKeys.IsSupportedAlgorithm(algorithm)
                ? ReadErrors.NotSupported($"The certificate's key algorithm {PrivateKeys.AlgorithmName(algorithm)} is not supported; use RSA or EC (ECDSA).")
                : ReadErrors.Malformed("A certificate is malformed or truncated.");
        }
    }

    /// <summary>The SubjectPublicKeyInfo algorithm of a DER certificate, or null when the structure is not one.</summary>
    private static string? PublicKeyAlgorithm(byte[] der)
    {
        try
        {
            var tbs = new AsnReader(der, AsnEncodingRules.DER).ReadSequence().ReadSequence();
            if (tbs.PeekTag() == new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true))
            {
                tbs.ReadEncodedValue();
            }

            for (var skip = 0; skip < 5; skip++)
            {
                tbs.ReadEncodedValue(); // serial, signature, issuer, validity, subject
            }

            return tbs.ReadSequence().ReadSequence().ReadObjectIdentifier();
        }
        catch (AsnContentException)
        {
            return null;
        }
    }

    private static Result<AsymmetricAlgorithm> ReadKeyFile(byte[] data, ReadOptions options)
    {
        if (data.Length > options.MaxBytes)
        {
            return new Error(ReadErrors.TooLarge, $"The key file is {data.Length} bytes, over the limit of {options.MaxBytes} bytes.");
        }

        var span = data.AsSpan();
        if (span.Trim(" \t\r\n\0"u8).IsEmpty)
        {
            return ReadErrors.Malformed("The key file is empty.");
        }

        var keyOptions = options with { Password = options.EffectiveKeyPassword };
        if (span[0] == 0x30)
        {
            var bytes = data;
            return SniffDer(bytes) switch
            {
                DerKind.PrivateKey => PrivateKeys.FromPkcs8(bytes),
                DerKind.EncryptedPrivateKey => PrivateKeys.FromEncryptedPkcs8(bytes, keyOptions.Password, options.MaxKdfIterations),
                DerKind.Pkcs1OrSec1 => PrivateKeys.FromPkcs1(bytes) is { IsSuccess: true } rsa ? rsa : PrivateKeys.FromSec1(bytes),
                _ => new Error(ReadErrors.Corrupt, "The key file holds no private key in a recognised form (PEM or DER PKCS#8)."),
            };
        }

        if (!PemBlocks.LooksLikePem(span))
        {
            return ReadErrors.Malformed("The key file is not in a recognised format (PEM or DER PKCS#8).");
        }

        var blocks = PemBlocks.Parse(span);
        if (!blocks.IsSuccess)
        {
            return blocks.Error;
        }

        using var contents = new FileContents(CertificateFormat.Pem);
        var read = PemFiles.ReadInto(contents, blocks.Value, keyOptions);
        if (!read.IsSuccess)
        {
            return read.Error;
        }

        if (contents.Keys.Count == 0)
        {
            return new Error(ReadErrors.Corrupt, "The key file holds no private key.");
        }

        var key = contents.Keys[0];
        contents.Keys.RemoveAt(0);
        return key;
    }

    private static DisposableResult Fill(FileContents contents, Func<FileContents, Result<bool>> read)
    {
        var result = read(contents);
        if (result.IsSuccess)
        {
            return new(contents);
        }

        contents.Dispose();
        return new(result.Error);
    }

    private enum DerKind
    {
        Malformed,
        Certificate,
        Request,
        Pkcs12,
        Pkcs7,
        OtherPkcs7,
        PrivateKey,
        EncryptedPrivateKey,
        Pkcs1OrSec1,
    }

    /// <summary>Tells DER structures apart by their shape, without parsing their contents.</summary>
    private static DerKind SniffDer(byte[] data)
    {
        try
        {
            var reader = new AsnReader(data, AsnEncodingRules.BER);
            var outer = reader.ReadSequence();
            if (reader.HasData)
            {
                return DerKind.Malformed;
            }

            var first = outer.PeekTag();
            if (first == Asn1Tag.ObjectIdentifier)
            {
                return outer.ReadObjectIdentifier() == Pkcs7SignedData ? DerKind.Pkcs7 : DerKind.OtherPkcs7;
            }

            if (first == Asn1Tag.Integer)
            {
                outer.TryReadInt32(out var version);
                var second = outer.PeekTag();
                return (version, second) switch
                {
                    (3, _) when second == Asn1Tag.Sequence => DerKind.Pkcs12,
                    (0 or 1, _) when second == Asn1Tag.Sequence => DerKind.PrivateKey,
                    _ => DerKind.Pkcs1OrSec1,
                };
            }

            if (first == Asn1Tag.Sequence)
            {
                var inner = outer.ReadSequence();
                var innerFirst = inner.PeekTag();
                if (innerFirst == Asn1Tag.ObjectIdentifier)
                {
                    return DerKind.EncryptedPrivateKey;
                }

                if (innerFirst == new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true))
                {
                    return DerKind.Certificate;
                }

                if (innerFirst == Asn1Tag.Integer)
                {
                    // v1 certificate: serial, then AlgorithmIdentifier. CSR: version 0, then the subject Name.
                    inner.ReadIntegerBytes();
                    if (inner.PeekTag() != Asn1Tag.Sequence)
                    {
                        return DerKind.Malformed;
                    }

                    var next = inner.ReadSequence();
                    return next.HasData && next.PeekTag() == Asn1Tag.ObjectIdentifier ? DerKind.Certificate : DerKind.Request;
                }
            }

            return DerKind.Malformed;
        }
        catch (AsnContentException)
        {
            return DerKind.Malformed;
        }
    }

    /// <summary>A read result that owns its contents (so `using` releases them on every path).</summary>
    private readonly struct DisposableResult : IDisposable
    {
        private readonly Result<FileContents> _result;

        public DisposableResult(FileContents contents) => _result = contents;

        public DisposableResult(Error error) => _result = error;

        public bool IsSuccess => _result.IsSuccess;

        public Error Error => _result.Error!;

        public FileContents Value => _result.Value;

        public void Dispose()
        {
            if (_result.IsSuccess)
            {
                _result.Value.Dispose();
            }
        }
    }
}
