using CertMgr.Core.Common;

namespace CertMgr.Core.Security;

/// <summary>Length over composition (NIST SP 800-63B): long enough, not guessable from context.</summary>
public static class PasswordPolicy
{
    public const int MinLength = 12;
    public const int MaxLength = 256;

    private static readonly HashSet<string> Common = new(StringComparer.OrdinalIgnoreCase)
    {
        "password1234", "123456789012", "qwertyuiop12", "administrator", "passwordpassword", "changeme1234",
        "letmein12345", "welcome12345", "certmgr12345", "iloveyou1234", "adminadmin12", "111111111111",
    };

    public static Result Check(string? password, string userName, string? currentPassword = null)
    {
        if (string.IsNullOrEmpty(password))
        {
            return Result.Failure("password-empty", "Enter a new password.");
        }

        if (password.Length < MinLength)
        {
            return Result.Failure("password-too-short", $"The password must be at least {MinLength} characters long.");
        }

        if (password.Length > MaxLength)
        {
            return Result.Failure("password-too-long", $"The password must be at most {MaxLength} characters long.");
        }

        if (password.Distinct().Count() < 4)
        {
            return Result.Failure("password-weak", "The password repeats too few different characters.");
        }

        if (!string.IsNullOrEmpty(userName) && password.Contains(userName, StringComparison.OrdinalIgnoreCase))
        {
            return Result.Failure("password-contains-username", "The password must not contain the user name.");
        }

        if (Common.Contains(password))
        {
            return Result.Failure("password-common", "This password is too common; choose another.");
        }

        if (currentPassword is not null && string.Equals(password, currentPassword, StringComparison.Ordinal))
        {
            return Result.Failure("password-unchanged", "The new password must differ from the current one.");
        }

        return Result.Success();
    }
}
