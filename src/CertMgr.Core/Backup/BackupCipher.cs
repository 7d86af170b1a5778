using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using CertMgr.Core.Common;

namespace CertMgr.Core.Backup;

/// <summary>
/// The encrypted container of a backup: a header (magic, version, PBKDF2-SHA256 iterations, salt, nonce prefix, chunk
/// size, and an HMAC-SHA256 of those under a second key from the passphrase, so a wrong passphrase is told apart from a
/// changed file) followed by AES-256-GCM chunks. Each chunk's nonce is the header's 8-byte prefix and the chunk's 4-byte
/// counter; its associated data is the whole header, the counter and a final-chunk flag, so chunks cannot be
/// reordered, dropped, spliced from another file, or the stream cut short without the tag check failing.
/// </summary>
public static class BackupCipher
{
    public const int DefaultIterations = 600_000;
    public const int MinimumPassphraseLength = 10;
    private const int MaxIterations = 10_000_000;
    private const int ChunkSize = 1 << 20;
    private const int TagSize = 16;
    private const int SaltSize = 16;
    private const int NoncePrefixSize = 8;
    private static readonly byte[] Magic = "CMBACKUP"u8.ToArray();
    private const byte Version = 1;
    private const int FieldsSize = 8 + 1 + 4 + SaltSize + NoncePrefixSize + 4;
    private const int MacSize = 32;
    private const int HeaderSize = FieldsSize + MacSize;

    /// <summary>A passphrase's shape check: empty or short ones are refused before any work.</summary>
    public static Result<string> CheckPassphrase(string? passphrase) =>
        string.IsNullOrEmpty(passphrase) || passphrase.Length < MinimumPassphraseLength
            ? Result<string>.Failure("backup.passphrase", $"The backup passphrase must have at least {MinimumPassphraseLength} characters.")
            : passphrase;

