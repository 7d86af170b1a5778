using System.Security.Claims;
using CertMgr.Core.Common;
using CertMgr.Core.Unattended;
using CertMgr.Data.Model;
using CertMgr.Web.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace CertMgr.Web.Api;

/// <summary>
/// <c>/api/v1/unattended</c>: the engine's status (schedule, last and next pass, the pass running now, processes waiting
/// for a person), run a pass now (202; 409 while one runs), the passes and each pass's outcome per definition; admins
/// change the interval.
/// </summary>
public static class UnattendedApi
{
    public sealed record ScheduleBody(string? Interval);

    public sealed record ScheduleView(string Interval, bool Off, DateTimeOffset? NextRunAt, DateTimeOffset? LastScheduledRunAt);

    public sealed record Progress(Guid? RunId, int Done, int Total);

    public sealed record RunItem(
        Guid Id, string Trigger, string Node, string Status, DateTimeOffset StartedAt, DateTimeOffset? EndedAt,
        int Total, int Completed, int Interrupted, int Waiting, int Skipped, int Failed);

    public sealed record Waiting(Guid DefinitionId, string Name, string Step, string Reason, DateTimeOffset? Since);

    public sealed record Status(ScheduleView Schedule, RunItem? LastRun, Progress? Running, int WaitingTotal, IReadOnlyList<Waiting> Waiting);

    public sealed record Started(Guid Id, string Status);

    public sealed record ItemOutcome(Guid DefinitionId, string? Name, string Outcome, string? Step, string? Detail, int DurationMs, DateTimeOffset At);

    public sealed record RunReport(RunItem Run, IReadOnlyList<ItemOutcome> Items);

    public static void MapUnattendedApi(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var group = api.MapGroup("/unattended").WithTags("Unattended");
        group.MapGet("", StatusAsync).WithSummary("The engine: schedule, last and next pass, the pass running now, processes waiting for a person");
        group.MapPost("/run", StartAsync).WithSummary("Run a pass now in the background (202 with its id; 409 while one runs)");
        group.MapGet("/runs", RunsAsync).WithSummary("The latest passes, most recent first (take 1-200, default 50)");
        group.MapGet("/runs/{id:guid}", RunAsync).WithSummary("One pass with the outcome for each definition");
        group.MapPut("/schedule", PutScheduleAsync).RequireAuthorization(CertMgrClaims.AdminPolicy)
            .WithSummary("Change the interval (admin): {interval: \"off\" | \"90m\" | \"2h\"}");
    }

    internal static async Task<Ok<Status>> StatusAsync(UnattendedQueries queries, CancellationToken ct)
    {
        var s = await queries.StatusAsync(ct);
        return TypedResults.Ok(new Status(View(s.Schedule), s.LastRun is { } last ? Item(last) : null,
            s.Running is { } p ? new Progress(p.RunId, p.Done, p.Total) : null, s.WaitingTotal,
            [.. s.Waiting.Select(w => new Waiting(w.DefinitionId, w.Name, w.Step, w.Reason, w.Since))]));
    }

    internal static async Task<Results<Accepted<Started>, ProblemHttpResult>> StartAsync(UnattendedRunner runner, ClaimsPrincipal user, CancellationToken ct)
    {
        var started = await runner.StartAsync(user.Identity?.Name ?? "api", ct);
        return started.IsSuccess
            ? TypedResults.Accepted($"{ApiRoutes.Prefix}/unattended/runs/{started.Value}", new Started(started.Value, "Running"))
            : ApiRoutes.Problem(started.Error);
    }

    internal static async Task<Results<Ok<IReadOnlyList<RunItem>>, ProblemHttpResult>> RunsAsync(UnattendedQueries queries, int? take, CancellationToken ct)
    {
        if (take is < 1 or > 200)
        {
            return ApiRoutes.Problem(new Error("take-invalid", "take must be between 1 and 200."));
        }

        var runs = await queries.RunsAsync(take ?? 50, ct);
        return TypedResults.Ok<IReadOnlyList<RunItem>>([.. runs.Select(Item)]);
    }

    internal static async Task<Results<Ok<RunReport>, ProblemHttpResult>> RunAsync(Guid id, UnattendedQueries queries, CancellationToken ct)
    {
        var run = await queries.RunAsync(id, ct);
        if (run is null)
        {
            return ApiRoutes.Problem(Error.NotFound("run-not-found", "No unattended pass has that id."));
        }

        var items = await queries.ItemsAsync(id, ct);
        return TypedResults.Ok(new RunReport(Item(run), [.. items.Select(i => new ItemOutcome(i.DefinitionId, i.Name, i.Outcome.ToString(), i.Step, i.Detail, i.DurationMs, i.At))]));
    }

    internal static async Task<Results<Ok<ScheduleView>, ProblemHttpResult>> PutScheduleAsync(
        ScheduleBody? body, UnattendedSchedules schedules, ClaimsPrincipal user, CancellationToken ct)
    {
        if (body is null)
        {
            return ApiRoutes.Problem(new Error("body-missing", "Send {\"interval\": \"60m\"} or {\"interval\": \"off\"}."));
        }

        var saved = await schedules.SaveAsync(body.Interval, user.Identity?.Name ?? "api", ct);
        return saved.IsSuccess ? TypedResults.Ok(View(saved.Value)) : ApiRoutes.Problem(saved.Error);
    }

    private static ScheduleView View(UnattendedScheduleState s) => new(s.Schedule.ToString(), s.Schedule.IsOff, s.NextRun, s.LastScheduledRun);

    private static RunItem Item(UnattendedRun r) => new(r.Id, r.Trigger.ToString().ToLowerInvariant(), r.Node, r.Status.ToString().ToLowerInvariant(), r.StartedAt, r.EndedAt,
        r.Total, r.CompletedCount, r.InterruptedCount, r.WaitingCount, r.SkippedCount, r.FailedCount);
}
