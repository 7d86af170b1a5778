using System.Text.Json;
using CertMgr.Core.Audit;
using CertMgr.Core.Common;
using CertMgr.Core.PrivateCa;
using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Core.Acme.Server;

/// <summary>The console's overrides of certmgr.json's "AcmeServer" section; null = certmgr.json's value applies.</summary>
public sealed record AcmeServerOverrides(
    bool? Enabled = null, bool? RequireEab = null, IReadOnlyList<string>? AllowedDomains = null, int? CertificateDays = null, int? AuthorizationReuseDays = null)
{
    public static AcmeServerOverrides None { get; } = new();
}

/// <summary>What an admin submits on the ACME server's settings form (null / false = use certmgr.json).</summary>
public sealed record AcmeServerSettingsInput(
    bool? Enabled, bool? RequireEab, bool OverrideAllowedDomains, string? AllowedDomains, int? CertificateDays, int? AuthorizationReuseDays);

/// <summary>
/// The ACME server's settings an admin edits in the console (enabled, EAB required, global allow-list, certificate
/// validity, authorization reuse), stored as one Setting row and overriding certmgr.json where set. Technical options
/// (HTTP-01 port, validation address, DNS server) come only from certmgr.json. Every request reads the effective set,
/// so a change applies at once and to every process sharing the database.
/// </summary>
public sealed class AcmeServerSettings(CertMgrDbContext db, AcmeServerOptions file, PrivateCaOptions ca, TimeProvider time)
{
    public const string SettingKey = "acme.server";
    public const int MaxReuseDays = 365;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private AcmeServerOptions? _effective;

    /// <summary>certmgr.json's options, as they stand without the console's overrides.</summary>
    public AcmeServerOptions File => file;

    /// <summary>The longest validity the built-in CA signs for server certificates.</summary>
    public int MaxCertificateDays => ca.MaxServerValidityDays;

    public async Task<AcmeServerOverrides> OverridesAsync(CancellationToken ct)
    {
        var row = await db.Settings.AsNoTracking().SingleOrDefaultAsync(s => s.Key == SettingKey, ct);
        return Read(row);
    }

    /// <summary>The options in force: certmgr.json with the console's overrides (read once per scope).</summary>
    public async Task<AcmeServerOptions> EffectiveAsync(CancellationToken ct) =>
        _effective ??= file.With(await OverridesAsync(ct));

    /// <summary>Validates and stores the overrides; a refusal has per-field errors and changes nothing.</summary>
    public async Task<Result<AcmeServerOverrides>> SaveAsync(AcmeServerSettingsInput input, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var fields = new Dictionary<string, string[]>();
        IReadOnlyList<string>? domains = null;
        if (input.OverrideAllowedDomains)
        {
            var parsed = AcmeServerAdmin.Domains(SplitDomains(input.AllowedDomains), "allowedDomains");
            if (parsed.IsSuccess)
            {
                domains = parsed.Value;
            }
            else
            {
                fields["allowedDomains"] = [parsed.Error!.Message];
            }
        }

        if (input.CertificateDays is { } days && (days < 1 || days > ca.MaxServerValidityDays))
        {
            fields["certificateDays"] = [$"Between 1 and {ca.MaxServerValidityDays} days (the built-in CA's maximum for server certificates)."];
        }

        if (input.AuthorizationReuseDays is { } reuse && (reuse < 0 || reuse > MaxReuseDays))
        {
            fields["authorizationReuseDays"] = [$"Between 0 (never reuse) and {MaxReuseDays} days."];
        }

        if (fields.Count > 0)
        {
            return Error.Invalid("acme-settings-invalid", "The ACME server settings were not saved: correct the marked fields.", fields);
        }

        var overrides = new AcmeServerOverrides(input.Enabled, input.RequireEab, domains, input.CertificateDays, input.AuthorizationReuseDays);
        var now = time.GetUtcNow();
        var row = await db.Settings.SingleOrDefaultAsync(s => s.Key == SettingKey, ct);
        if (row is null)
        {
            row = new Setting { Key = SettingKey };
            db.Settings.Add(row);
        }

        row.Value = JsonSerializer.Serialize(overrides, Json);
        row.UpdatedAt = now;
        db.Record(now, actor, "AcmeServerSettings", SettingKey, "update", detail: Describe(overrides));
        await db.SaveChangesAsync(ct);
        _effective = null;
        return overrides;
    }

    /// <summary>Domains typed one a line, or separated by commas or spaces.</summary>
    public static IReadOnlyList<string> SplitDomains(string? text) =>
        (text ?? "").Split([',', ' ', '\n', '\r', '\t', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string Describe(AcmeServerOverrides o)
    {
        static string Flag(bool? b) => b is null ? "certmgr.json" : b.Value ? "on" : "off";
        return $"enabled: {Flag(o.Enabled)}; require EAB: {Flag(o.RequireEab)}; allowed domains: "
            + (o.AllowedDomains is null ? "certmgr.json" : o.AllowedDomains.Count == 0 ? "none" : string.Join(", ", o.AllowedDomains))
            + $"; certificate days: {o.CertificateDays?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "certmgr.json"}"
            + $"; authorization reuse days: {o.AuthorizationReuseDays?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "certmgr.json"}";
    }

    private static AcmeServerOverrides Read(Setting? row)
    {
        if (row?.Value is not { Length: > 0 } value)
        {
            return AcmeServerOverrides.None;
        }

        try
        {
            return JsonSerializer.Deserialize<AcmeServerOverrides>(value, Json) ?? AcmeServerOverrides.None;
        }
        catch (JsonException)
        {
            return AcmeServerOverrides.None; // an unreadable row reads as "no overrides"; the next save replaces it
        }
    }
}
