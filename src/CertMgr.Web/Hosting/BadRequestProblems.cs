using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CertMgr.Web.Hosting;

/// <summary>
/// Requests the server refuses before any handler runs (a body over the size limit, a JSON body that does not bind)
/// answer with a problem document that says why: 413 for too large, 400 naming the field for bad JSON. They are the
/// client's fault, so they are logged as one line without a stack trace.
/// </summary>
internal static partial class BadRequestProblems
{
    public const string TooLargeCode = "body-too-large";
    public const string InvalidCode = "body-invalid";

    /// <summary>After routing (to see an endpoint's own form limit), before authentication.</summary>
    public static IApplicationBuilder UseBadRequestProblems(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var limit = Math.Min(
            context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize ?? long.MaxValue,
            context.Request.HasFormContentType ? context.GetEndpoint()?.Metadata.GetMetadata<IFormOptionsMetadata>()?.MultipartBodyLengthLimit ?? long.MaxValue : long.MaxValue);
        // Declared too large: refuse before anything (antiforgery, model binding) starts reading the body.
        if (context.Request.ContentLength is { } length && length > limit)
        {
            await TooLargeAsync(context, limit);
            return;
        }

        try
        {
            await next(context);
        }
        catch (BadHttpRequestException ex) when (!context.Response.HasStarted)
        {
            if (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                await TooLargeAsync(context, limit);
                return;
            }

            await InvalidAsync(context, ex);
        }
        catch (InvalidDataException) when (!context.Response.HasStarted && context.Request.HasFormContentType)
        {
            // A multipart body over the form limits, found while reading it (chunked, no Content-Length).
            await TooLargeAsync(context, limit);
        }
    });

    private static Task TooLargeAsync(HttpContext context, long limit)
    {
        LogTooLarge(Logger(context), context.Request.Method, context.Request.Path.Value ?? "", context.Request.ContentLength, limit);
        // Unread, the rest of the body is drained by Kestrel up to its own limit, then the connection closes. Clients that
        // send "Expect: 100-continue" get this answer before sending the body at all.
        var detail = limit == long.MaxValue ? "The request body is too large." : $"The request body is larger than the limit of {limit} bytes.";
        return Problem(context, StatusCodes.Status413PayloadTooLarge, detail, TooLargeCode, null);
    }

    private static Task InvalidAsync(HttpContext context, BadHttpRequestException ex)
    {
        LogInvalid(Logger(context), context.Request.Method, context.Request.Path.Value ?? "", ex.StatusCode);
        if (ex.InnerException is JsonException json)
        {
            var field = FieldOf(json.Path);
            var message = FirstLine(json.Message);
            var title = field is null ? $"The request body is not valid JSON: {message}" : $"{field} {message}";
            var errors = new Dictionary<string, string[]> { [field ?? "$"] = [title] };
            return Problem(context, StatusCodes.Status400BadRequest, title, InvalidCode, errors);
        }

        return Problem(context, ex.StatusCode, FirstLine(ex.Message), InvalidCode, null);
    }

    private static string? FieldOf(string? path)
    {
        var field = path?.TrimStart('$').TrimStart('.');
        return string.IsNullOrEmpty(field) ? null : field;
    }

    // System.Text.Json appends "Path: … | LineNumber: …" to its own messages; the field is given separately.
    private static string FirstLine(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    private static Task Problem(HttpContext context, int status, string title, string code, Dictionary<string, string[]>? errors)
    {
        var extensions = new Dictionary<string, object?> { ["code"] = code };
        if (errors is not null)
        {
            extensions["errors"] = errors;
        }

        return Results.Problem(title: title, statusCode: status, type: $"https://certmgr.dev/problems/{code}", extensions: extensions).ExecuteAsync(context);
    }

    private static ILogger Logger(HttpContext context) =>
        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("CertMgr.Web.BadRequest");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused {Method} {Path}: body of {Length} bytes over the limit of {Limit} bytes")]
    private static partial void LogTooLarge(ILogger logger, string method, string path, long? length, long limit);

    [LoggerMessage(Level = LogLevel.Information, Message = "Refused {Method} {Path}: the request could not be read ({Status})")]
    private static partial void LogInvalid(ILogger logger, string method, string path, int status);
}
