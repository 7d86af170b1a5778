using System.Security.Cryptography;

namespace CertMgr.Core.Deployments;

/// <summary>
/// Encryption that <c>openssl enc -d -aes-256-cbc -pbkdf2 -iter N -md sha256</c> decrypts: "Salted__", an 8-byte
/// salt, then AES-256-CBC (PKCS#7 padding) under a key and IV from PBKDF2-HMAC-SHA256 of the password.
/// </summary>
public static class OpensslEnc
{
    public const int Iterations = 600_000;

    public static byte[] Encrypt(ReadOnlySpan<byte> plaintext, string password, int iterations = Iterations)
    {
        ArgumentException.ThrowIfNullOrEmpty(password);
        var salt = RandomNumberGenerator.GetBytes(8);
        var material = Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, 48);
        try
        {
            using var aes = Aes.Create();
            aes.Key = material[..32];
            var body = aes.EncryptCbc(plaintext, material.AsSpan(32, 16), PaddingMode.PKCS7);
            return [.. "Salted__"u8, .. salt, .. body];
        }
        finally
        {
            CryptographicOperations.ZeroMemory(material);
        }
    }

    public static byte[] Decrypt(ReadOnlySpan<byte> data, string password, int iterations = Iterations)
    {
        ArgumentException.ThrowIfNullOrEmpty(password);
        if (data.Length < 32 || !data[..8].SequenceEqual("Salted__"u8))
        {
            throw new CryptographicException("Not an openssl enc salted payload.");
        }

        var material = Rfc2898DeriveBytes.Pbkdf2(password, data.Slice(8, 8), iterations, HashAlgorithmName.SHA256, 48);
        try
        {
            using var aes = Aes.Create();
            aes.Key = material[..32];
            return aes.DecryptCbc(data[16..], material.AsSpan(32, 16), PaddingMode.PKCS7);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(material);
        }
    }
}
