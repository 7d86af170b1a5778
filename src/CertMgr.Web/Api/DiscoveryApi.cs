using System.Security.Claims;
using System.Text;
using CertMgr.Core.Common;
using CertMgr.Core.Discovery;
using CertMgr.Data.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace CertMgr.Web.Api;

/// <summary>
/// <c>/api/v1/discovery/scans</c> (guide 2.6, 4.5): start a scan in the background (202 with its id), list and read
/// scans with live progress, cancel, read the findings (filter, sort, paging), export them as CSV or JSON, and import
/// findings as definitions.
/// </summary>
public static class DiscoveryApi
{
    public sealed record ScanBody(IReadOnlyList<string>? Targets, string? Ports, IReadOnlyList<string>? Sni, IReadOnlyList<string>? Exclude, int? Concurrency, int? TimeoutMs);

    public sealed record ScanStarted(Guid Id, string Status);

    public sealed record ScanItem(
        Guid Id, string Name, string Ports, string Status, DateTimeOffset StartedAt, DateTimeOffset? EndedAt, string CreatedBy,
        int Targets, int Done, int Found, int NonTls, int Unreachable, double Rate, string? Failure, IReadOnlyList<string> Sni, IReadOnlyList<string> Exclude);

    public sealed record ScanPage(int Total, int Skip, int Take, IReadOnlyList<ScanItem> Items);

    public sealed record FindingItem(
        long Id, string Kind, string Address, string Host, int Port, string? Sni, string? Error, string? Sha1, string? Sha256, string? Subject,
        string? CommonName, string? Issuer, DateTimeOffset? NotAfter, string? KeyAlgorithm, int KeySize, string? SignatureAlgorithm, int ChainLength,
        bool Trusted, string? TrustDetail, bool SelfSigned, bool Expired, bool Expiring, bool HostnameMatch, bool WeakKey, bool WeakSignature,
        bool LongValidity, bool ManagedWhenFound, Guid? DefinitionId, IReadOnlyList<string> Problems);

    public sealed record FindingsPage(int Total, int Skip, int Take, IReadOnlyList<FindingItem> Items);

    /// <summary>Import: the findings by id, or every finding matching a filter (<c>verdict</c>, <c>text</c>); mode monitored-only | lifecycle-managed.</summary>
    public sealed record ImportBody(IReadOnlyList<long>? FindingIds, string? Verdict, string? Text, bool? AllMatching, string? Mode);

    public sealed record ImportResult(int Imported, int AlreadyKnown, int Skipped, IReadOnlyList<Guid> DefinitionIds);

    public static void MapDiscoveryApi(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var scans = api.MapGroup("/discovery/scans").WithTags("Discovery");
        scans.MapPost("/", StartAsync).WithSummary("Start a scan in the background: {targets: [...], ports: \"443,8443\", sni?, exclude?, concurrency?, timeoutMs?} (202 with its id)");
        scans.MapGet("/", ListAsync).WithSummary("Scans, most recent first, with progress");
        scans.MapGet("/{id:guid}", GetAsync).WithSummary("One scan with its progress and counters");
        scans.MapPost("/{id:guid}/cancel", CancelAsync).WithSummary("Cancel a running scan");
        scans.MapGet("/{id:guid}/findings", FindingsAsync).WithSummary("The findings: verdict filter, text, sort, paging");
        scans.MapGet("/{id:guid}/export", ExportAsync).WithSummary("The certificate findings as CSV (format=csv) or JSON (format=json)");
        scans.MapPost("/{id:guid}/import", ImportAsync).WithSummary("Import findings (ids, or all matching a filter) as definitions");
    }

    internal static async Task<Results<Accepted<ScanStarted>, ProblemHttpResult>> StartAsync(ScanBody? body, DiscoveryRunner runner, ClaimsPrincipal user, CancellationToken ct)
    {
        if (body is null)
        {
            return ApiRoutes.Problem(new Error("body-missing", "Send {\"targets\": [\"10.0.0.0/24\"], \"ports\": \"443,8443\"}."));
        }

        var options = ScanOptions.From(body.Concurrency, body.TimeoutMs);
        if (!options.IsSuccess)
        {
            return ApiRoutes.Problem(options.Error);
        }

        var started = await runner.StartAsync(new DiscoveryInput(body.Targets ?? [], body.Ports ?? "", body.Sni, body.Exclude), options.Value, user.Identity?.Name ?? "api", ct);
        if (!started.IsSuccess)
        {
            return ApiRoutes.Problem(started.Error);
        }

        return TypedResults.Accepted($"{ApiRoutes.Prefix}/discovery/scans/{started.Value}", new ScanStarted(started.Value, "Running"));
    }

