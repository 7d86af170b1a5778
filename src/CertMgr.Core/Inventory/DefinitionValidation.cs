using System.Globalization;
using System.Net.Mail;
using CertMgr.Core.Common;
using CertMgr.Core.PrivateCa;
using CertMgr.Data.Model;

namespace CertMgr.Core.Inventory;

/// <summary>
/// The rules a certificate definition must meet, as a pure function: it normalises the input (trims, empty to null,
/// host names to lower case, country to upper case, duplicate names and tags dropped) and reports every problem by
/// field, so a form can show each message next to its field.
/// </summary>
public static class DefinitionValidation
{
    public const string InvalidCode = "definition-invalid";
    public const int MaxSans = 100;
    public const int MaxTags = 20;
    public const int MaxTagLength = 50;
    public const int MaxNotesLength = 4000;

    /// <summary>Key algorithm and size combinations a definition may ask for.</summary>
    public static IReadOnlyList<(KeyAlgorithm Algorithm, int Size)> KeyChoices { get; } =
        [(KeyAlgorithm.Ecdsa, 256), (KeyAlgorithm.Ecdsa, 384), (KeyAlgorithm.Rsa, 2048), (KeyAlgorithm.Rsa, 3072), (KeyAlgorithm.Rsa, 4096)];

    /// <summary>The normalised fields and the problems found (field name → message); no problems means valid.</summary>
    public static (DefinitionFields Normalized, IReadOnlyDictionary<string, string> Errors) Check(DefinitionFields input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var f = Normalize(input);
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        void Fail(string field, string message) => errors.TryAdd(field, message);

        if (f.CommonName is null)
        {
            Fail(nameof(f.CommonName), "The subject DN needs a common name (CN), e.g. www.example.com.");
        }
        else if (f.CommonName.Length > 64)
        {
            Fail(nameof(f.CommonName), "The common name is longer than 64 characters, the limit of X.509; put long names in the SANs.");
        }
        else if (!IsHostOrIp(f.CommonName, allowWildcard: true))
        {
            Fail(nameof(f.CommonName), $"'{Shorten(f.CommonName)}' is not a host name (www.example.com), a wildcard (*.example.com) or an IP address.");
        }

        f.Name ??= f.CommonName;
        if (f.Name is { Length: > 255 })
        {
            Fail(nameof(f.Name), "The name is longer than 255 characters.");
        }

        MaxLength(f.Organization, 64, nameof(f.Organization), "organization (O)", Fail);
        MaxLength(f.OrganizationalUnit, 64, nameof(f.OrganizationalUnit), "organizational unit (OU)", Fail);
        MaxLength(f.Locality, 128, nameof(f.Locality), "locality (L)", Fail);
        MaxLength(f.State, 128, nameof(f.State), "state or province (ST)", Fail);
        if (f.Country is not null && (f.Country.Length != 2 || !f.Country.All(char.IsAsciiLetterUpper)))
        {
            Fail(nameof(f.Country), "The country (C) must be a two-letter ISO 3166 code, e.g. US or DE.");
        }

        if (f.SubjectAlternativeNames.Count > MaxSans)
        {
            Fail(nameof(f.SubjectAlternativeNames), $"At most {MaxSans} subject alternative names; there are {f.SubjectAlternativeNames.Count}.");
        }

        foreach (var san in f.SubjectAlternativeNames)
        {
            if (!IsHostOrIp(san, allowWildcard: true))
            {
                Fail(nameof(f.SubjectAlternativeNames), $"'{Shorten(san)}' is not a valid DNS name or IP address.");
                break;
            }
        }

        if (!KeyChoices.Contains((f.KeyAlgorithm, f.KeySize)))
        {
            Fail(nameof(f.KeySize), f.KeyAlgorithm == KeyAlgorithm.Rsa
                ? $"RSA keys must be 2048, 3072 or 4096 bits, not {f.KeySize}."
                : $"EC keys must be P-256 or P-384 (256 or 384), not {f.KeySize}.");
        }

        MaxLength(f.RequestorName, 255, nameof(f.RequestorName), "requestor name", Fail);
        MaxLength(f.RequestorDepartment, 255, nameof(f.RequestorDepartment), "requestor department", Fail);
        Email(f.RequestorEmail, nameof(f.RequestorEmail), "requestor email", Fail);
        MaxLength(f.RequiredCa, 255, nameof(f.RequiredCa), "required CA", Fail);

        if (f.TargetServerName is not null && !IsHostOrIp(f.TargetServerName, allowWildcard: false))
        {
            Fail(nameof(f.TargetServerName), $"'{Shorten(f.TargetServerName)}' is not a server host name or IP address.");
        }

        if (f.Port is < 1 or > 65535)
        {
            Fail(nameof(f.Port), $"The port must be between 1 and 65535, not {f.Port}.");
        }

        Email(f.ServerAdminEmail, nameof(f.ServerAdminEmail), "server administrator email", Fail);
        if (f.ServerNameForCheck is not null && !IsHostOrIp(f.ServerNameForCheck, allowWildcard: false))
        {
            Fail(nameof(f.ServerNameForCheck), $"'{Shorten(f.ServerNameForCheck)}' is not a host name or IP address to check.");
        }

        if (f.CheckPort is < 1 or > 65535)
        {
            Fail(nameof(f.CheckPort), $"The check port must be between 1 and 65535, not {f.CheckPort}.");
        }

        if (f.ExpiryThresholdDays is < 1 or > 3650)
        {
            Fail(nameof(f.ExpiryThresholdDays), "The expiry threshold must be between 1 and 3650 days.");
        }

        if (f.RenewalLeadDays is < 1 or > 365)
        {
            Fail(nameof(f.RenewalLeadDays), "The renewal lead time must be between 1 and 365 days.");
        }

        if (f.Tags.Count > MaxTags)
        {
            Fail(nameof(f.Tags), $"At most {MaxTags} tags.");
        }
        else if (f.Tags.FirstOrDefault(t => t.Length > MaxTagLength) is { } longTag)
        {
            Fail(nameof(f.Tags), $"The tag '{Shorten(longTag)}' is longer than {MaxTagLength} characters.");
        }

        MaxLength(f.Notes, MaxNotesLength, nameof(f.Notes), "notes", Fail);
        return (f, errors);
    }

