using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.Common;

namespace CertMgr.Core.Pki.Reading;

/// <summary>Chooses the leaf, proves the key matches it, and orders its issuers leaf → root by name and key id links.</summary>
internal static class ChainAssembler
{
    private const string RsaOid = "1.2.840.113549.1.1.1";
    private const string EcOid = "1.2.840.10045.2.1";

    public static Result<CertificateBundle> Assemble(FileContents contents)
    {
        try
        {
            return AssembleCore(contents);
        }
        catch (CryptographicException)
        {
            // .NET decodes extensions, names and keys lazily; nothing has checked the signatures, so any may be garbage.
            return ReadErrors.Malformed("A certificate holds a malformed extension, name or key.");
        }
    }

    private static Result<CertificateBundle> AssembleCore(FileContents contents)
    {
        var certificates = Distinct(contents.Certificates);
        if (certificates.Count == 0)
        {
            return new Error(ReadErrors.NoCertificate, contents.HasRequest
                ? "The input holds a certificate signing request, not a certificate."
                : contents.Keys.Count > 0 ? "The input holds a private key but no certificate." : "The input holds no certificate.");
        }

        X509Certificate2 leaf;
        AsymmetricAlgorithm? key = null;
        if (contents.Keys.Count > 0)
        {
            var matches = certificates
                .SelectMany(c => contents.Keys.Where(k => Matches(k, c)).Take(1).Select(k => (Certificate: c, Key: k)))
                .ToList();
            if (matches.Count == 0)
            {
                var subject = PickLeaf(certificates).Subject;
                return new Error(ReadErrors.KeyMismatch, $"The private key does not match the certificate '{subject}'.");
            }

            var leafWithKey = PickLeaf(matches.Select(m => m.Certificate).ToList());
            leaf = leafWithKey;
            key = matches.First(m => ReferenceEquals(m.Certificate, leafWithKey)).Key;
        }
        else
        {
            leaf = PickLeaf(certificates);
        }

        var algorithm = leaf.PublicKey.Oid.Value;
        if (algorithm is not (RsaOid or EcOid))
        {
            return ReadErrors.NotSupported($"The certificate's key algorithm {PrivateKeys.AlgorithmName(algorithm)} is not supported; use RSA or EC (ECDSA).");
        }

        KeySpec keySpec;
        try
        {
            keySpec = KeySpecs.Of(leaf);
            // Decode now what the summary shows later, so a bundle never fails when it is displayed.
            _ = CertificateSummary.SansOf(leaf);
            _ = CertificateSummary.CommonNameOf(leaf.SubjectName);
        }
        catch (CryptographicException)
        {
            // Nothing checks a certificate's signature here, so its public key bytes may still be garbage.
            return ReadErrors.Malformed("The certificate's public key is malformed.");
        }

        var chain = OrderIssuers(leaf, certificates);

        // Hand over what the bundle keeps; everything else is released with the contents.
        contents.Certificates.RemoveAll(c => ReferenceEquals(c, leaf) || chain.Any(i => ReferenceEquals(i, c)));
        if (key is not null)
        {
            contents.Keys.Remove(key);
        }

        return new CertificateBundle(contents.Format, leaf, key, chain, keySpec);
    }

    /// <summary>True when the private key is the one the certificate was made for.</summary>
    public static bool Matches(AsymmetricAlgorithm key, X509Certificate2 certificate)
    {
        var keyInfo = key.ExportSubjectPublicKeyInfo();
        var certificateInfo = certificate.PublicKey.ExportSubjectPublicKeyInfo();
        if (keyInfo.AsSpan().SequenceEqual(certificateInfo))
        {
            return true;
        }

        // EC parameters may be encoded differently (named vs explicit curve) for the same key: compare the point.
        if (key is ECDsa ec && certificate.PublicKey.Oid.Value == EcOid)
        {
            try
            {
                using var publicKey = certificate.GetECDsaPublicKey();
                if (publicKey is null)
                {
                    return false;
                }

                var a = ec.ExportParameters(false).Q;
                var b = publicKey.ExportParameters(false).Q;
                return a.X.AsSpan().SequenceEqual(b.X) && a.Y.AsSpan().SequenceEqual(b.Y);
            }
            catch (CryptographicException)
            {
                return false;
            }
        }

        return false;
    }

    private static List<X509Certificate2> Distinct(List<X509Certificate2> certificates)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return certificates.Where(c => seen.Add(Convert.ToHexString(c.GetCertHash(HashAlgorithmName.SHA256)))).ToList();
    }

    /// <summary>The certificate that issues no other one here; among several, an end-entity one, then the first.</summary>
    private static X509Certificate2 PickLeaf(List<X509Certificate2> certificates)
    {
        var candidates = certificates
            .Where(c => !certificates.Any(other => !ReferenceEquals(other, c) && IsIssuerOf(c, other)))
            .ToList();
        if (candidates.Count == 0)
        {
            candidates = certificates;
        }

        return candidates.FirstOrDefault(c => !IsCa(c)) ?? candidates[0];
    }

    private static List<X509Certificate2> OrderIssuers(X509Certificate2 leaf, List<X509Certificate2> certificates)
    {
        var chain = new List<X509Certificate2>();
        var current = leaf;
        while (!IsSelfIssued(current))
        {
            var issuer = certificates.FirstOrDefault(c =>
                !ReferenceEquals(c, leaf) && !chain.Contains(c) && IsIssuerOf(c, current));
            if (issuer is null)
            {
                break;
            }

            chain.Add(issuer);
            current = issuer;
        }

        return chain;
    }

    private static bool IsSelfIssued(X509Certificate2 certificate) =>
        certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData);

    private static bool IsIssuerOf(X509Certificate2 issuer, X509Certificate2 subject)
    {
        if (!issuer.SubjectName.RawData.AsSpan().SequenceEqual(subject.IssuerName.RawData))
        {
            return false;
        }

        var authorityKeyId = subject.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().FirstOrDefault()?.KeyIdentifier;
        var subjectKeyId = issuer.Extensions.OfType<X509SubjectKeyIdentifierExtension>().FirstOrDefault()?.SubjectKeyIdentifierBytes;
        return authorityKeyId is null || subjectKeyId is null || authorityKeyId.Value.Span.SequenceEqual(subjectKeyId.Value.Span);
    }

    private static bool IsCa(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault()?.CertificateAuthority ?? false;
}
