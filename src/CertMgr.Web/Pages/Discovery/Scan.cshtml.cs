using CertMgr.Core.Common;
using CertMgr.Core.Discovery;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CertMgr.Web.Pages.Discovery;

/// <summary>One scan: live progress while it runs, then the report (sort, verdict filter, paging, grouping) and import.</summary>
[Authorize]
public sealed class ScanModel(DiscoveryQueries queries, DiscoveryRunner runner, DiscoveryImport import, TimeProvider time) : PageModel
{
    public const int PageSize = 50;

    [BindProperty(SupportsGet = true)]
    public Guid Id { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Verdict { get; set; }

    [BindProperty(SupportsGet = true, Name = "q")]
    public string? Text { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Sort { get; set; }

    [BindProperty(SupportsGet = true)]
    public bool Group { get; set; }

    /// <summary>The page of the list ("page" in the query; Razor Pages' own "page" route value must not shadow it).</summary>
    public int PageNumber { get; private set; } = 1;

    public ScanSummary Scan { get; private set; } = null!;

    public FindingPage Findings { get; private set; } = null!;

    /// <summary>Endpoints per certificate in this scan (SHA-256 → count) for the rows shown.</summary>
    public Dictionary<string, int> SameCertificate { get; private set; } = [];

    public DateTimeOffset Now { get; private set; }

    public string? Flash { get; private set; }

    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync([FromQuery(Name = "page")] int? page, CancellationToken ct)
    {
        PageNumber = page ?? 1;
        if (!await LoadAsync(ct))
        {
            return NotFound();
        }

        Flash = TempData["Flash"] as string;
        Error = TempData["Error"] as string;
        return Page();
    }

    /// <summary>The progress panel, polled by htmx while the scan runs; the page reloads when it ends.</summary>
    public async Task<IActionResult> OnGetProgressAsync(CancellationToken ct)
    {
        if (await queries.GetAsync(Id, ct) is not { } scan)
        {
            return NotFound();
        }

        if (scan.Status != Data.Model.ScanStatus.Running)
        {
            Response.Headers["HX-Refresh"] = "true";
        }

        return Partial("_ScanProgress", scan);
    }

    public IActionResult OnPostCancel()
    {
        var cancelled = runner.Cancel(Id);
        TempData[cancelled ? "Flash" : "Error"] = cancelled ? "Cancelling the scan…" : "The scan does not run in this server any more.";
        return Redirect(Url.Content($"~/discovery/scans/{Id}"));
    }

    public async Task<IActionResult> OnPostImportAsync(List<long> selected, bool allMatching, string? mode, CancellationToken ct)
    {
        var parsed = DiscoveryImport.ParseMode(mode);
        if (parsed is null)
        {
            TempData["Error"] = "Choose Monitored-Only or Lifecycle-Managed.";
        }
        else
        {
            var outcome = allMatching
                ? await import.ImportMatchingAsync(Id, new FindingFilter { Verdict = Verdict, Text = Text }, parsed.Value, User.Identity?.Name ?? "console", ct)
                : await import.ImportAsync(Id, selected, parsed.Value, User.Identity?.Name ?? "console", ct);
            if (outcome.IsSuccess)
            {
                TempData["Flash"] = $"Imported {Plural.Of(outcome.Value.Imported, "certificate")} as {(parsed == Data.Model.OperationMode.LifecycleManaged ? "lifecycle-managed" : "monitored-only")} definitions"
                    + (outcome.Value.AlreadyKnown > 0 ? $"; {outcome.Value.AlreadyKnown} already in the inventory" : "")
                    + (outcome.Value.Skipped > 0 ? $"; {Plural.Of(outcome.Value.Skipped, "finding")} without a certificate skipped" : "") + ".";
            }
            else
            {
                TempData["Error"] = outcome.Error.Message;
            }
        }

        return Redirect(Url.Content($"~/discovery/scans/{Id}") + QueryString(null));
    }

    /// <summary>This page's query string with one value changed (null removes it); the page number resets unless given.</summary>
    public string QueryString(string? key, string? value = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["verdict"] = Verdict, ["q"] = Text, ["sort"] = Sort, ["group"] = Group ? "true" : null, ["page"] = null,
        };
        if (key is not null)
        {
            values[key] = value;
        }

        var parts = values.Where(v => !string.IsNullOrEmpty(v.Value)).Select(v => $"{v.Key}={Uri.EscapeDataString(v.Value!)}").ToList();
        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
    }

    public string SortLink(string column) => QueryString("sort", Sort == column ? "-" + column : column);

    private async Task<bool> LoadAsync(CancellationToken ct)
    {
        Now = time.GetUtcNow();
        if (await queries.GetAsync(Id, ct) is not { } scan)
        {
            return false;
        }

        Scan = scan;
        if (Verdict is not null && !FindingFilter.Verdicts.Contains(Verdict))
        {
            Verdict = null;
        }

        if (Sort is not null && !DiscoveryQueries.Sorts.Contains(Sort.TrimStart('-')))
        {
            Sort = null;
        }

        PageNumber = Math.Max(1, PageNumber);
        Findings = await queries.FindingsAsync(Id, new FindingFilter { Verdict = Verdict, Text = Text }, Group ? "cn" : Sort, (PageNumber - 1) * PageSize, PageSize, ct);
        if (Group)
        {
            // Identical certificates next to each other (the page is ordered by common name, then by certificate).
            Findings = Findings with { Items = [.. Findings.Items.OrderBy(f => f.CommonName, StringComparer.Ordinal).ThenBy(f => f.Sha256, StringComparer.Ordinal).ThenBy(f => f.Id)] };
        }

        SameCertificate = await queries.EndpointCountsAsync(Id, Findings.Items.Where(f => f.Sha256 is not null).Select(f => f.Sha256!), ct);
        return true;
    }
}
