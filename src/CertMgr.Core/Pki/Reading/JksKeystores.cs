using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.Common;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Security.Certificates;

namespace CertMgr.Core.Pki.Reading;

/// <summary>
/// Java JKS keystores, through BouncyCastle (.NET has no JKS reader). The layout is walked first, so that lengths
/// and entry counts are checked against the data and the limits before BouncyCastle allocates anything.
/// </summary>
internal static class JksKeystores
{
    public const uint Magic = 0xFEEDFEED;
    public const uint JceksMagic = 0xCECECECE;

    public static Result<bool> ReadInto(FileContents contents, byte[] data, ReadOptions options)
    {
        var layout = CheckLayout(data, options);
        if (!layout.IsSuccess)
        {
            return layout.Error;
        }

        var store = new JksStore();
        try
        {
            using var stream = new MemoryStream(data, writable: false);
            if (options.Password is null)
            {
                store.LoadUnchecked(stream);
            }
            else
            {
                store.Load(stream, options.Password.AsSpan());
            }
        }
        catch (IOException)
        {
            // With a password, the integrity check runs first and fails on a wrong one; without, only parsing can fail.
            return options.Password is null
                ? ReadErrors.Malformed("The JKS keystore holds a malformed entry.")
                : ReadErrors.PasswordWrong("keystore");
        }
        catch (Exception ex) when (ex is CertificateException or ArgumentException or NotSupportedException)
        {
            return ReadErrors.Malformed("The JKS keystore holds a malformed entry.");
        }

        foreach (var alias in store.Aliases.Order(StringComparer.Ordinal))
        {
            if (!store.IsKeyEntry(alias))
            {
                var added = AddCertificate(contents, store.GetCertificate(alias));
                if (!added.IsSuccess)
                {
                    return added.Error;
                }

                continue;
            }

            foreach (var certificate in store.GetCertificateChain(alias) ?? [])
            {
                var added = AddCertificate(contents, certificate);
                if (!added.IsSuccess)
                {
                    return added.Error;
                }
            }

            var key = ReadKey(store, alias, options.EffectiveKeyPassword);
            if (!key.IsSuccess)
            {
                return key.Error;
            }

            contents.Keys.Add(key.Value);
        }

        return true;
    }

    private static Result<AsymmetricAlgorithm> ReadKey(JksStore store, string alias, string? password)
    {
        if (password is null)
        {
            return ReadErrors.PasswordMissing("private key in the keystore");
        }

        byte[] pkcs8;
        try
        {
            var key = store.GetKey(alias, password.AsSpan());
            pkcs8 = PrivateKeyInfoFactory.CreatePrivateKeyInfo(key).GetDerEncoded();
        }
        catch (IOException)
        {
            return ReadErrors.PasswordWrong("private key in the keystore (give --key-password when it differs from the store password)");
        }

        try
        {
            return PrivateKeys.FromPkcs8(pkcs8);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    private static Result<bool> AddCertificate(FileContents contents, Org.BouncyCastle.X509.X509Certificate? certificate)
    {
        if (certificate is null)
        {
            return true;
        }

        try
        {
            contents.Certificates.Add(X509CertificateLoader.LoadCertificate(certificate.GetEncoded()));
            return true;
        }
        catch (CryptographicException)
        {
            return ReadErrors.Malformed("The JKS keystore holds a malformed certificate.");
        }
    }

    /// <summary>Walks the JKS layout: magic, version, entries (alias, date, key or certificates), 20-byte digest.</summary>
    private static Result<bool> CheckLayout(ReadOnlySpan<byte> data, ReadOptions options)
    {
        var truncated = ReadErrors.Malformed("The JKS keystore is truncated or malformed.");
        var reader = new SpanCursor(data[..Math.Max(0, data.Length - 20)]);
        if (data.Length < 32 || !reader.TryUInt32(out var magic) || magic != Magic || !reader.TryUInt32(out var version) ||
            version is not (1 or 2) || !reader.TryUInt32(out var count))
        {
            return truncated;
        }

        var maxEntries = options.MaxCertificates + options.MaxKeys;
        if (count > maxEntries)
        {
            return new Error(ReadErrors.TooLarge, $"The keystore holds more than {maxEntries} entries.");
        }

        var certificates = 0;
        for (var i = 0; i < count; i++)
        {
            if (!reader.TryUInt32(out var tag) || !reader.TrySkipUInt16Length() || !reader.TrySkip(8))
            {
                return truncated;
            }

            uint chainLength = 1;
            if (tag == 1 && (!reader.TrySkipUInt32Length() || !reader.TryUInt32(out chainLength)))
            {
                return truncated;
            }
            else if (tag is not (1 or 2))
            {
                return truncated;
            }

            certificates += (int)Math.Min(chainLength, int.MaxValue / 2);
            if (certificates > options.MaxCertificates)
            {
                return new Error(ReadErrors.TooLarge, $"The keystore holds more than {options.MaxCertificates} certificates.");
            }

            for (var c = 0; c < chainLength; c++)
            {
                if ((version == 2 && !reader.TrySkipUInt16Length()) || !reader.TrySkipUInt32Length())
                {
                    return truncated;
                }
            }
        }

        return reader.AtEnd ? true : truncated;
    }

    private ref struct SpanCursor(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _position;

        public readonly bool AtEnd => _position == _data.Length;

        public bool TryUInt32(out uint value)
        {
            value = 0;
            if (_data.Length - _position < 4)
            {
                return false;
            }

            value = BinaryPrimitives.ReadUInt32BigEndian(_data[_position..]);
            _position += 4;
            return true;
        }

        public bool TrySkip(long length)
        {
            if (length < 0 || length > _data.Length - _position)
            {
                return false;
            }

            _position += (int)length;
            return true;
        }

        public bool TrySkipUInt16Length()
        {
            if (_data.Length - _position < 2)
            {
                return false;
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(_data[_position..]);
            _position += 2;
            return TrySkip(length);
        }

        public bool TrySkipUInt32Length() => TryUInt32(out var length) && TrySkip(length);
    }
}