    /// <summary>One error for a whole set of field errors: code <see cref="InvalidCode"/>, the messages joined.</summary>
    public static Error ToError(IReadOnlyDictionary<string, string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var message = errors.Count == 1
            ? errors.Values.First()
            : $"{errors.Count} fields are invalid: {string.Join(" ", errors.Values)}";
        return Error.Invalid(InvalidCode, message, errors.ToDictionary(e => e.Key, e => new[] { e.Value }, StringComparer.Ordinal));
    }

    /// <summary>An IP address, or a DNS name (a wildcard only when allowed) that is not all digits and dots.</summary>
    public static bool IsHostOrIp(string name, bool allowWildcard) =>
        IssuancePolicy.IsIpAddress(name) ||
        (IssuancePolicy.IsDnsName(name, allowWildcard) && !name.All(c => char.IsAsciiDigit(c) || c == '.'));

    private static DefinitionFields Normalize(DefinitionFields input)
    {
        var f = DefinitionFieldsCopy(input);
        f.Name = Clean(f.Name);
        f.CommonName = Host(f.CommonName);
        f.Organization = Clean(f.Organization);
        f.OrganizationalUnit = Clean(f.OrganizationalUnit);
        f.Locality = Clean(f.Locality);
        f.State = Clean(f.State);
        f.Country = Clean(f.Country)?.ToUpperInvariant();
        f.SubjectAlternativeNames = [.. SplitList(f.SubjectAlternativeNames).Select(s => Host(s)!).Distinct(StringComparer.OrdinalIgnoreCase)];
        f.RequestorName = Clean(f.RequestorName);
        f.RequestorEmail = Clean(f.RequestorEmail);
        f.RequestorDepartment = Clean(f.RequestorDepartment);
        f.RequiredCa = Clean(f.RequiredCa);
        f.TargetServerName = Host(f.TargetServerName);
        f.ServerAdminEmail = Clean(f.ServerAdminEmail);
        f.ServerNameForCheck = Host(f.ServerNameForCheck);
        f.Tags = [.. SplitList(f.Tags).Distinct(StringComparer.OrdinalIgnoreCase)];
        f.Notes = Clean(f.Notes);
        return f;
    }

    private static DefinitionFields DefinitionFieldsCopy(DefinitionFields input) => new()
    {
        Name = input.Name,
        OperationMode = input.OperationMode,
        ExecutionMode = input.ExecutionMode,
        CommonName = input.CommonName,
        Organization = input.Organization,
        OrganizationalUnit = input.OrganizationalUnit,
        Locality = input.Locality,
        State = input.State,
        Country = input.Country,
        SubjectAlternativeNames = [.. input.SubjectAlternativeNames ?? []],
        KeyAlgorithm = input.KeyAlgorithm,
        KeySize = input.KeySize,
        RequestorName = input.RequestorName,
        RequestorEmail = input.RequestorEmail,
        RequestorDepartment = input.RequestorDepartment,
        ProductId = input.ProductId,
        RequiredCa = input.RequiredCa,
        RequiredValidationLevel = input.RequiredValidationLevel,
        RequireWildcard = input.RequireWildcard,
        RequireMultiDomain = input.RequireMultiDomain,
        TargetServerName = input.TargetServerName,
        ServerSoftware = input.ServerSoftware,
        Port = input.Port,
        ServerAdminEmail = input.ServerAdminEmail,
        ServerNameForCheck = input.ServerNameForCheck,
        CheckPort = input.CheckPort,
        TrustedCaSetId = input.TrustedCaSetId,
        MonitoringEnabled = input.MonitoringEnabled,
        ExpiryThresholdDays = input.ExpiryThresholdDays,
        RenewalLeadDays = input.RenewalLeadDays,
        Tags = [.. input.Tags ?? []],
        Notes = input.Notes,
    };

    /// <summary>Items of a list, each of which may itself hold several separated by commas, semicolons or new lines.</summary>
    public static IEnumerable<string> SplitList(IEnumerable<string?> items) =>
        items.Where(i => i is not null)
            .SelectMany(i => i!.Split([',', ';', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static string? Host(string? value) => Clean(value)?.ToLowerInvariant();

    private static void MaxLength(string? value, int max, string field, string what, Action<string, string> fail)
    {
        if (value is not null && value.Length > max)
        {
            fail(field, string.Create(CultureInfo.InvariantCulture, $"The {what} is longer than {max} characters."));
        }
    }

    private static void Email(string? value, string field, string what, Action<string, string> fail)
    {
        if (value is null)
        {
            return;
        }

        if (value.Length > 320 || !MailAddress.TryCreate(value, out var address) || address.Address != value || !address.Host.Contains('.', StringComparison.Ordinal))
        {
            fail(field, $"The {what} '{Shorten(value)}' is not an email address like name@example.com.");
        }
    }

    internal static string Shorten(string value) => value.Length <= 80 ? value : value[..77] + "...";
}
