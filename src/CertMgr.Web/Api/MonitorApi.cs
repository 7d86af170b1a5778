using System.Globalization;
using System.Security.Claims;
using CertMgr.Core.Common;
using CertMgr.Core.Monitoring;
using CertMgr.Data;
using CertMgr.Web.Auth;
using CertMgr.Web.ConsoleUi;
using CertMgr.Web.ReadModels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Web.Api;

/// <summary>
/// <c>/api/v1/monitor</c>: the schedule (admins change it), Run Now (202 with the run's id, 409 while one runs), the
/// execution history and each run's report with every result.
/// </summary>
public static class MonitorApi
{
    public const int DefaultTake = 50;
    public const int MaxTake = 200;

    /// <summary>The schedule: kind off|interval|daily, the interval in minutes, the daily time HH:mm UTC.</summary>
    public sealed record ScheduleBody(string? Kind, int? IntervalMinutes, string? DailyAtUtc);

    public sealed record ScheduleView(
        string Kind, int IntervalMinutes, string DailyAtUtc, string Description, DateTimeOffset? NextRunAt, DateTimeOffset? LastScheduledRunAt,
        DateTimeOffset? UpdatedAt);

    public sealed record RunStarted(Guid Id, string Status);

    public sealed record RunItem(
        Guid Id, string Trigger, string Status, DateTimeOffset StartedAt, DateTimeOffset? EndedAt, double? DurationSeconds,
        int OkCount, int NgCount, int UnreachableCount, int Total);

    public sealed record RunPage(int Total, int Skip, int Take, IReadOnlyList<RunItem> Items);

    /// <summary>Endpoints checked so far by a run in progress in the server.</summary>
    public sealed record RunProgress(int Checked, int Total);

    public sealed record CheckItem(string Name, bool Ok, string? Detail);

    public sealed record ResultItem(
        long Id, Guid DefinitionId, string DefinitionName, string OperationMode, string Status, string Endpoint, string? Reason,
        string? ServedSha1, string? ServedSha256, int DurationMs, DateTimeOffset CheckedAt, IReadOnlyList<CheckItem> Checks);

    public sealed record RunReport(RunItem Run, RunProgress? Progress, int ResultTotal, int Skip, int Take, IReadOnlyList<ResultItem> Results);

    public static void MapMonitorApi(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var monitor = api.MapGroup("/monitor").WithTags("Monitoring");
        monitor.MapGet("/schedule", GetScheduleAsync).WithSummary("The monitoring schedule and when the next scheduled pass is due");
        monitor.MapPut("/schedule", PutScheduleAsync).RequireAuthorization(CertMgrClaims.AdminPolicy)
            .WithSummary("Change the schedule (admin): {kind: off|interval|daily, intervalMinutes: 5-10080, dailyAtUtc: HH:mm}");
        monitor.MapPost("/runs", StartAsync).WithSummary("Run Now: start a pass in the background (202 with its id; 409 while one runs)");
        monitor.MapGet("/runs", ListAsync).WithSummary("The execution history, most recent first");
        monitor.MapGet("/runs/{id:guid}", GetAsync).WithSummary("One run with its results (and progress while it runs)");
    }

    internal static async Task<Ok<ScheduleView>> GetScheduleAsync(MonitorSchedules schedules, CancellationToken ct) =>
        TypedResults.Ok(View(await schedules.GetAsync(ct)));

    internal static async Task<Results<Ok<ScheduleView>, ProblemHttpResult>> PutScheduleAsync(
        ScheduleBody? body, MonitorSchedules schedules, ClaimsPrincipal user, CancellationToken ct)
    {
        if (body is null)
        {
            return ApiRoutes.Problem(new Error("body-missing", "Send {\"kind\": \"interval\", \"intervalMinutes\": 60} or {\"kind\": \"daily\", \"dailyAtUtc\": \"06:00\"} or {\"kind\": \"off\"}."));
        }

        var saved = await schedules.SaveAsync(body.Kind, body.IntervalMinutes, body.DailyAtUtc, user.Identity?.Name ?? "api", ct);
        return saved.IsSuccess ? TypedResults.Ok(View(saved.Value)) : ApiRoutes.Problem(saved.Error);
    }

    internal static async Task<Results<Accepted<RunStarted>, ProblemHttpResult>> StartAsync(MonitorRunner runner, ClaimsPrincipal user, CancellationToken ct)
    {
        var started = await runner.StartAsync(user.Identity?.Name ?? "api", ct);
        if (!started.IsSuccess)
        {
            return ApiRoutes.Problem(started.Error);
        }

        return TypedResults.Accepted($"{ApiRoutes.Prefix}/monitor/runs/{started.Value}", new RunStarted(started.Value, "Running"));
    }

