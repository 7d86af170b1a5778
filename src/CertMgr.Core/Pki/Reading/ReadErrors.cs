using CertMgr.Core.Common;

namespace CertMgr.Core.Pki.Reading;

/// <summary>The kinds of bad input the reader reports, as <see cref="Error.Code"/> values.</summary>
public static class ReadErrors
{
    /// <summary>The input is encrypted and no password was given.</summary>
    public const string PasswordRequired = "password-required";

    public const string WrongPassword = "wrong-password";

    /// <summary>Malformed, truncated or empty data.</summary>
    public const string Corrupt = "corrupt";

    public const string KeyMismatch = "key-mismatch";

    public const string NoCertificate = "no-certificate";

    public const string Unsupported = "unsupported";

    public const string TooLarge = "too-large";

    public static IReadOnlyList<string> All { get; } =
        [PasswordRequired, WrongPassword, Corrupt, KeyMismatch, NoCertificate, Unsupported, TooLarge];

    internal static Error PasswordMissing(string what) => new(PasswordRequired, $"The {what} is encrypted and no password was given.");

    internal static Error PasswordWrong(string what) => new(WrongPassword, $"The password for the {what} is wrong.");

    internal static Error Malformed(string message) => new(Corrupt, message);

    internal static Error NotSupported(string message) => new(Unsupported, message);
}
