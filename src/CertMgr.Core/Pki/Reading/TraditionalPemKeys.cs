using System.Security.Cryptography;
using System.Text;
using CertMgr.Core.Common;

namespace CertMgr.Core.Pki.Reading;

/// <summary>
/// Decrypts OpenSSL's traditional encrypted PEM keys (<c>Proc-Type: 4,ENCRYPTED</c> + <c>DEK-Info</c>). The scheme is
/// small and fixed (EVP_BytesToKey with MD5, one round, then CBC), so it is done here with .NET primitives: this keeps
/// wrong passwords a value (padding checked by hand) rather than an exception from a third-party parser.
/// </summary>
internal static class TraditionalPemKeys
{
    public static bool IsEncrypted(PemBlock block) =>
        block.Headers.TryGetValue("Proc-Type", out var procType) && procType.Replace(" ", "", StringComparison.Ordinal).Equals("4,ENCRYPTED", StringComparison.OrdinalIgnoreCase);

    /// <summary>The decrypted DER (PKCS#1 or SEC1) of an encrypted block.</summary>
    public static Result<byte[]> Decrypt(PemBlock block, string? password)
    {
        if (!block.Headers.TryGetValue("DEK-Info", out var dekInfo) || dekInfo.Split(',') is not [var cipherName, var ivHex])
        {
            return ReadErrors.Malformed("The encrypted PEM key has no valid DEK-Info header.");
        }

        int keyLength;
        int blockSize;
        switch (cipherName.Trim().ToUpperInvariant())
        {
            case "AES-128-CBC": keyLength = 16; blockSize = 16; break;
            case "AES-192-CBC": keyLength = 24; blockSize = 16; break;
            case "AES-256-CBC": keyLength = 32; blockSize = 16; break;
            case "DES-EDE3-CBC": keyLength = 24; blockSize = 8; break;
            case "DES-CBC": keyLength = 8; blockSize = 8; break;
            default:
                return ReadErrors.NotSupported($"The encrypted PEM key uses the cipher {cipherName.Trim()}; supported are AES-128/192/256-CBC, DES-EDE3-CBC and DES-CBC.");
        }

        byte[] iv;
        try
        {
            iv = Convert.FromHexString(ivHex.Trim());
        }
        catch (FormatException)
        {
            return ReadErrors.Malformed("The encrypted PEM key has a malformed DEK-Info IV.");
        }

        if (iv.Length != blockSize || block.Data.Length == 0 || block.Data.Length % blockSize != 0)
        {
            return ReadErrors.Malformed("The encrypted PEM key is truncated or malformed.");
        }

        if (password is null)
        {
            return ReadErrors.PasswordMissing("private key");
        }

        var key = BytesToKey(Encoding.UTF8.GetBytes(password), iv.AsSpan(0, 8), keyLength);
        try
        {
            var plain = DecryptCbc(cipherName.Trim().ToUpperInvariant(), key, iv, block.Data);
            var padding = plain[^1];
            if (padding is 0 || padding > blockSize || plain.AsSpan(plain.Length - padding).ContainsAnyExcept(padding))
            {
                CryptographicOperations.ZeroMemory(plain);
                return ReadErrors.PasswordWrong("private key");
            }

            var der = plain[..^padding];
            CryptographicOperations.ZeroMemory(plain);
            return der;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

#pragma warning disable CA5350, CA5351 // MD5, DES and 3DES are fixed by the legacy file format being read; nothing is encrypted with them.
    private static byte[] BytesToKey(byte[] password, ReadOnlySpan<byte> salt, int length)
    {
        var key = new byte[length];
        var previous = Array.Empty<byte>();
        var filled = 0;
        while (filled < length)
        {
            previous = MD5.HashData([.. previous, .. password, .. salt]);
            var take = Math.Min(previous.Length, length - filled);
            previous.AsSpan(0, take).CopyTo(key.AsSpan(filled));
            filled += take;
        }

        CryptographicOperations.ZeroMemory(password);
        return key;
    }

    private static byte[] DecryptCbc(string cipher, byte[] key, byte[] iv, byte[] data)
    {
        using SymmetricAlgorithm algorithm = cipher switch
        {
            "DES-EDE3-CBC" => TripleDES.Create(),
            "DES-CBC" => DES.Create(),
            _ => Aes.Create(),
        };
        algorithm.Key = key;
        return algorithm.DecryptCbc(data, iv, PaddingMode.None);
    }
#pragma warning restore CA5350, CA5351
}
