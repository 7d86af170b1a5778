using CertMgr.Core.Documents;
using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Web.Pages.Documents;

/// <summary>A definition's document folder (guide 4.2.5): upload, list, download, delete.</summary>
[Authorize]
[RequestFormLimits(MultipartBodyLengthLimit = DocumentStore.MaxBytes + 64 * 1024)]
public sealed class IndexModel(CertMgrDbContext db, DocumentStore store) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "definition")]
    public Guid? DefinitionId { get; set; }

    public CertificateDefinition? Definition { get; private set; }
    public IReadOnlyList<Document> Documents { get; private set; } = [];
    public string? Message { get; private set; }
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? done, CancellationToken ct)
    {
        Message = done;
        return await LoadAsync(ct) ? Page() : NotFound();
    }

    public async Task<IActionResult> OnGetDownloadAsync(Guid document, CancellationToken ct)
    {
        if (DefinitionId is not { } id)
        {
            return NotFound();
        }

        if (await store.FindAsync(id, document, ct) is { } found && !MayHandle(found.Kind))
        {
            return Forbid();
        }

        var opened = await store.OpenAsync(id, document, ct);
        // Always a download, never rendered: an uploaded HTML file must not run in the console's origin.
        return opened.IsSuccess ? File(opened.Value.Content, "application/octet-stream", opened.Value.Document.FileName) : NotFound();
    }

    public async Task<IActionResult> OnPostUploadAsync(IFormFile? file, DocumentKind kind, CancellationToken ct)
    {
        if (DefinitionId is not { } id)
        {
            return NotFound();
        }

        if (!MayHandle(kind))
        {
            Response.StatusCode = StatusCodes.Status403Forbidden;
            Error = AdminOnlyMessage;
        }
        else if (file is null || file.Length == 0)
        {
            Error = "Choose a file to upload.";
        }
        else if (file.Length > DocumentStore.MaxBytes)
        {
            Error = $"Documents are limited to {DocumentStore.MaxBytes / (1024 * 1024)} MB.";
        }
        else
        {
            await using var content = file.OpenReadStream();
            var stored = await store.UploadAsync(id, file.FileName, file.ContentType, content, kind, User.Identity?.Name ?? "console", ct);
            if (stored.IsSuccess)
            {
                return Redirect(Url.Content($"~/documents?definition={id}&done={Uri.EscapeDataString($"Uploaded {stored.Value.FileName}.")}"));
            }

            Error = stored.Error.Message;
        }

        return await LoadAsync(ct) ? Page() : NotFound();
    }

    public async Task<IActionResult> OnPostDeleteAsync(Guid document, CancellationToken ct)
    {
        if (DefinitionId is not { } id)
        {
            return NotFound();
        }

        if (await store.FindAsync(id, document, ct) is { } found && !MayHandle(found.Kind))
        {
            Response.StatusCode = StatusCodes.Status403Forbidden;
            Error = AdminOnlyMessage;
            return await LoadAsync(ct) ? Page() : NotFound();
        }

        var deleted = await store.DeleteAsync(id, document, User.Identity?.Name ?? "console", ct);
        if (deleted.IsSuccess)
        {
            return Redirect(Url.Content($"~/documents?definition={id}&done={Uri.EscapeDataString($"Deleted {deleted.Value.FileName}.")}"));
        }

        Error = deleted.Error.Message;
        return await LoadAsync(ct) ? Page() : NotFound();
    }

    private async Task<bool> LoadAsync(CancellationToken ct)
    {
        if (DefinitionId is not { } id)
        {
            return false;
        }

        Definition = await db.Definitions.AsNoTracking().SingleOrDefaultAsync(d => d.Id == id, ct);
        if (Definition is null)
        {
            return false;
        }

        Documents = await store.ListAsync(id, ct);
        return true;
    }

    public const string AdminOnlyMessage = "Install packages hold the private key; only administrators may download, upload or delete them.";

    /// <summary>Whether this user may download, upload or delete a document of the kind (install packages: admins only).</summary>
    public bool MayHandle(DocumentKind kind) => Api.DocumentsApi.MayHandle(User, kind);

    public static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{bytes / 1024.0:0.#} KB",
        _ => $"{bytes / (1024.0 * 1024):0.#} MB",
    };
}