    /// <summary>Encrypts all of <paramref name="plaintext"/> into <paramref name="output"/>.</summary>
    public static async Task EncryptAsync(Stream plaintext, Stream output, string passphrase, CancellationToken ct, int iterations = DefaultIterations)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        ArgumentNullException.ThrowIfNull(output);
        var header = new byte[HeaderSize];
        Magic.CopyTo(header, 0);
        header[8] = Version;
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(9), iterations);
        RandomNumberGenerator.Fill(header.AsSpan(13, SaltSize + NoncePrefixSize));
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(13 + SaltSize + NoncePrefixSize), ChunkSize);
        var keys = DeriveKeys(passphrase, header.AsSpan(13, SaltSize), iterations);
        var key = keys[..32];
        try
        {
            HMACSHA256.HashData(keys.AsSpan(32), header.AsSpan(0, FieldsSize), header.AsSpan(FieldsSize));
            using var aes = new AesGcm(key, TagSize);
            await output.WriteAsync(header, ct);
            var current = new byte[ChunkSize];
            var next = new byte[ChunkSize];
            var cipher = new byte[ChunkSize];
            var tag = new byte[TagSize];
            var lengthBytes = new byte[4];
            var currentLength = await ReadFullAsync(plaintext, current, ct);
            for (uint counter = 0; ; counter++)
            {
                var nextLength = currentLength == ChunkSize ? await ReadFullAsync(plaintext, next, ct) : 0;
                var final = nextLength == 0;
                aes.Encrypt(Nonce(header, counter), current.AsSpan(0, currentLength), cipher.AsSpan(0, currentLength), tag, Aad(header, counter, final));
                BinaryPrimitives.WriteInt32BigEndian(lengthBytes, currentLength);
                await output.WriteAsync(lengthBytes, ct);
                await output.WriteAsync(cipher.AsMemory(0, currentLength), ct);
                await output.WriteAsync(tag, ct);
                if (final)
                {
                    break;
                }

                (current, next) = (next, current);
                currentLength = nextLength;
            }

            CryptographicOperations.ZeroMemory(current);
            CryptographicOperations.ZeroMemory(next);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(keys);
        }
    }

    /// <summary>
    /// Decrypts <paramref name="input"/> into <paramref name="plaintext"/>; a wrong passphrase, a foreign file, or any
    /// change to the file is an error. The caller must discard what was written on error.
    /// </summary>
    public static async Task<Result<long>> DecryptAsync(Stream input, Stream plaintext, string passphrase, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(plaintext);
        var header = new byte[HeaderSize];
        if (await ReadFullAsync(input, header, ct) != HeaderSize || !header.AsSpan(0, 8).SequenceEqual(Magic))
        {
            return new Error("backup.format", "The file is not a CertMgr backup.");
        }

        if (header[8] != Version)
        {
            return new Error("backup.version", $"The backup format version {header[8]} is not supported by this CertMgr.");
        }

        var iterations = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(9));
        var chunkSize = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(13 + SaltSize + NoncePrefixSize));
        if (iterations is < 1 or > MaxIterations || chunkSize is < 1 or > 16 * ChunkSize)
        {
            return Tampered();
        }

        var keys = DeriveKeys(passphrase, header.AsSpan(13, SaltSize), iterations);
        var key = keys[..32];
        try
        {
            if (!CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(keys.AsSpan(32), header.AsSpan(0, FieldsSize)), header.AsSpan(FieldsSize)))
            {
                return new Error("backup.passphrase", "The passphrase is wrong (or the backup file's header was changed).");
            }

            using var aes = new AesGcm(key, TagSize);
            var cipher = new byte[chunkSize];
            var clear = new byte[chunkSize];
            var tag = new byte[TagSize];
            var lengthBytes = new byte[4];
            long total = 0;
            for (uint counter = 0; ; counter++)
            {
                if (await ReadFullAsync(input, lengthBytes, ct) != 4)
                {
                    return Tampered();
                }

                var length = BinaryPrimitives.ReadInt32BigEndian(lengthBytes);
                if (length < 0 || length > chunkSize ||
                    await ReadFullAsync(input, cipher.AsMemory(0, length), ct) != length ||
                    await ReadFullAsync(input, tag, ct) != TagSize)
                {
                    return Tampered();
                }

                // Whether this is the last chunk is what the writer said in the tag: try "not final" only when more follows.
                var more = HasMore(input);
                try
                {
                    aes.Decrypt(Nonce(header, counter), cipher.AsSpan(0, length), tag, clear.AsSpan(0, length), Aad(header, counter, !more));
                }
                catch (AuthenticationTagMismatchException)
                {
                    return Tampered();
                }

                await plaintext.WriteAsync(clear.AsMemory(0, length), ct);
                total += length;
                if (!more)
                {
                    CryptographicOperations.ZeroMemory(clear);
                    return total;
                }
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(keys);
        }
    }

    private static Error Tampered() =>
        new Error("backup.tampered", "The backup file is damaged or was changed; nothing was restored.");

    private static bool HasMore(Stream input) =>
        input.CanSeek ? input.Position < input.Length : throw new NotSupportedException("Backups are read from seekable files.");

    /// <summary>64 bytes: the AES-256-GCM key, then the header's HMAC key.</summary>
    private static byte[] DeriveKeys(string passphrase, ReadOnlySpan<byte> salt, int iterations) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(passphrase), salt, iterations, HashAlgorithmName.SHA256, 64);

    private static byte[] Nonce(byte[] header, uint counter)
    {
        var nonce = new byte[12];
        header.AsSpan(13 + SaltSize, NoncePrefixSize).CopyTo(nonce);
        BinaryPrimitives.WriteUInt32BigEndian(nonce.AsSpan(NoncePrefixSize), counter);
        return nonce;
    }

    private static byte[] Aad(byte[] header, uint counter, bool final)
    {
        var aad = new byte[HeaderSize + 5];
        header.CopyTo(aad, 0);
        BinaryPrimitives.WriteUInt32BigEndian(aad.AsSpan(HeaderSize), counter);
        aad[HeaderSize + 4] = final ? (byte)1 : (byte)0;
        return aad;
    }

    private static async Task<int> ReadFullAsync(Stream stream, Memory<byte> buffer, CancellationToken ct)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer[read..], ct);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        return read;
    }
}
