using System.Security.Claims;
using CertMgr.Core.Common;
using CertMgr.Core.Documents;
using CertMgr.Data.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CertMgr.Web.Api;

/// <summary>A definition's document folder over HTTP: <c>/api/v1/definitions/{id}/documents</c>.</summary>
public static class DocumentsApi
{
    public sealed record DocumentItem(Guid Id, string FileName, string? ContentType, long Size, string Sha256, string Kind, string? UploadedBy, DateTimeOffset CreatedAt);

    public static void MapDocumentsApi(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var g = api.MapGroup("/definitions/{definitionId:guid}/documents").WithTags("Documents");
        g.MapGet("/", async (Guid definitionId, DocumentStore store, CancellationToken ct) =>
            TypedResults.Ok((await store.ListAsync(definitionId, ct)).Select(ToItem).ToList()));
        g.MapPost("/", UploadAsync);
        g.MapGet("/{documentId:guid}", DownloadAsync);
        g.MapDelete("/{documentId:guid}", DeleteAsync);
    }

    /// <summary>Multipart form data: <c>file</c>, optional <c>kind</c> (OrderDocument, InstallPackage, Other).</summary>
    internal static async Task<IResult> UploadAsync(Guid definitionId, HttpRequest request, DocumentStore store, ClaimsPrincipal user, CancellationToken ct)
    {
        if (!request.HasFormContentType)
        {
            return ApiRoutes.Problem(new Error("file-missing", "Send the document as multipart/form-data with the field 'file'."));
        }

        var form = await request.ReadFormAsync(ct);
        if (form.Files.GetFile("file") is not { } file)
        {
            return ApiRoutes.Problem(new Error("file-missing", "Send the document as multipart/form-data with the field 'file'."));
        }

        if (file.Length > DocumentStore.MaxBytes)
        {
            return ApiRoutes.Problem(Error.TooLarge("document-too-large", $"Documents are limited to {DocumentStore.MaxBytes / (1024 * 1024)} MB."));
        }

        var kindText = form["kind"].FirstOrDefault();
        var kind = DocumentKind.Other;
        if (!string.IsNullOrEmpty(kindText) && (!Enum.TryParse(kindText, ignoreCase: true, out kind) || !Enum.IsDefined(kind) || int.TryParse(kindText, out _)))
        {
            return ApiRoutes.Problem(new Error("kind-invalid", "kind must be OrderDocument, InstallPackage or Other."));
        }

        await using var content = file.OpenReadStream();
        var stored = await store.UploadAsync(definitionId, file.FileName, file.ContentType, content, kind, AcquisitionsApi.Actor(user), ct);
        if (!stored.IsSuccess)
        {
            return ApiRoutes.Problem(stored.Error);
        }

        return TypedResults.Created($"{ApiRoutes.Prefix}/definitions/{definitionId}/documents/{stored.Value.Id}", ToItem(stored.Value));
    }

    internal static async Task<IResult> DownloadAsync(Guid definitionId, Guid documentId, DocumentStore store, CancellationToken ct)
    {
        var opened = await store.OpenAsync(definitionId, documentId, ct);
        if (!opened.IsSuccess)
        {
            return ApiRoutes.Problem(opened.Error);
        }

        // Always a download: an uploaded HTML file must never render in the console's origin.
        return TypedResults.File(opened.Value.Content, "application/octet-stream", opened.Value.Document.FileName);
    }

    internal static async Task<IResult> DeleteAsync(Guid definitionId, Guid documentId, DocumentStore store, ClaimsPrincipal user, CancellationToken ct)
    {
        var deleted = await store.DeleteAsync(definitionId, documentId, AcquisitionsApi.Actor(user), ct);
        return deleted.IsSuccess ? TypedResults.NoContent() : ApiRoutes.Problem(deleted.Error);
    }

    internal static DocumentItem ToItem(Document d) =>
        new(d.Id, d.FileName, d.ContentType, d.Size, d.Sha256, d.Kind.ToString(), d.UploadedBy, d.CreatedAt);
}
