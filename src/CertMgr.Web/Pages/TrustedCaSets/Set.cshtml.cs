using CertMgr.Core.Common;
using CertMgr.Core.TrustedCas;
using CertMgr.Data.Model;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CertMgr.Web.Pages.TrustedCaSets;

/// <summary>One Trusted CA Set: rename, system files, user CAs (upload, remove), save and merge, default, delete.</summary>
[Authorize]
public sealed class SetModel(CertMgr.Core.TrustedCas.TrustedCaSets sets, TimeProvider time) : PageModel
{
    public TrustedCaSetDetails Details { get; private set; } = null!;
    public TrustedCaSet Set => Details.Set;
    public IReadOnlyList<SystemFileInfo> SystemFiles { get; private set; } = [];
    public DateTimeOffset Now { get; private set; }
    public string? Flash { get; private set; }
    public string? Error { get; private set; }
    public bool ConfirmDelete { get; private set; }

    [BindProperty]
    public string? Name { get; set; }

    [BindProperty]
    public List<string> Files { get; set; } = [];

    [BindProperty]
    public IFormFile? Upload { get; set; }

    /// <summary>A form field's error, by field: Name, Files or Upload.</summary>
    public Dictionary<string, string> FieldErrors { get; } = new(StringComparer.Ordinal);

    public bool IsAdmin => User.IsInRole(nameof(UserRole.Admin));

    private string Actor => User.Identity?.Name ?? "console";

    public async Task<IActionResult> OnGetAsync(Guid id, bool confirmDelete, CancellationToken ct)
    {
        Flash = TempData["Flash"] as string;
        Error = TempData["Error"] as string;
        ConfirmDelete = confirmDelete && IsAdmin;
        return await LoadAsync(id, ct) ? Page() : NotFound();
    }

    public Task<IActionResult> OnPostRenameAsync(Guid id, CancellationToken ct) =>
        ChangeAsync(id, nameof(Name), async () =>
        {
            var renamed = await sets.RenameAsync(id, Name ?? "", Actor, ct);
            return renamed.IsSuccess ? Ok($"Renamed to '{renamed.Value.Name}'.") : renamed.Error;
        }, ct);

    public Task<IActionResult> OnPostFilesAsync(Guid id, CancellationToken ct) =>
        ChangeAsync(id, nameof(Files), async () =>
        {
            var chosen = await sets.SetSystemFilesAsync(id, Files, Actor, ct);
            return chosen.IsSuccess ? Ok("System files saved. Save and merge to use them in monitoring.") : chosen.Error;
        }, ct);

    public Task<IActionResult> OnPostUploadAsync(Guid id, CancellationToken ct) =>
        ChangeAsync(id, nameof(Upload), async () =>
        {
            if (Upload is null || Upload.Length == 0)
            {
                return new Error("upload-empty", "Choose a CA certificate file (PEM, DER or PKCS#7).");
            }

            if (Upload.Length > Api.TrustedCaSetsApi.MaxUploadBytes)
            {
                return new Error("upload-too-large", "The file is larger than 8 MiB.");
            }

            using var buffer = new MemoryStream();
            await Upload.CopyToAsync(buffer, ct);
            var added = await sets.AddCertificatesAsync(id, buffer.ToArray(), Actor, ct);
            if (!added.IsSuccess)
            {
                return added.Error;
            }

            var text = added.Value.Added.Count == 0
                ? "Every certificate in the file is already in the set."
                : $"Added {string.Join(", ", added.Value.Added.Select(a => a.Subject))}" + (added.Value.Duplicates > 0 ? $" ({added.Value.Duplicates} already present)" : "") + ". Save and merge to use them in monitoring.";
            return Ok(text);
        }, ct);

    public Task<IActionResult> OnPostRemoveAsync(Guid id, Guid certificateId, CancellationToken ct) =>
        ChangeAsync(id, "", async () =>
        {
            var removed = await sets.RemoveCertificateAsync(id, certificateId, Actor, ct);
            return removed.IsSuccess ? Ok("Certificate removed. Save and merge to stop trusting it in monitoring.") : removed.Error;
        }, ct);

    public Task<IActionResult> OnPostMergeAsync(Guid id, CancellationToken ct) =>
        ChangeAsync(id, "", async () =>
        {
            var merged = await sets.MergeAsync(id, Actor, ct);
            return merged.IsSuccess ? Ok("Saved and merged: monitoring now validates against this content.") : merged.Error;
        }, ct);

    public Task<IActionResult> OnPostDefaultAsync(Guid id, CancellationToken ct) =>
        ChangeAsync(id, "", async () =>
        {
            var made = await sets.SetDefaultAsync(id, Actor, ct);
            return made.IsSuccess ? Ok("This is now the default set: definitions without a set and discovery use it.") : made.Error;
        }, ct);

    public async Task<IActionResult> OnPostDeleteAsync(Guid id, CancellationToken ct)
    {
        if (!IsAdmin)
        {
            return Forbid();
        }

        var deleted = await sets.DeleteAsync(id, Actor, ct);
        if (!deleted.IsSuccess)
        {
            TempData["Error"] = deleted.Error.Message;
            return RedirectToPage(new { id });
        }

        TempData["Flash"] = deleted.Value > 0 ? $"Set deleted; {(deleted.Value == 1 ? "its definition now uses" : $"its {Plural.Of(deleted.Value, "definition")} now use")} the default set." : "Set deleted.";
        return RedirectToPage("Index");
    }

    private static Result<string> Ok(string message) => message;

    /// <summary>Runs an admin change: on success back to the page with a message; on failure the page again with the error at its field.</summary>
    private async Task<IActionResult> ChangeAsync(Guid id, string field, Func<Task<Result<string>>> change, CancellationToken ct)
    {
        if (!IsAdmin)
        {
            return Forbid();
        }

        var outcome = await change();
        if (outcome.IsSuccess)
        {
            TempData["Flash"] = outcome.Value;
            return RedirectToPage(new { id });
        }

        if (outcome.Error.Code == "set-not-found")
        {
            return NotFound();
        }

        if (field.Length > 0)
        {
            FieldErrors[field] = outcome.Error.Message;
        }
        else
        {
            Error = outcome.Error.Message;
        }

        return await LoadAsync(id, ct, keepInput: true) ? Page() : NotFound();
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken ct, bool keepInput = false)
    {
        var details = await sets.GetAsync(id, ct);
        if (!details.IsSuccess)
        {
            return false;
        }

        Details = details.Value;
        SystemFiles = sets.DescribeSystemFiles();
        Now = time.GetUtcNow();
        if (!keepInput)
        {
            Name = Set.Name;
            Files = [.. Set.SystemFiles];
        }
        else
        {
            Name ??= Set.Name;
            if (!FieldErrors.ContainsKey(nameof(Files)))
            {
                Files = [.. Set.SystemFiles];
            }
        }

        return true;
    }
}
