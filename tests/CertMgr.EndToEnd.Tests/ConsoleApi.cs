using System.Text.Json;
using Microsoft.Playwright;

namespace CertMgr.EndToEnd.Tests;

/// <summary>
/// Test setup through CertMgr's own REST API, with the signed-in browser's session: the data goes in through the same
/// validation and bookkeeping (history, stored list state) as any user's, never by writing the database behind its back.
/// </summary>
internal static class ConsoleApi
{
    /// <summary>The tag every definition made by these tests carries.</summary>
    public static readonly string[] E2eTags = ["e2e"];

    /// <summary>Creates a definition (JSON field names as in <c>POST /api/v1/definitions</c>) and returns its id.</summary>
    public static async Task<Guid> CreateDefinitionAsync(IPage page, string serverUrl, IDictionary<string, object?> fields)
    {
        ArgumentNullException.ThrowIfNull(page);
        var response = await page.APIRequest.PostAsync($"{serverUrl}/api/v1/definitions", new APIRequestContextOptions
        {
            DataObject = fields,
            // Cookie-authenticated unsafe API calls carry the CSRF header, as the console's own scripts do.
            Headers = new Dictionary<string, string> { ["X-CertMgr-Csrf"] = "1" },
        });
        var body = await response.TextAsync();
        Assert.True(response.Status == 201, $"POST /api/v1/definitions answered {response.Status}: {body}");
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("id").GetGuid();
    }
}
