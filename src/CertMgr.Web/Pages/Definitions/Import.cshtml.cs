using System.Text.Json;
using CertMgr.Core.Common;
using CertMgr.Core.Inventory;
using CertMgr.Core.Pki.Reading;
using CertMgr.Data.Model;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CertMgr.Web.Pages.Definitions;

/// <summary>Import existing certificates (guide 2.7, 4.3.1): files in any format, one password, the operation mode.</summary>
[Authorize]
public sealed class ImportModel(ImportService importer) : PageModel
{
    public const int MaxFiles = 200;

    /// <summary>Rows of the result kept for the page after the redirect (the TempData cookie stays small); the counts are whole.</summary>
    public const int MaxShownFiles = 30;

    private const string ResultKey = "ImportResult";

    [BindProperty]
    public string Mode { get; set; } = "managed";

    public ImportSummary? Summary { get; private set; }

    public string? Error { get; private set; }

    /// <summary>How many files the import had (the table shows at most <see cref="MaxShownFiles"/>).</summary>
    public int FileCount { get; private set; }

    // Post/redirect/get: the result travels in TempData, so a reload shows it again instead of importing again.
    public void OnGet()
    {
        if (TempData[ResultKey] is string stored && JsonSerializer.Deserialize<StoredResult>(stored) is { } result)
        {
            Summary = result.Summary;
            FileCount = result.FileCount;
        }
    }

    public async Task<IActionResult> OnPostAsync(List<IFormFile> files, string? password, string? keyPassword, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (files.Count == 0)
        {
            Error = "Choose one or more certificate files to import.";
            return Page();
        }

        if (files.Count > MaxFiles)
        {
            Error = $"At most {MaxFiles} files at once; use 'certmgr import FOLDER' for more.";
            return Page();
        }

        var input = new List<ImportFile>(files.Count);
        foreach (var file in files)
        {
            var name = Path.GetFileName(file.FileName);
            if (file.Length > ReadOptions.DefaultMaxBytes)
            {
                input.Add(ImportFile.Unreadable(name, new Error(ReadErrors.TooLarge, $"The file is {file.Length} bytes, over the limit of {ReadOptions.DefaultMaxBytes} bytes.")));
                continue;
            }

            using var buffer = new MemoryStream((int)file.Length);
            await file.CopyToAsync(buffer, ct);
            input.Add(new ImportFile(name, buffer.ToArray()));
        }

        var mode = Mode == "monitored" ? OperationMode.MonitoredOnly : OperationMode.LifecycleManaged;
        IReadOnlyList<string> passwords = string.IsNullOrEmpty(password) ? [] : [password];
        var summary = await importer.ImportAsync(input, new ImportSettings(mode, passwords, string.IsNullOrEmpty(keyPassword) ? null : keyPassword), User.Identity?.Name ?? "console", ct);
        TempData[ResultKey] = JsonSerializer.Serialize(new StoredResult(summary with { Files = [.. summary.Files.Take(MaxShownFiles)] }, summary.Files.Count));
        return RedirectToPage();
    }

    private sealed record StoredResult(ImportSummary Summary, int FileCount);
}
