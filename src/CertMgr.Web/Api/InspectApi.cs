using CertMgr.Core.Common;
using CertMgr.Core.Pki.Reading;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace CertMgr.Web.Api;

/// <summary>
/// <c>POST /api/v1/inspect</c>: multipart/form-data with <c>file</c> and optional <c>key</c>, <c>chain</c>,
/// <c>password</c>, <c>keyPassword</c>; returns the same JSON object as <c>certmgr inspect --json</c>, or a problem
/// document whose <c>code</c> is the error kind (400; 413 for too-large).
/// </summary>
public static class InspectApi
{
    private const int MaxFiles = 3;

    public static RouteGroupBuilder MapInspectApi(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapPost("/inspect", InspectAsync).WithName("Inspect").WithTags("Inspect").DisableAntiforgery();
        return api;
    }

    private static async Task<Results<Ok<CertificateSummary>, ProblemHttpResult>> InspectAsync(HttpRequest request, CancellationToken ct)
    {
        if (!request.HasFormContentType)
        {
            return ApiRoutes.Problem(new Error("invalid-request", "Send multipart/form-data with a 'file' part."));
        }

        var maxBytes = ReadOptions.DefaultMaxBytes;
        IFormCollection form;
        try
        {
            var limits = new FormOptions { MultipartBodyLengthLimit = (long)maxBytes * MaxFiles + 64 * 1024, ValueLengthLimit = 4096 };
            form = await request.ReadFormAsync(limits, ct);
        }
        catch (InvalidDataException)
        {
            return ApiRoutes.Problem(Error.TooLarge(ReadErrors.TooLarge, $"The request is over the limit of {maxBytes} bytes per file."));
        }

        if (form.Files.GetFile("file") is not { } file)
        {
            return ApiRoutes.Problem(new Error("invalid-request", "The 'file' part is missing."));
        }

        var data = await ReadAsync(file, maxBytes, ct);
        var key = await ReadAsync(form.Files.GetFile("key"), maxBytes, ct);
        var chain = await ReadAsync(form.Files.GetFile("chain"), maxBytes, ct);
        foreach (var part in new[] { data, key, chain })
        {
            if (!part.IsSuccess)
            {
                return ApiRoutes.Problem(part.Error);
            }
        }

        var options = new ReadOptions
        {
            Password = NullIfAbsent(form, "password"),
            KeyPassword = NullIfAbsent(form, "keyPassword"),
            KeyData = key.Value,
            ChainData = chain.Value,
            MaxBytes = maxBytes,
        };
        var result = CertificateReader.Read(data.Value, options);
        if (!result.IsSuccess)
        {
            // The reader (Pki/Reading) reports its size and count limits by code; they are this request's 413.
            return ApiRoutes.Problem(result.Error.Code == ReadErrors.TooLarge ? result.Error with { Kind = ErrorKind.TooLarge } : result.Error);
        }

        using var bundle = result.Value;
        return TypedResults.Ok(CertificateSummary.From(bundle));
    }

    // An absent field means "no password"; a present, empty one is the empty password.
    private static string? NullIfAbsent(IFormCollection form, string name) =>
        form.TryGetValue(name, out var value) ? value.ToString() : null;

    private static async Task<Result<byte[]?>> ReadAsync(IFormFile? file, int maxBytes, CancellationToken ct)
    {
        if (file is null)
        {
            return Result<byte[]?>.Success(null);
        }

        if (file.Length > maxBytes)
        {
            return Result<byte[]?>.Failure(Error.TooLarge(ReadErrors.TooLarge, $"The part '{file.Name}' is {file.Length} bytes, over the limit of {maxBytes} bytes."));
        }

        var buffer = new byte[file.Length];
        await using var stream = file.OpenReadStream();
        await stream.ReadExactlyAsync(buffer, ct);
        return buffer;
    }
}
