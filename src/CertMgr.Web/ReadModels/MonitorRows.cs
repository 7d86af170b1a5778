using System.Diagnostics.CodeAnalysis;
using System.Linq.Expressions;
using System.Text.Json;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Web.ConsoleUi;

namespace CertMgr.Web.ReadModels;

/// <summary>One line of the Monitor Execution History (console and API), projected in SQL.</summary>
public sealed class RunRow
{
    public Guid Id { get; init; }
    public RunTrigger Trigger { get; init; }
    public RunStatus Status { get; init; }
    public DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset? EndedAt { get; init; }
    public int OkCount { get; init; }
    public int NgCount { get; init; }
    public int UnreachableCount { get; init; }

    public int Total => OkCount + NgCount + UnreachableCount;

    public TimeSpan? Duration => EndedAt - StartedAt;
}

/// <summary>One endpoint's verdict in a run's report (console and API), projected in SQL.</summary>
public sealed class ResultRow
{
    public long Id { get; init; }
    public Guid DefinitionId { get; init; }
    public required string DefinitionName { get; init; }
    public OperationMode OperationMode { get; init; }
    public CheckStatus Status { get; init; }
    public required string Endpoint { get; init; }
    public string? Reason { get; init; }
    public string? ServedSha1 { get; init; }
    public string? ServedSha256 { get; init; }
    public string? ChecksJson { get; init; }
    public DateTimeOffset CheckedAt { get; init; }
    public int DurationMs { get; init; }
}

/// <summary>One check of a result, as stored in <see cref="MonitorResult.ChecksJson"/>.</summary>
public sealed record CheckLine(string Name, bool Ok, string? Detail);