    /// <param name="db">The database.</param>
    /// <param name="status">running | completed | failed | cancelled.</param>
    /// <param name="trigger">scheduled | manual.</param>
    /// <param name="sort">started | ended | trigger | status | ok | ng | unreachable.</param>
    /// <param name="dir">asc | desc.</param>
    /// <param name="skip">Rows to skip.</param>
    /// <param name="take">Rows to return, 1-200 (default 50).</param>
    /// <param name="ct">Cancellation.</param>
    internal static async Task<Results<Ok<RunPage>, ProblemHttpResult>> ListAsync(
        CertMgrDbContext db, string? status, string? trigger, string? sort, string? dir, int? skip, int? take, CancellationToken ct)
    {
        if (Paging(skip, take) is { } paging)
        {
            return paging;
        }

        if (sort is not null && !MonitorRows.RunColumns.IsSortable(sort.Trim()))
        {
            return ApiRoutes.Problem(new Error("sort-invalid", "sort must be one of: started, ended, trigger, status, ok, ng, unreachable."));
        }

        var rows = MonitorRows.Runs(db).AsNoTracking();
        if (status is not null)
        {
            if (MonitorRows.ParseRunStatus(status) is not { } s)
            {
                return ApiRoutes.Problem(new Error("status-invalid", "status must be one of: running, completed, failed, cancelled."));
            }

            rows = rows.Where(r => r.Status == s);
        }

        if (trigger is not null)
        {
            if (MonitorRows.ParseTrigger(trigger) is not { } t)
            {
                return ApiRoutes.Problem(new Error("trigger-invalid", "trigger must be one of: scheduled, manual."));
            }

            rows = rows.Where(r => r.Trigger == t);
        }

        var state = MonitorRows.RunColumns.Normalize(new ListQuery { Sort = sort, Dir = dir });
        var total = await rows.CountAsync(ct);
        var (from, count) = (skip ?? 0, take ?? DefaultTake);
        var page = await MonitorRows.RunColumns.ApplySort(rows, state).Skip(from).Take(count).ToListAsync(ct);
        return TypedResults.Ok(new RunPage(total, from, count, [.. page.Select(Item)]));
    }

    /// <param name="id">The run.</param>
    /// <param name="db">The database.</param>
    /// <param name="activity">The pass in progress, for its progress.</param>
    /// <param name="status">ok | ng | unreachable | problem (NG or Unreachable).</param>
    /// <param name="q">Search: definition name, endpoint, reason, or a served SHA-1 prefix.</param>
    /// <param name="sort">definition | endpoint | status | duration.</param>
    /// <param name="dir">asc | desc.</param>
    /// <param name="skip">Results to skip.</param>
    /// <param name="take">Results to return, 1-200 (default 50).</param>
    /// <param name="ct">Cancellation.</param>
    internal static async Task<Results<Ok<RunReport>, ProblemHttpResult>> GetAsync(
        Guid id, CertMgrDbContext db, MonitorActivity activity, string? status, string? q, string? sort, string? dir, int? skip, int? take,
        CancellationToken ct)
    {
        if (Paging(skip, take) is { } paging)
        {
            return paging;
        }

        if (sort is not null && !MonitorRows.ResultColumns.IsSortable(sort.Trim()))
        {
            return ApiRoutes.Problem(new Error("sort-invalid", "sort must be one of: definition, endpoint, status, duration."));
        }

        var filter = MonitorRows.NormalizeResultStatus(status);
        if (status is not null && filter is null)
        {
            return ApiRoutes.Problem(new Error("status-invalid", "status must be one of: ok, ng, unreachable, problem."));
        }

        var run = await MonitorRows.Runs(db).AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, ct);
        if (run is null)
        {
            return ApiRoutes.Problem(Error.NotFound("run-not-found", "No such monitor run."));
        }

        var progress = activity.ProgressOf(id, run.Status) is { } current ? new RunProgress(current.Checked, current.Total) : null;
        var state = MonitorRows.ResultColumns.Normalize(new ListQuery { Q = q, Sort = sort, Dir = dir });
        var rows = MonitorRows.ResultColumns.ApplySearch(MonitorRows.Results(db, id).AsNoTracking().WhereStatus(filter), state);
        var total = await rows.CountAsync(ct);
        var (from, count) = (skip ?? 0, take ?? DefaultTake);
        var page = await MonitorRows.ResultColumns.ApplySort(rows, state).Skip(from).Take(count).ToListAsync(ct);
        return TypedResults.Ok(new RunReport(Item(run), progress, total, from, count, [.. page.Select(Result)]));
    }

    private static ProblemHttpResult? Paging(int? skip, int? take) =>
        skip is < 0 || take is < 1 or > MaxTake
            ? ApiRoutes.Problem(new Error("paging-invalid", $"skip must be 0 or more and take between 1 and {MaxTake}."))
            : null;

    private static ScheduleView View(MonitorScheduleState s) => new(
        s.Schedule.Kind.ToString().ToLowerInvariant(), s.Schedule.IntervalMinutes, s.Schedule.DailyAtUtc.ToString("HH:mm", CultureInfo.InvariantCulture),
        s.Schedule.ToString(), s.NextRun, s.LastScheduledRun, s.UpdatedAt);

    private static RunItem Item(RunRow r) => new(
        r.Id, r.Trigger.ToString().ToLowerInvariant(), r.Status.ToString().ToLowerInvariant(), r.StartedAt, r.EndedAt, r.Duration?.TotalSeconds,
        r.OkCount, r.NgCount, r.UnreachableCount, r.Total);

    private static ResultItem Result(ResultRow r) => new(
        r.Id, r.DefinitionId, r.DefinitionName, r.OperationMode.ToString(), r.Status.ToString(), r.Endpoint, r.Reason, r.ServedSha1, r.ServedSha256,
        r.DurationMs, r.CheckedAt, [.. MonitorRows.Checks(r.ChecksJson).Select(c => new CheckItem(c.Name, c.Ok, c.Detail))]);
}
