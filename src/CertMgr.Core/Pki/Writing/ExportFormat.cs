namespace CertMgr.Core.Pki.Writing;

/// <summary>The file formats a certificate (with its chain and, on request, its key) can be exported as.</summary>
public enum ExportFormat
{
    /// <summary>The leaf certificate alone, PEM.</summary>
    PemCertificate,

    /// <summary>The chain without the leaf (intermediates toward the root, as given), PEM.</summary>
    PemChain,

    /// <summary>The leaf followed by the chain, PEM (nginx <c>ssl_certificate</c>, Apache 2.4.8+).</summary>
    PemFullChain,

    /// <summary>The private key as PKCS#8 PEM: encrypted (AES-256-CBC, PBKDF2-SHA256) unless explicitly allowed not to be.</summary>
    PemPrivateKey,

    /// <summary>The leaf certificate alone, DER.</summary>
    Der,

    /// <summary>Leaf and chain as a certs-only PKCS#7 (degenerate SignedData), DER.</summary>
    Pkcs7Der,

    /// <summary>Leaf and chain as a certs-only PKCS#7, PEM (<c>-----BEGIN PKCS7-----</c>).</summary>
    Pkcs7Pem,

    /// <summary>PKCS#12 with leaf, chain and, when requested, the key; AES-256-CBC/PBKDF2-SHA256, MAC SHA-256.</summary>
    Pkcs12,

    /// <summary>
    /// A PKCS#12 keystore for Java servers (Tomcat, Jetty, Spring Boot): one PrivateKeyEntry under the alias
    /// <see cref="ExportOptions.FriendlyName"/>, with the chain; key password = store password. Needs Java 8u301,
    /// 11.0.12 or later (AES-256/PBES2 PKCS#12).
    /// </summary>
    JavaPkcs12Keystore,

    /// <summary>HAProxy's combined PEM: leaf, intermediates, then the unencrypted key.</summary>
    HaproxyPem,
}