/// <summary>The Monitor Control lists: history and per-run report; projections, columns, search and filters.</summary>
public static class MonitorRows
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static ListColumns<RunRow> RunColumns { get; } = new ListColumns<RunRow>("started")
        .Sortable("started", r => r.StartedAt, descendingFirst: true)
        .Sortable("ended", r => r.EndedAt, descendingFirst: true, nullsLast: true)
        .Sortable("trigger", r => r.Trigger)
        .Sortable("status", r => r.Status)
        .Sortable("ok", r => r.OkCount, descendingFirst: true)
        .Sortable("ng", r => r.NgCount, descendingFirst: true)
        .Sortable("unreachable", r => r.UnreachableCount, descendingFirst: true)
        .UniqueKey(r => r.Id);

    public static ListColumns<ResultRow> ResultColumns { get; } = new ListColumns<ResultRow>("status")
        .Sortable("definition", r => r.DefinitionName)
        .Sortable("endpoint", r => r.Endpoint)
        .Sortable("status", r => r.Status)
        .Sortable("duration", r => r.DurationMs, descendingFirst: true)
        .UniqueKey(r => r.Id)
        .SearchWith(SearchResults);

    public static ListFilter RunStatusFilter { get; } = new("status", "Run status",
    [
        new(null, "Any status"),
        .. Enum.GetValues<RunStatus>().Select(s => new FilterOption(s.ToString().ToLowerInvariant(), s.ToString())),
    ]);

    public static ListFilter TriggerFilter { get; } = new("trigger", "Trigger",
    [
        new(null, "Scheduled and manual"),
        new("scheduled", "Scheduled"),
        new("manual", "Manual (Run Now)"),
    ]);

    public static ListFilter ResultStatusFilter { get; } = new("status", "Result",
    [
        new(null, "Every result"),
        new("ok", "OK"),
        new("ng", "NG"),
        new("unreachable", "Unreachable"),
        new("problem", "NG or Unreachable"),
    ]);

    public static IQueryable<RunRow> Runs(CertMgrDbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.MonitorRuns.Select(r => new RunRow
        {
            Id = r.Id,
            Trigger = r.Trigger,
            Status = r.Status,
            StartedAt = r.StartedAt,
            EndedAt = r.EndedAt,
            OkCount = r.OkCount,
            NgCount = r.NgCount,
            UnreachableCount = r.UnreachableCount,
        });
    }

    public static IQueryable<ResultRow> Results(CertMgrDbContext db, Guid runId)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.MonitorResults.Where(r => r.MonitorRunId == runId).Select(r => new ResultRow
        {
            Id = r.Id,
            DefinitionId = r.DefinitionId,
            DefinitionName = r.Definition.Name,
            OperationMode = r.Definition.OperationMode,
            Status = r.Status,
            Endpoint = r.Endpoint,
            Reason = r.Reason,
            ServedSha1 = r.ServedSha1,
            ServedSha256 = r.ServedSha256,
            ChecksJson = r.ChecksJson,
            CheckedAt = r.CheckedAt,
            DurationMs = r.DurationMs,
        });
    }

    /// <summary>A run status from a filter value (case-insensitive), or null for none/unknown.</summary>
    public static RunStatus? ParseRunStatus(string? value) =>
        Enum.TryParse<RunStatus>(value?.Trim(), ignoreCase: true, out var s) && Enum.IsDefined(s) && !int.TryParse(value, out _) ? s : null;

    public static RunTrigger? ParseTrigger(string? value) =>
        Enum.TryParse<RunTrigger>(value?.Trim(), ignoreCase: true, out var t) && Enum.IsDefined(t) && !int.TryParse(value, out _) ? t : null;

    /// <summary>The canonical result filter value (ok, ng, unreachable, problem), or null for none/unknown.</summary>
    public static string? NormalizeResultStatus(string? value) =>
        string.IsNullOrWhiteSpace(value) ? null
            : ResultStatusFilter.Options.FirstOrDefault(o => string.Equals(o.Value, value.Trim(), StringComparison.OrdinalIgnoreCase))?.Value;

    public static IQueryable<ResultRow> WhereStatus(this IQueryable<ResultRow> rows, string? normalized) => normalized switch
    {
        "ok" => rows.Where(r => r.Status == CheckStatus.Ok),
        "ng" => rows.Where(r => r.Status == CheckStatus.Ng),
        "unreachable" => rows.Where(r => r.Status == CheckStatus.Unreachable),
        "problem" => rows.Where(r => r.Status != CheckStatus.Ok),
        _ => rows,
    };

    /// <summary>The checks of a result, from its JSON; empty when none were stored or the JSON is unreadable.</summary>
    public static IReadOnlyList<CheckLine> Checks(string? checksJson)
    {
        if (string.IsNullOrWhiteSpace(checksJson))
        {
            return [];
        }

        try
        {
            return JsonSerializer.Deserialize<List<CheckLine>>(checksJson, Json) ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    /// <summary>A duration as the console shows it: "850 ms", "12.4 s", "3 min 05 s".</summary>
    public static string DurationText(TimeSpan? duration) => duration switch
    {
        null => "—",
        { TotalSeconds: < 1 } d => $"{(int)d.TotalMilliseconds} ms",
        { TotalMinutes: < 1 } d => $"{d.TotalSeconds:0.0} s",
        { } d => $"{(int)d.TotalMinutes} min {d.Seconds:00} s",
    };

    /// <summary>Search: definition name, endpoint or reason (case-insensitive), or a served SHA-1 prefix (6+ hex digits).</summary>
    [SuppressMessage("Performance", "CA1862", Justification = "Translated to SQL, where Contains(string, StringComparison) has no translation.")]
    public static Expression<Func<ResultRow, bool>> SearchResults(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var compact = text.Replace(":", "", StringComparison.Ordinal);
        if (compact.Length >= 6 && compact.All(char.IsAsciiHexDigit))
        {
            var hex = compact.ToUpperInvariant();
            return r => r.ServedSha1 != null && r.ServedSha1.StartsWith(hex);
        }

        var t = text.ToLowerInvariant();
        return r => r.DefinitionName.ToLower().Contains(t) || r.Endpoint.ToLower().Contains(t) || (r.Reason != null && r.Reason.ToLower().Contains(t));
    }
}
