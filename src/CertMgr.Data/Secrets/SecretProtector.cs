using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace CertMgr.Data.Secrets;

/// <summary>
/// Envelope encryption for every secret CertMgr stores: each value gets its own random 256-bit data key
/// (AES-256-GCM), and that data key is wrapped by the master key (AES-256-GCM). The purpose string is bound in
/// as associated data, so a sealed private key cannot be replayed as, say, a provider password.
/// </summary>
/// <remarks>
/// Layout, version 1: <c>01 | keyId(4) | wrapNonce(12) | wrapTag(16) | wrappedKey(32) | dataNonce(12) | dataTag(16) | ciphertext</c>.
/// </remarks>
public sealed class SecretProtector
{
    private const byte Version1 = 1;
    private const int KeyIdSize = 4;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int KeySize = 32;
    private const int HeaderSize = 1 + KeyIdSize + NonceSize + TagSize + KeySize + NonceSize + TagSize;

    private readonly byte[] _masterKey;
    private readonly uint _keyId;

    public SecretProtector(ReadOnlySpan<byte> masterKey)
    {
        if (masterKey.Length != KeySize)
        {
            throw new ArgumentException("The master key must be 32 bytes.", nameof(masterKey));
        }

        _masterKey = masterKey.ToArray();
        _keyId = KeyIdOf(masterKey);
    }

    /// <summary>A short, non-secret fingerprint of the master key, recorded in every sealed value.</summary>
    public static uint KeyIdOf(ReadOnlySpan<byte> masterKey) =>
        BinaryPrimitives.ReadUInt32BigEndian(SHA256.HashData(masterKey));

    public byte[] Protect(ReadOnlySpan<byte> plaintext, string purpose)
    {
        var aad = Encoding.UTF8.GetBytes(purpose);
        var output = new byte[HeaderSize + plaintext.Length];
        var span = output.AsSpan();
        span[0] = Version1;
        BinaryPrimitives.WriteUInt32BigEndian(span.Slice(1, KeyIdSize), _keyId);

        var wrapNonce = span.Slice(1 + KeyIdSize, NonceSize);
        var wrapTag = span.Slice(1 + KeyIdSize + NonceSize, TagSize);
        var wrappedKey = span.Slice(1 + KeyIdSize + NonceSize + TagSize, KeySize);
        var dataNonce = span.Slice(1 + KeyIdSize + NonceSize + TagSize + KeySize, NonceSize);
        var dataTag = span.Slice(HeaderSize - TagSize, TagSize);
        var ciphertext = span[HeaderSize..];

        Span<byte> dataKey = stackalloc byte[KeySize];
        RandomNumberGenerator.Fill(dataKey);
        RandomNumberGenerator.Fill(wrapNonce);
        RandomNumberGenerator.Fill(dataNonce);
        try
        {
            using (var wrap = new AesGcm(_masterKey, TagSize))
            {
                wrap.Encrypt(wrapNonce, dataKey, wrappedKey, wrapTag, aad);
            }

            using var data = new AesGcm(dataKey, TagSize);
            data.Encrypt(dataNonce, plaintext, ciphertext, dataTag, aad);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }

        return output;
    }

    public byte[] Protect(string plaintext, string purpose) => Protect(Encoding.UTF8.GetBytes(plaintext), purpose);

    /// <summary>Opens a sealed value.</summary>
    /// <exception cref="SecretUnavailableException">The value is damaged, sealed for another purpose, or under another master key.</exception>
    public byte[] Unprotect(ReadOnlySpan<byte> sealedValue, string purpose)
    {
        if (sealedValue.Length < HeaderSize || sealedValue[0] != Version1)
        {
            throw new SecretUnavailableException("The stored secret is not in a format this version of CertMgr reads.");
        }

        if (BinaryPrimitives.ReadUInt32BigEndian(sealedValue.Slice(1, KeyIdSize)) != _keyId)
        {
            throw new SecretUnavailableException("The stored secret was sealed under a different master key.");
        }

        var aad = Encoding.UTF8.GetBytes(purpose);
        var wrapNonce = sealedValue.Slice(1 + KeyIdSize, NonceSize);
        var wrapTag = sealedValue.Slice(1 + KeyIdSize + NonceSize, TagSize);
        var wrappedKey = sealedValue.Slice(1 + KeyIdSize + NonceSize + TagSize, KeySize);
        var dataNonce = sealedValue.Slice(1 + KeyIdSize + NonceSize + TagSize + KeySize, NonceSize);
        var dataTag = sealedValue.Slice(HeaderSize - TagSize, TagSize);
        var ciphertext = sealedValue[HeaderSize..];

        Span<byte> dataKey = stackalloc byte[KeySize];
        var plaintext = new byte[ciphertext.Length];
        try
        {
            using (var wrap = new AesGcm(_masterKey, TagSize))
            {
                wrap.Decrypt(wrapNonce, wrappedKey, wrapTag, dataKey, aad);
            }

            using var data = new AesGcm(dataKey, TagSize);
            data.Decrypt(dataNonce, ciphertext, dataTag, plaintext, aad);
            return plaintext;
        }
        catch (AuthenticationTagMismatchException)
        {
            CryptographicOperations.ZeroMemory(plaintext);
            throw new SecretUnavailableException("The stored secret failed its integrity check (damaged, or sealed for another purpose).");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    public string UnprotectString(ReadOnlySpan<byte> sealedValue, string purpose) =>
        Encoding.UTF8.GetString(Unprotect(sealedValue, purpose));
}

/// <summary>A stored secret cannot be opened. The message never contains secret material.</summary>
public sealed class SecretUnavailableException(string message) : Exception(message);

/// <summary>Purpose labels bound into sealed values.</summary>
public static class SecretPurposes
{
    public const string PrivateKey = "private-key";
    public const string ProviderPassword = "provider-password";
    public const string CaConnection = "ca-connection";
    public const string Setting = "setting";
    public const string SshSecret = "ssh-secret";
    public const string Webhook = "webhook";
}
