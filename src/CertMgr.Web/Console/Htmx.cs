using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Net.Http.Headers;

namespace CertMgr.Web.ConsoleUi;

/// <summary>Recognises htmx requests, so that a page can answer with just the fragment that htmx swaps.</summary>
public static class Htmx
{
    public const string RequestHeader = "HX-Request";
    public const string TargetHeader = "HX-Target";
    public const string HistoryRestoreHeader = "HX-History-Restore-Request";

    /// <summary>
    /// True when htmx asks to replace the element <paramref name="targetId"/>: answer with that fragment only.
    /// A history restore wants the whole page, so it is not a fragment request.
    /// </summary>
    public static bool IsFragmentRequestFor(this HttpRequest request, string targetId)
    {
        ArgumentNullException.ThrowIfNull(request);
        var headers = request.Headers;
        return headers[RequestHeader] == "true"
            && headers[HistoryRestoreHeader] != "true"
            && string.Equals(headers[TargetHeader], targetId, StringComparison.Ordinal);
    }

    /// <summary>
    /// Marks a response whose body depends on the htmx headers, so that a cache (the browser's back button too)
    /// never serves a fragment for a full page or the reverse.
    /// </summary>
    public static void VaryOnHtmx(this HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Headers.Append(HeaderNames.Vary, RequestHeader);
        response.Headers.Append(HeaderNames.Vary, TargetHeader);
    }

    /// <summary>
    /// The answer of a list page: the partial <paramref name="partialName"/> (with the page as its model) when htmx
    /// asks for <paramref name="targetId"/>, else the whole page.
    /// </summary>
    public static IActionResult PageOrFragment(this PageModel page, string targetId, string partialName)
    {
        ArgumentNullException.ThrowIfNull(page);
        page.Response.VaryOnHtmx();
        return page.Request.IsFragmentRequestFor(targetId) ? page.Partial(partialName, page) : page.Page();
    }
}
