using System.Security.Cryptography;
using CertMgr.Core.Common;
using CertMgr.Core.Inventory;
using CertMgr.Core.Setup;
using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Core.Documents;

/// <summary>
/// A definition's document folder (guide 4.2.5): order papers, install packages and other files. The bytes live
/// under the data directory's <c>docs/&lt;definition id&gt;/</c> in files named by the document's id only, so a
/// given file name never reaches the file system; the name is kept, cleaned, for display and download.
/// </summary>
public sealed class DocumentStore(CertMgrDbContext db, DataDirectory home, TimeProvider time)
{
    public const long MaxBytes = 10 * 1024 * 1024;
    public const int MaxFileNameLength = 200;
    public const string Upload = "document-upload";
    public const string Delete = "document-delete";

    public Task<List<Document>> ListAsync(Guid definitionId, CancellationToken ct) =>
        db.Documents.AsNoTracking().Where(d => d.DefinitionId == definitionId).OrderByDescending(d => d.CreatedAt).ToListAsync(ct);

    public Task<Document?> FindAsync(Guid definitionId, Guid documentId, CancellationToken ct) =>
        db.Documents.AsNoTracking().SingleOrDefaultAsync(d => d.Id == documentId && d.DefinitionId == definitionId, ct);

    /// <summary>Stores a file in the definition's folder; refuses empty or too large files and unknown definitions.</summary>
    public async Task<Result<Document>> UploadAsync(
        Guid definitionId, string? fileName, string? contentType, Stream content, DocumentKind kind, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (!await db.Definitions.AnyAsync(d => d.Id == definitionId, ct))
        {
            return Error.NotFound("definition-not-found", "No certificate definition has that id.");
        }

        if (!Enum.IsDefined(kind))
        {
            return new Error("kind-invalid", "The document kind must be OrderDocument, InstallPackage or Other.");
        }

        var name = SafeFileName(fileName);
        var document = new Document
        {
            DefinitionId = definitionId,
            FileName = name,
            ContentType = SafeContentType(contentType),
            Kind = kind,
            UploadedBy = actor,
            StoredPath = $"{definitionId:N}/{Guid.NewGuid():N}",
            Sha256 = "",
            CreatedAt = time.GetUtcNow(),
        };
        var path = PathOf(document);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".part";
        long size = 0;
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        try
        {
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                var buffer = new byte[81920];
                int n;
                while ((n = await content.ReadAsync(buffer, ct)) > 0)
                {
                    size += n;
                    if (size > MaxBytes)
                    {
                        return Error.TooLarge("document-too-large", $"Documents are limited to {MaxBytes / (1024 * 1024)} MB.");
                    }

                    sha.AppendData(buffer, 0, n);
                    await file.WriteAsync(buffer.AsMemory(0, n), ct);
                }
            }

            if (size == 0)
            {
                return new Error("document-empty", "The file is empty.");
            }

            File.Move(temp, path);
        }
        finally
        {
            File.Delete(temp);
        }

        document.Size = size;
        document.Sha256 = Convert.ToHexString(sha.GetHashAndReset());
        db.Documents.Add(document);
        DefinitionHistory.Record(db, document.CreatedAt, actor, definitionId, Upload, $"{document.FileName} ({size} bytes, {KindText(kind)})");
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch
        {
            File.Delete(path);
            throw;
        }

        return document;
    }

    /// <summary>The document and a stream of its bytes.</summary>
    public async Task<Result<(Document Document, Stream Content)>> OpenAsync(Guid definitionId, Guid documentId, CancellationToken ct)
    {
        var document = await FindAsync(definitionId, documentId, ct);
        if (document is null)
        {
            return Error.NotFound("document-not-found", "The definition has no document with that id.");
        }

        var path = PathOf(document);
        if (!File.Exists(path))
        {
            return Error.NotFound("document-missing", "The document's file is missing from the data directory.");
        }

        return (document, new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true));
    }

    public async Task<Result<Document>> DeleteAsync(Guid definitionId, Guid documentId, string actor, CancellationToken ct)
    {
        var document = await db.Documents.SingleOrDefaultAsync(d => d.Id == documentId && d.DefinitionId == definitionId, ct);
        if (document is null)
        {
            return Error.NotFound("document-not-found", "The definition has no document with that id.");
        }

        db.Documents.Remove(document);
        DefinitionHistory.Record(db, time.GetUtcNow(), actor, definitionId, Delete, document.FileName);
        await db.SaveChangesAsync(ct);
        File.Delete(PathOf(document));
        return document;
    }

    /// <summary>The last path segment of a given name, without control or reserved characters; "document" if none is left.</summary>
    public static string SafeFileName(string? fileName)
    {
        var name = (fileName ?? "").Replace('\\', '/');
        name = name[(name.LastIndexOf('/') + 1)..];
        var cleaned = new string(name.Where(c => !char.IsControl(c) && c is not ('"' or '<' or '>' or '|' or ':' or '*' or '?')).ToArray()).Trim().Trim('.').Trim();
        if (cleaned.Length > MaxFileNameLength)
        {
            var ext = Path.GetExtension(cleaned);
            cleaned = ext.Length < 20 ? cleaned[..(MaxFileNameLength - ext.Length)] + ext : cleaned[..MaxFileNameLength];
        }

        return cleaned.Length == 0 ? "document" : cleaned;
    }

    private static string? SafeContentType(string? contentType) =>
        contentType is { Length: > 0 and <= 100 } && contentType.Contains('/', StringComparison.Ordinal) && !contentType.Any(c => char.IsControl(c) || char.IsWhiteSpace(c))
            ? contentType
            : null;

    private string PathOf(Document document)
    {
        var root = Path.GetFullPath(home.DocumentsDirectory);
        var path = Path.GetFullPath(Path.Combine(root, document.StoredPath));
        // Stored paths are made here from ids; this guards against a tampered database row.
        return path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            ? path
            : throw new InvalidOperationException("A document's stored path points outside the documents directory.");
    }

    // The history is read by people: "install package", not the enum name.
    private static string KindText(DocumentKind kind) => kind switch
    {
        DocumentKind.OrderDocument => "order document",
        DocumentKind.InstallPackage => "install package",
        _ => "other document",
    };
}
