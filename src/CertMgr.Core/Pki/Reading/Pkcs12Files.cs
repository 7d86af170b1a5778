using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.Common;

namespace CertMgr.Core.Pki.Reading;

/// <summary>
/// PKCS#12 (.pfx, .p12, Java PKCS12 keystores), always read with explicit loader limits. A key bag encrypted under
/// a password other than the file's (Java's KeyStore API with distinct store and entry passwords) is read with
/// <see cref="ReadOptions.KeyPassword"/>.
/// </summary>
internal static class Pkcs12Files
{
    // What the loader sets on CryptographicException when the MAC does not verify with the password.
    private const int ErrorInvalidPassword = unchecked((int)0x80070056);

    public static Result<bool> ReadInto(FileContents contents, byte[] data, ReadOptions options)
    {
        var splitPasswords = options.KeyPassword is not null && options.KeyPassword != options.Password;
        if (!splitPasswords)
        {
            var whole = Load(data, options, ignorePrivateKeys: false);
            if (whole.IsSuccess)
            {
                AddAll(contents, whole.Value);
                return true;
            }

            // The password may open the file (MAC, certificates) but not its key bag, which the loader reports as
            // bad data: read the parts apart to tell which password is wrong.
            if (whole.Error.Code is not (ReadErrors.WrongPassword or ReadErrors.Corrupt) || options.Password is null)
            {
                return whole.Error;
            }
        }

        var certificates = Load(data, options, ignorePrivateKeys: true);
        if (!certificates.IsSuccess)
        {
            return certificates.Error;
        }

        AddAll(contents, certificates.Value);
        return ReadKeysInto(contents, data, options);
    }

    private static Result<X509Certificate2Collection> Load(byte[] data, ReadOptions options, bool ignorePrivateKeys)
    {
        var limits = new Pkcs12LoaderLimits
        {
            MacIterationLimit = options.MaxKdfIterations,
            IndividualKdfIterationLimit = options.MaxKdfIterations,
            TotalKdfIterationLimit = (int)Math.Min(options.MaxKdfIterations * 4L, int.MaxValue),
            MaxCertificates = options.MaxCertificates,
            MaxKeys = options.MaxKeys,
            IgnorePrivateKeys = ignorePrivateKeys,
        };

        try
        {
            return X509CertificateLoader.LoadPkcs12Collection(data, options.Password, X509KeyStorageFlags.EphemeralKeySet, limits);
        }
        catch (Pkcs12LoadLimitExceededException ex)
        {
            return ex.Message.Contains("Iteration", StringComparison.OrdinalIgnoreCase)
                ? ReadErrors.NotSupported($"The PKCS#12 file asks for more key-derivation iterations than the limit of {options.MaxKdfIterations}; refusing to read it.")
                : new Error(ReadErrors.TooLarge, $"The PKCS#12 file holds more entries than allowed ({options.MaxCertificates} certificates, {options.MaxKeys} keys).");
        }
        catch (CryptographicException ex) when (ex.HResult == ErrorInvalidPassword)
        {
            return options.Password is null ? ReadErrors.PasswordMissing("PKCS#12 file") : ReadErrors.PasswordWrong("PKCS#12 file");
        }
        catch (CryptographicException)
        {
            return ReadErrors.Malformed("The PKCS#12 data is malformed, truncated or uses an unsupported algorithm.");
        }
    }

    private static void AddAll(FileContents contents, X509Certificate2Collection collection)
    {
        foreach (var certificate in collection)
        {
            contents.Certificates.Add(certificate);
            if (certificate.HasPrivateKey)
            {
                AsymmetricAlgorithm? key = certificate.GetRSAPrivateKey() ?? (AsymmetricAlgorithm?)certificate.GetECDsaPrivateKey();
                if (key is not null)
                {
                    contents.Keys.Add(key);
                }
            }
        }
    }

    /// <summary>
    /// Reads the key bags with the key password, after the loader has opened the file with the file password (so
    /// the MAC and the encrypted safes are verified, and their iteration counts within the limits, before this runs).
    /// </summary>
    private static Result<bool> ReadKeysInto(FileContents contents, byte[] data, ReadOptions options)
    {
        Pkcs12Info info;
        try
        {
            info = Pkcs12Info.Decode(data, out _, skipCopy: true);
        }
        catch (CryptographicException)
        {
            return ReadErrors.Malformed("The PKCS#12 data is malformed or truncated.");
        }

        var keyPassword = options.EffectiveKeyPassword;
        foreach (var safe in info.AuthenticatedSafe)
        {
            if (safe.ConfidentialityMode == Pkcs12ConfidentialityMode.Password)
            {
                try
                {
                    safe.Decrypt(options.Password);
                }
                catch (CryptographicException)
                {
                    return ReadErrors.PasswordWrong("PKCS#12 file");
                }
            }
            else if (safe.ConfidentialityMode != Pkcs12ConfidentialityMode.None)
            {
                continue;
            }

            foreach (var bag in safe.GetBags())
            {
                Result<AsymmetricAlgorithm> read;
                if (bag is Pkcs12ShroudedKeyBag shrouded)
                {
                    read = PrivateKeys.FromEncryptedPkcs8(shrouded.EncryptedPkcs8PrivateKey, keyPassword, options.MaxKdfIterations);
                }
                else if (bag is Pkcs12KeyBag plain)
                {
                    read = PrivateKeys.FromPkcs8(plain.Pkcs8PrivateKey);
                }
                else
                {
                    continue;
                }

                if (!read.IsSuccess)
                {
                    return read.Error.Code == ReadErrors.WrongPassword ? KeyPasswordError(options) : read.Error;
                }

                if (contents.Keys.Count >= options.MaxKeys)
                {
                    read.Value.Dispose();
                    return new Error(ReadErrors.TooLarge, $"The PKCS#12 file holds more than {options.MaxKeys} keys.");
                }

                contents.Keys.Add(read.Value);
            }
        }

        return true;
    }

    private static Error KeyPasswordError(ReadOptions options) =>
        options.KeyPassword is null
            ? new(ReadErrors.PasswordRequired, "The password opens the PKCS#12 file, but its private key is encrypted under a different password: give the key password as well.")
            : new(ReadErrors.WrongPassword, "The key password for the private key in the PKCS#12 file is wrong (the file password is right).");
}
