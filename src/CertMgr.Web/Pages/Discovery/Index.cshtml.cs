using CertMgr.Core.Discovery;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CertMgr.Web.Pages.Discovery;

/// <summary>Certificate Discovery (guide 4.2.8, 4.5): a new scan, and the scans so far.</summary>
[Authorize]
public sealed class IndexModel(DiscoveryQueries queries, DiscoveryRunner runner, DiscoveryOptions options, TimeProvider time) : PageModel
{
    public const int PageSize = 25;

    [BindProperty]
    public ScanForm Form { get; set; } = new();

    /// <summary>The page of the list ("page" in the query; Razor Pages' own "page" route value must not shadow it).</summary>
    public int PageNumber { get; private set; } = 1;

    public IReadOnlyList<ScanSummary> Scans { get; private set; } = [];

    public int Total { get; private set; }

    public int MaxTargets => options.MaxTargets;

    public DateTimeOffset Now { get; private set; }

    public async Task OnGetAsync([FromQuery(Name = "page")] int? page, CancellationToken ct)
    {
        PageNumber = page ?? 1;
        await LoadAsync(ct);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var input = new DiscoveryInput([Form.Targets ?? ""], Form.Ports ?? "", [Form.Sni ?? ""], [Form.Exclude ?? ""]);
        // Numbers that do not bind (e.g. "abc") are the binder's errors on these two fields; other binder state is not ours.
        var refused = ModelState["Form.Concurrency"]?.Errors.Count > 0 || ModelState["Form.TimeoutMs"]?.Errors.Count > 0;
        foreach (var error in DiscoveryTargets.FieldErrors(input))
        {
            ModelState.AddModelError(FieldOf(error.Code), error.Message);
            refused = true;
        }

        if (Form.Concurrency is not null || Form.TimeoutMs is not null)
        {
            foreach (var (concurrency, timeout, key) in new[] { (Form.Concurrency, (int?)null, "Form.Concurrency"), (null, Form.TimeoutMs, "Form.TimeoutMs") })
            {
                if (ScanOptions.From(concurrency, timeout) is { IsSuccess: false } bad)
                {
                    ModelState.AddModelError(key, bad.Error.Message);
                    refused = true;
                }
            }
        }

        var scanOptions = ScanOptions.From(Form.Concurrency, Form.TimeoutMs);
        if (!refused && scanOptions.IsSuccess)
        {
            var started = await runner.StartAsync(input, scanOptions.Value, User.Identity?.Name ?? "console", ct);
            if (started.IsSuccess)
            {
                return Redirect(Url.Content($"~/discovery/scans/{started.Value}"));
            }

            ModelState.AddModelError(FieldOf(started.Error.Code), started.Error.Message);
        }

        await LoadAsync(ct);
        return Page();
    }

    private static string FieldOf(string code) => code switch
    {
        DiscoveryTargets.TargetsInvalid or DiscoveryTargets.TooManyTargets => "Form.Targets",
        DiscoveryTargets.PortsInvalid => "Form.Ports",
        DiscoveryTargets.SniInvalid => "Form.Sni",
        DiscoveryTargets.ExcludeInvalid => "Form.Exclude",
        _ => "",
    };

    private async Task LoadAsync(CancellationToken ct)
    {
        Now = time.GetUtcNow();
        PageNumber = Math.Max(1, PageNumber);
        (Total, Scans) = await queries.ListAsync((PageNumber - 1) * PageSize, PageSize, ct);
    }

    public sealed class ScanForm
    {
        public string? Targets { get; set; }
        public string? Ports { get; set; } = "443";
        public string? Sni { get; set; }
        public string? Exclude { get; set; }
        public int? Concurrency { get; set; }
        public int? TimeoutMs { get; set; }
    }
}
