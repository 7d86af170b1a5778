using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.Common;

namespace CertMgr.Core.Pki.Reading;

/// <summary>PKCS#12 (.pfx, .p12, Java PKCS12 keystores), always read with explicit loader limits.</summary>
internal static class Pkcs12Files
{
    // What the loader sets on CryptographicException when the MAC does not verify with the password.
    private const int ErrorInvalidPassword = unchecked((int)0x80070056);

    public static Result<bool> ReadInto(FileContents contents, byte[] data, ReadOptions options)
    {
        var limits = new Pkcs12LoaderLimits
        {
            MacIterationLimit = options.MaxKdfIterations,
            IndividualKdfIterationLimit = options.MaxKdfIterations,
            TotalKdfIterationLimit = (int)Math.Min(options.MaxKdfIterations * 4L, int.MaxValue),
            MaxCertificates = options.MaxCertificates,
            MaxKeys = options.MaxKeys,
        };

        X509Certificate2Collection collection;
        try
        {
            collection = X509CertificateLoader.LoadPkcs12Collection(data, options.Password, X509KeyStorageFlags.EphemeralKeySet, limits);
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

        return true;
    }
}
