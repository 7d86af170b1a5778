using System.Globalization;
using CertMgr.Data.Model;

namespace CertMgr.Core.Notifications;

/// <summary>
/// The monitor's notices: <see cref="NotificationKinds.MonitorNg"/> when an endpoint goes from OK (or never checked)
/// to NG or Unreachable, <see cref="NotificationKinds.MonitorOk"/> when a failing one recovers; nothing while the
/// result stays on the same side (NG and Unreachable are both "failing").
/// </summary>
public static class MonitorNotices
{
    /// <summary>Which notice a change from <paramref name="previous"/> to <paramref name="current"/> calls for, or null.</summary>
    public static string? KindFor(CheckStatus? previous, CheckStatus current)
    {
        var wasFailing = previous is CheckStatus.Ng or CheckStatus.Unreachable;
        var failing = current is CheckStatus.Ng or CheckStatus.Unreachable;
        return (wasFailing, failing) switch
        {
            (false, true) => NotificationKinds.MonitorNg,
            (true, false) => NotificationKinds.MonitorOk,
            _ => null,
        };
    }

    /// <summary>Adds the notice for one definition's new result to the monitor pass's unit of work, when the result changed sides.</summary>
    public static async Task AddIfChangedAsync(
        AdminNotices notices, CertificateDefinition definition, CheckStatus current, string endpoint, string? reason, DateTimeOffset checkedAt, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(notices);
        ArgumentNullException.ThrowIfNull(definition);
        if (KindFor(definition.MonitorStatus, current) is not { } kind)
        {
            return;
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["definition_name"] = definition.Name,
            ["common_name"] = definition.CommonName,
            ["endpoint"] = endpoint,
            ["result"] = Word(current),
            ["previous"] = definition.MonitorStatus is { } p ? Word(p) : "not checked",
            ["reason"] = reason ?? "",
            ["checked_at"] = checkedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture),
            ["definition_id"] = definition.Id.ToString(),
        };
        await notices.AddAsync(kind, values, checkedAt, ct, definitionId: definition.Id);
    }

    public static string Word(CheckStatus status) => status switch
    {
        CheckStatus.Ok => "OK",
        CheckStatus.Ng => "NG",
        _ => "Unreachable",
    };
}