    internal static async Task<Results<Ok<ScanPage>, ProblemHttpResult>> ListAsync(DiscoveryQueries queries, int? skip, int? take, CancellationToken ct)
    {
        if (skip < 0 || take is < 1 or > DiscoveryQueries.MaxTake)
        {
            return ApiRoutes.Problem(new Error("paging-invalid", $"skip must be 0 or more and take from 1 to {DiscoveryQueries.MaxTake}."));
        }

        var (total, items) = await queries.ListAsync(skip ?? 0, take ?? 50, ct);
        return TypedResults.Ok(new ScanPage(total, skip ?? 0, take ?? 50, [.. items.Select(Item)]));
    }

    internal static async Task<Results<Ok<ScanItem>, ProblemHttpResult>> GetAsync(Guid id, DiscoveryQueries queries, CancellationToken ct) =>
        await queries.GetAsync(id, ct) is { } scan ? TypedResults.Ok(Item(scan)) : NotFound();

    internal static async Task<Results<Accepted<ScanItem>, ProblemHttpResult>> CancelAsync(Guid id, DiscoveryQueries queries, DiscoveryRunner runner, CancellationToken ct)
    {
        if (await queries.GetAsync(id, ct) is not { } scan)
        {
            return NotFound();
        }

        if (scan.Status != ScanStatus.Running || !runner.Cancel(id))
        {
            return ApiRoutes.Problem(Error.Conflict("not-running", $"The scan is {scan.Status.ToString().ToLowerInvariant()}, not running in this server."));
        }

        return TypedResults.Accepted($"{ApiRoutes.Prefix}/discovery/scans/{id}", Item(scan));
    }

    /// <param name="id">The scan.</param>
    /// <param name="queries">Discovery reads.</param>
    /// <param name="verdict">all | problems | ok | trusted | untrusted | expired | expiring | self-signed | mismatch | weak | managed | unmanaged | non-tls | failed.</param>
    /// <param name="text">Text in the address, common name, subject or issuer.</param>
    /// <param name="sort">address | port | cn | issuer | expires | trusted | problems | key; "-" first for descending.</param>
    /// <param name="skip">Rows to skip.</param>
    /// <param name="take">Rows to return, 1-500 (default 100).</param>
    /// <param name="ct">Cancellation.</param>
    internal static async Task<Results<Ok<FindingsPage>, ProblemHttpResult>> FindingsAsync(
        Guid id, DiscoveryQueries queries, string? verdict, string? text, string? sort, int? skip, int? take, CancellationToken ct)
    {
        if (await queries.GetAsync(id, ct) is null)
        {
            return NotFound();
        }

        if (Check(verdict, sort, skip, take) is { } problem)
        {
            return problem;
        }

        var page = await queries.FindingsAsync(id, new FindingFilter { Verdict = verdict, Text = text }, sort, skip ?? 0, take ?? 100, ct);
        return TypedResults.Ok(new FindingsPage(page.Total, page.Skip, page.Take, [.. page.Items.Select(Item)]));
    }

    internal static async Task<Results<FileContentHttpResult, ProblemHttpResult>> ExportAsync(
        Guid id, DiscoveryQueries queries, string? format, string? verdict, string? text, CancellationToken ct)
    {
        if (await queries.GetAsync(id, ct) is not { } scan)
        {
            return NotFound();
        }

        if (format is not (null or "csv" or "json"))
        {
            return ApiRoutes.Problem(new Error("format-invalid", "format must be csv or json."));
        }

        if (Check(verdict, null, null, null) is { } problem)
        {
            return problem;
        }

        var findings = new List<DiscoveredCertificate>();
        for (var skip = 0; ; skip += DiscoveryQueries.MaxTake)
        {
            var page = await queries.FindingsAsync(id, new FindingFilter { Verdict = verdict, Text = text }, null, skip, DiscoveryQueries.MaxTake, ct);
            findings.AddRange(page.Items.Where(f => f.Kind == FindingKind.Tls).Select(DiscoveryQueries.ToDiscovered));
            if (page.Items.Count < DiscoveryQueries.MaxTake)
            {
                break;
            }
        }

        var name = $"discovery-{scan.StartedAt.UtcDateTime:yyyyMMdd-HHmmss}";
        if (format == "json")
        {
            var report = new DiscoveryReport(scan.Targets, findings, [], 0, (scan.EndedAt ?? scan.StartedAt) - scan.StartedAt);
            var json = DiscoveryExport.ToJson(report, detailed: true);
            return TypedResults.File(Encoding.UTF8.GetBytes(json), "application/json", name + ".json");
        }

        return TypedResults.File(Encoding.UTF8.GetBytes(DiscoveryExport.ToCsv(findings)), "text/csv", name + ".csv");
    }

