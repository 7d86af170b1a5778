using System.Text.Json;
using CertMgr.Core.Probe;
using CertMgr.Data.Model;

namespace CertMgr.Core.Deployments;

/// <summary>What a deploy check found, as kept in the deployment's history.</summary>
public sealed record DeployCheckOutcome(
    CheckStatus Status, string Target, string? Reason, string? ServedSha1, string? ServedSha256, string? Subject, string? Issuer,
    DateTimeOffset? NotAfter, IReadOnlyList<CheckItem> Checks)
{
    /// <summary>The first thing a person needs to read: OK, the failed checks, or the network error.</summary>
    public string Summary => Status switch
    {
        CheckStatus.Ok => "OK",
        CheckStatus.Unreachable => $"Unreachable: {Reason ?? "no answer"}",
        _ => "NG: " + string.Join("; ", Checks.Where(c => !c.Ok).Select(c => $"{c.Name}: {c.Detail}")),
    };

    public static DeployCheckOutcome From(CheckReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new(report.Status, report.Target, report.Status == CheckStatus.Ok ? null : report.Summary, report.Sha1, report.Sha256,
            report.Subject, report.Issuer, report.NotAfter, report.Checks);
    }
}

/// <summary>
/// The detail of one <see cref="DeploymentEvent"/>: a sentence for people, plus the install package's document id
/// (prepare) or the check outcome (check). Stored as JSON in <see cref="DeploymentEvent.Detail"/>; plain text from
/// elsewhere reads as the sentence.
/// </summary>
public sealed record DeploymentEventDetail(string Text, Guid? DocumentId = null, string? FileName = null, DeployCheckOutcome? Check = null)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static DeploymentEventDetail Parse(string? detail)
    {
        if (string.IsNullOrEmpty(detail))
        {
            return new("");
        }

        if (detail.StartsWith('{'))
        {
            try
            {
                return JsonSerializer.Deserialize<DeploymentEventDetail>(detail, Json) ?? new(detail);
            }
            catch (JsonException)
            {
                return new(detail);
            }
        }

        return new(detail);
    }
}
