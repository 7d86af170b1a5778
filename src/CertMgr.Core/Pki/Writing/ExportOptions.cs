namespace CertMgr.Core.Pki.Writing;

/// <summary>
/// How to export. The private key leaves only when <see cref="IncludeKey"/> is set, and then encrypted with
/// <see cref="Passphrase"/> unless <see cref="AllowUnencryptedKey"/> is also set.
/// </summary>
public sealed record ExportOptions
{
    /// <summary>The shortest passphrase accepted.</summary>
    public const int MinimumPassphraseLength = 8;

    /// <summary>Default PBKDF2 iterations (SHA-256) for encrypted keys and PKCS#12 files.</summary>
    public const int DefaultKdfIterations = 100_000;

    /// <summary>Fewer iterations make brute force cheap.</summary>
    public const int MinimumKdfIterations = 10_000;

    /// <summary>Java refuses PKCS#12 files above 5,000,000 iterations.</summary>
    public const int MaximumKdfIterations = 5_000_000;

    /// <summary>Protects the key (and the whole PKCS#12 file). Never logged, never part of an error message.</summary>
    public string? Passphrase { get; init; }

    /// <summary>The explicit request to put the private key in the export.</summary>
    public bool IncludeKey { get; init; }

    /// <summary>
    /// The explicit request to write the key in the clear: a PEM key when no passphrase is given (a passphrase, when
    /// given, still encrypts it), and the HAProxy PEM, which is always in the clear. PKCS#12 is always encrypted.
    /// </summary>
    public bool AllowUnencryptedKey { get; init; }

    /// <summary>PKCS#12 friendly name, which Java shows (lower-cased) as the alias; derived from the subject when null.</summary>
    public string? FriendlyName { get; init; }

    /// <summary>PBKDF2-SHA256 iterations for key encryption, PKCS#12 encryption and the PKCS#12 MAC.</summary>
    public int KdfIterations { get; init; } = DefaultKdfIterations;

    // The generated ToString would print the passphrase; options end up in logs and exception messages.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append($"Passphrase = {(Passphrase is null ? "null" : "***")}, IncludeKey = {IncludeKey}, ")
            .Append($"AllowUnencryptedKey = {AllowUnencryptedKey}, FriendlyName = {FriendlyName}, KdfIterations = {KdfIterations}");
        return true;
    }
}
