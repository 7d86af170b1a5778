using System.Security.Claims;
using CertMgr.Core.Common;
using CertMgr.Core.Inventory;
using CertMgr.Core.Pki.Reading;
using CertMgr.Data.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CertMgr.Web.Api;

/// <summary>
/// <c>POST /api/v1/import</c>: multipart upload of one or more certificate files (<c>files</c>), with
/// <c>password</c> (repeatable), <c>keyPassword</c> (a key encrypted under another password than its file) and <c>mode</c> (<c>managed</c> or <c>monitored</c>). Answers the counts and one
/// outcome per file; a bad file does not stop the others.
/// </summary>
public static class ImportApi
{
    public const int MaxFiles = 1000;

    public static void MapImportApi(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapPost("/import", ImportAsync).WithTags("Import").DisableAntiforgery();
    }

    internal static async Task<IResult> ImportAsync(HttpRequest request, ImportService importer, ClaimsPrincipal user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.HasFormContentType)
        {
            return ApiRoutes.UnsupportedMediaType(new Error("multipart-required", "Send the files as multipart/form-data: files (one or more), password, mode."));
        }

        var form = await request.ReadFormAsync(ct);
        var mode = OperationMode.LifecycleManaged;
        if (form["mode"].ToString() is { Length: > 0 } modeText && !DefinitionsApi.TryParseMode(modeText, out mode))
        {
            return ApiRoutes.Problem(new Error("mode-invalid", "mode must be managed (Lifecycle-Managed) or monitored (Monitored-Only)."));
        }

        if (form.Files.Count == 0)
        {
            return ApiRoutes.Problem(new Error("files-missing", "Attach at least one file in the 'files' field."));
        }

        if (form.Files.Count > MaxFiles)
        {
            return ApiRoutes.Problem(Error.TooLarge("too-many-files", $"At most {MaxFiles} files per request; this one has {form.Files.Count}."));
        }

        var files = new List<ImportFile>(form.Files.Count);
        foreach (var file in form.Files)
        {
            var name = string.IsNullOrWhiteSpace(file.FileName) ? file.Name : Path.GetFileName(file.FileName);
            if (file.Length > ReadOptions.DefaultMaxBytes)
            {
                files.Add(ImportFile.Unreadable(name, new Error(ReadErrors.TooLarge, $"The file is {file.Length} bytes, over the limit of {ReadOptions.DefaultMaxBytes} bytes.")));
                continue;
            }

            using var buffer = new MemoryStream((int)file.Length);
            await file.CopyToAsync(buffer, ct);
            files.Add(new ImportFile(name, buffer.ToArray()));
        }

        var passwords = form["password"].Where(p => !string.IsNullOrEmpty(p)).Select(p => p!).ToList();
        var keyPassword = form["keyPassword"].ToString() is { Length: > 0 } given ? given : null;
        var summary = await importer.ImportAsync(files, new ImportSettings(mode, passwords, keyPassword), user.Identity?.Name ?? "api", ct);
        return TypedResults.Ok(summary);
    }
}