    internal static async Task<Results<Ok<ImportResult>, ProblemHttpResult>> ImportAsync(
        Guid id, ImportBody? body, DiscoveryImport import, ClaimsPrincipal user, CancellationToken ct)
    {
        if (body is null)
        {
            return ApiRoutes.Problem(new Error("body-missing", "Send {\"findingIds\": [1, 2], \"mode\": \"monitored-only\"} or {\"allMatching\": true, \"verdict\": \"unmanaged\", \"mode\": \"lifecycle-managed\"}."));
        }

        if (DiscoveryImport.ParseMode(body.Mode) is not { } mode)
        {
            return ApiRoutes.Problem(new Error("mode-invalid", "mode must be monitored-only or lifecycle-managed."));
        }

        if (Check(body.Verdict, null, null, null) is { } problem)
        {
            return problem;
        }

        var actor = user.Identity?.Name ?? "api";
        var outcome = body.AllMatching == true
            ? await import.ImportMatchingAsync(id, new FindingFilter { Verdict = body.Verdict, Text = body.Text }, mode, actor, ct)
            : await import.ImportAsync(id, body.FindingIds ?? [], mode, actor, ct);
        return outcome.IsSuccess
            ? TypedResults.Ok(new ImportResult(outcome.Value.Imported, outcome.Value.AlreadyKnown, outcome.Value.Skipped, outcome.Value.DefinitionIds))
            : ApiRoutes.Problem(outcome.Error);
    }

    private static ProblemHttpResult? Check(string? verdict, string? sort, int? skip, int? take)
    {
        if (verdict is not null && !FindingFilter.Verdicts.Contains(verdict))
        {
            return ApiRoutes.Problem(new Error("verdict-invalid", $"verdict must be one of: {string.Join(", ", FindingFilter.Verdicts)}."));
        }

        if (sort is not null && !DiscoveryQueries.Sorts.Contains(sort.TrimStart('-')))
        {
            return ApiRoutes.Problem(new Error("sort-invalid", $"sort must be one of: {string.Join(", ", DiscoveryQueries.Sorts)} (\"-\" first for descending)."));
        }

        return skip < 0 || take is < 1 or > DiscoveryQueries.MaxTake
            ? ApiRoutes.Problem(new Error("paging-invalid", $"skip must be 0 or more and take from 1 to {DiscoveryQueries.MaxTake}."))
            : null;
    }

    private static ProblemHttpResult NotFound() =>
        ApiRoutes.Problem(Error.NotFound("scan-not-found", "No discovery scan has that id."));

    private static ScanItem Item(ScanSummary s) =>
        new(s.Id, s.Name, s.Ports, s.Status.ToString(), s.StartedAt, s.EndedAt, s.CreatedBy, s.Targets, s.Done, s.Found, s.NonTls, s.Unreachable,
            Math.Round(s.Rate, 1), s.Failure, s.SniNames, s.Excludes);

    private static FindingItem Item(DiscoveryFinding f) =>
        new(f.Id, f.Kind.ToString(), f.Address, f.Host, f.Port, f.Sni, f.Error, f.Sha1, f.Sha256, f.Subject, f.CommonName, f.Issuer, f.NotAfter,
            f.KeyAlgorithm, f.KeySize, f.SignatureAlgorithm, f.ChainLength, f.Trusted, f.TrustDetail, f.SelfSigned, f.Expired, f.Expiring,
            f.HostnameMatch, f.WeakKey, f.WeakSignature, f.LongValidity, f.Managed, f.DefinitionId,
            string.IsNullOrEmpty(f.Verdict) ? [] : f.Verdict.Split("; "));
}
