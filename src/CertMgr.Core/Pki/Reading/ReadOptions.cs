namespace CertMgr.Core.Pki.Reading;

/// <summary>How to read certificate input: passwords, companion files, and the limits that keep hostile input cheap.</summary>
public sealed record ReadOptions
{
    /// <summary>The default size limit for one input: 1 MiB, far above any real certificate file.</summary>
    public const int DefaultMaxBytes = 1024 * 1024;

    /// <summary>Password of the file (PKCS#12, JKS store, encrypted key). Also opens <see cref="KeyData"/>.</summary>
    public string? Password { get; init; }

    /// <summary>Password of the private key when it differs (a JKS key entry, or a separate key file).</summary>
    public string? KeyPassword { get; init; }

    /// <summary>A separate private key (PEM or DER), read together with the certificate file as an Apache-style set.</summary>
    public byte[]? KeyData { get; init; }

    /// <summary>A separate chain file (PEM, DER or PKCS#7) with issuers of the leaf.</summary>
    public byte[]? ChainData { get; init; }

    /// <summary>Largest accepted input, per file, in bytes.</summary>
    public int MaxBytes { get; init; } = DefaultMaxBytes;

    /// <summary>Largest PBKDF / PKCS#12 KDF iteration count accepted (MAC, each key or bag, encrypted PKCS#8).</summary>
    public int MaxKdfIterations { get; init; } = 600_000;

    /// <summary>Largest number of certificates accepted in one input.</summary>
    public int MaxCertificates { get; init; } = 64;

    /// <summary>Largest number of private keys accepted in one PKCS#12 or keystore.</summary>
    public int MaxKeys { get; init; } = 4;

    public static ReadOptions Default { get; } = new();

    /// <summary>The password for key material: the key password when given, else the file password.</summary>
    internal string? EffectiveKeyPassword => KeyPassword ?? Password;
}
