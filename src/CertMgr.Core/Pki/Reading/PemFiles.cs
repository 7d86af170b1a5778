using System.Formats.Asn1;
using CertMgr.Core.Common;

namespace CertMgr.Core.Pki.Reading;

/// <summary>Certificates, PKCS#7 bundles and private keys from PEM blocks; other blocks (parameters, CRLs) are skipped.</summary>
internal static class PemFiles
{
    public static Result<bool> ReadInto(FileContents contents, List<PemBlock> blocks, ReadOptions options)
    {
        var onlyPkcs7 = true;
        foreach (var block in blocks)
        {
            onlyPkcs7 &= block.Label == "PKCS7";
            var read = ReadBlock(contents, block, options);
            if (!read.IsSuccess)
            {
                return read.Error;
            }

            if (contents.Certificates.Count > options.MaxCertificates)
            {
                return new Error(ReadErrors.TooLarge, $"The file holds more than {options.MaxCertificates} certificates.");
            }
        }

        if (onlyPkcs7)
        {
            contents.Format = CertificateFormat.Pkcs7;
        }

        return true;
    }

    private static Result<bool> ReadBlock(FileContents contents, PemBlock block, ReadOptions options)
    {
        switch (block.Label)
        {
            case "CERTIFICATE" or "X509 CERTIFICATE":
                return CertificateReader.AddCertificate(contents, block.Data);
            case "TRUSTED CERTIFICATE":
                // OpenSSL's trusted form: the certificate, then trust settings. Keep the certificate.
                try
                {
                    AsnDecoder.ReadEncodedValue(block.Data, AsnEncodingRules.DER, out _, out _, out var length);
                    return CertificateReader.AddCertificate(contents, block.Data[..length]);
                }
                catch (AsnContentException)
                {
                    return ReadErrors.Malformed("A trusted certificate block is malformed or truncated.");
                }

            case "PKCS7" or "CERTIFICATE CHAIN":
                return Pkcs7Bundles.ReadInto(contents, block.Data, options);
            case "CERTIFICATE REQUEST" or "NEW CERTIFICATE REQUEST":
                contents.HasRequest = true;
                return true;
            case "PRIVATE KEY":
                return AddKey(contents, PrivateKeys.FromPkcs8(block.Data));
            case "ENCRYPTED PRIVATE KEY":
                return AddKey(contents, PrivateKeys.FromEncryptedPkcs8(block.Data, options.EffectiveKeyPassword, options.MaxKdfIterations));
            case "RSA PRIVATE KEY" or "EC PRIVATE KEY":
                return ReadTraditionalKey(contents, block, options);
            case "DSA PRIVATE KEY" or "OPENSSH PRIVATE KEY" or "ENCRYPTED PRIVATE KEY V2":
                return ReadErrors.NotSupported($"'{block.Label}' keys are not supported; use RSA or EC (ECDSA) keys in PEM.");
            default:
                return true;
        }
    }

    private static Result<bool> ReadTraditionalKey(FileContents contents, PemBlock block, ReadOptions options)
    {
        var der = block.Data;
        var encrypted = TraditionalPemKeys.IsEncrypted(block);
        if (encrypted)
        {
            var decrypted = TraditionalPemKeys.Decrypt(block, options.EffectiveKeyPassword);
            if (!decrypted.IsSuccess)
            {
                return decrypted.Error;
            }

            der = decrypted.Value;
        }

        try
        {
            var key = block.Label == "RSA PRIVATE KEY" ? PrivateKeys.FromPkcs1(der) : PrivateKeys.FromSec1(der);
            // Garbage that happens to end in valid padding is still a wrong password, not a corrupt file.
            return encrypted && !key.IsSuccess ? ReadErrors.PasswordWrong("private key") : AddKey(contents, key);
        }
        finally
        {
            if (encrypted)
            {
                System.Security.Cryptography.CryptographicOperations.ZeroMemory(der);
            }
        }
    }

    private static Result<bool> AddKey(FileContents contents, Result<System.Security.Cryptography.AsymmetricAlgorithm> key)
    {
        if (!key.IsSuccess)
        {
            return key.Error;
        }

        contents.Keys.Add(key.Value);
        return true;
    }
}
