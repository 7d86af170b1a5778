using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CertMgr.Web.Tests.Api;

public sealed class DefinitionsApiTests(ApiServerFixture fixture) : IClassFixture<ApiServerFixture>
{
    private ApiServer Server => fixture.Server;

    private static JsonObject Fields(string cn, params string[] tags) => new()
    {
        ["commonName"] = cn,
        ["subjectAlternativeNames"] = new JsonArray(cn),
        ["keyAlgorithm"] = "Rsa",
        ["keySize"] = 3072,
        ["targetServerName"] = cn,
        ["port"] = 8443,
        ["tags"] = new JsonArray([.. tags.Select(t => (JsonNode)t)]),
    };

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    private static async Task<Guid> CreateAsync(HttpClient client, string cn, params string[] tags)
    {
        using var response = await client.PostAsJsonAsync("/api/v1/definitions", Fields(cn, tags));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await JsonAsync(response)).GetProperty("id").GetGuid();
    }

    [Fact]
    public async Task Endpoints_Anonymous_Unauthorized()
    {
        using var client = Server.Anonymous();

        using var list = await client.GetAsync("/api/v1/definitions");
        using var create = await client.PostAsJsonAsync("/api/v1/definitions", Fields("anon.example.com"));
        using var clone = await client.PostAsJsonAsync("/api/v1/definitions/clone", new { tag = "x", find = "a", replace = "b" });

        Assert.Equal(HttpStatusCode.Unauthorized, list.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, create.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, clone.StatusCode);
    }

    [Fact]
    public async Task CreateGetUpdateList_User_RoundTrips()
    {
        using var client = await Server.SignInAsync("api-user");

        using var created = await client.PostAsJsonAsync("/api/v1/definitions", Fields("RoundTrip.example.com", "rt"));
        var body = await JsonAsync(created);
        var id = body.GetProperty("id").GetGuid();
        using var got = await client.GetAsync($"/api/v1/definitions/{id}");
        var fields = JsonNode.Parse(await got.Content.ReadAsStringAsync())!["fields"]!.AsObject();
        fields["port"] = 9443;
        fields["notes"] = "changed by API";
        using var updated = await client.PutAsJsonAsync($"/api/v1/definitions/{id}", fields);
        using var list = await client.GetAsync("/api/v1/definitions?search=roundtrip&tag=rt");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal($"/api/v1/definitions/{id}", created.Headers.Location?.OriginalString);
        Assert.Equal("roundtrip.example.com", body.GetProperty("fields").GetProperty("commonName").GetString());
        Assert.Equal("Rsa", body.GetProperty("fields").GetProperty("keyAlgorithm").GetString());
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal(9443, (await JsonAsync(updated)).GetProperty("fields").GetProperty("port").GetInt32());
        var page = await JsonAsync(list);
        Assert.Equal(1, page.GetProperty("total").GetInt32());
        Assert.Equal(id, page.GetProperty("items")[0].GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task Create_InvalidFields_ValidationProblemPerFieldAndNothingCreated()
    {
        using var client = await Server.SignInAsync("api-user");
        var fields = Fields("");
        fields["subjectAlternativeNames"] = new JsonArray("not a name!");
        fields["port"] = 0;
        fields["country"] = "Germany";

        using var response = await client.PostAsJsonAsync("/api/v1/definitions", fields);
        using var list = await client.GetAsync("/api/v1/definitions?search=not%20a%20name");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await JsonAsync(response);
        Assert.Equal("definition-invalid", problem.GetProperty("code").GetString());
        var errors = problem.GetProperty("errors");
        Assert.Contains("common name", errors.GetProperty("commonName")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("not a name!", errors.GetProperty("subjectAlternativeNames")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("65535", errors.GetProperty("port")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("two-letter", errors.GetProperty("country")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(0, (await JsonAsync(list)).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Create_BadJson_BadRequest()
    {
        using var client = await Server.SignInAsync("api-user");

        using var badEnum = await client.PostAsync("/api/v1/definitions", new StringContent("""{"commonName":"x.example.com","keyAlgorithm":"Dsa"}""", System.Text.Encoding.UTF8, "application/json"));
        using var notJson = await client.PostAsync("/api/v1/definitions", new StringContent("{", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, badEnum.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
    }

    [Fact]
    public async Task Delete_UserForbiddenAdminDeletes_ThenNotFound()
    {
        using var user = await Server.SignInAsync("api-user");
        using var admin = await Server.SignInAsync("api-admin");
        var id = await CreateAsync(user, "delete-me.example.com");

        using var forbidden = await user.DeleteAsync($"/api/v1/definitions/{id}");
        using var deleted = await admin.DeleteAsync($"/api/v1/definitions/{id}");
        using var gone = await user.GetAsync($"/api/v1/definitions/{id}");
        using var again = await admin.DeleteAsync($"/api/v1/definitions/{id}");

        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal("definition-not-found", (await JsonAsync(gone)).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task Duplicate_Existing_CreatedCopy()
    {
        using var client = await Server.SignInAsync("api-user");
        var id = await CreateAsync(client, "dup.example.com");

        using var copy = await client.PostAsync($"/api/v1/definitions/{id}/duplicate", null);
        using var missing = await client.PostAsync($"/api/v1/definitions/{Guid.NewGuid()}/duplicate", null);

        Assert.Equal(HttpStatusCode.Created, copy.StatusCode);
        Assert.Equal("dup.example.com (copy)", (await JsonAsync(copy)).GetProperty("fields").GetProperty("name").GetString());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Clone_DryRunThenApplyThenConflict()
    {
        using var client = await Server.SignInAsync("api-user");
        await CreateAsync(client, "www.live.example.com", "live");
        await CreateAsync(client, "api.live.example.com", "live");
        var body = new { tag = "live", find = "live", replace = "stage", addTag = "stage", dryRun = true };

        using var preview = await client.PostAsJsonAsync("/api/v1/definitions/clone", body);
        using var applied = await client.PostAsJsonAsync("/api/v1/definitions/clone", body with { dryRun = false });
        using var conflict = await client.PostAsJsonAsync("/api/v1/definitions/clone", body with { dryRun = false });
        using var noRule = await client.PostAsJsonAsync("/api/v1/definitions/clone", new { tag = "live" });
        using var staged = await client.GetAsync("/api/v1/definitions?tag=stage");

        var plan = await JsonAsync(preview);
        Assert.True(plan.GetProperty("canApply").GetBoolean());
        Assert.Equal(["api.stage.example.com", "www.stage.example.com"], plan.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("name").GetString()));
        Assert.Equal(HttpStatusCode.Created, applied.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        Assert.Contains("already exists", (await JsonAsync(conflict)).GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, noRule.StatusCode);
        Assert.Equal(2, (await JsonAsync(staged)).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Mode_SwitchBoth_Switched_NoModeIsBadRequest()
    {
        using var client = await Server.SignInAsync("api-user");
        var id = await CreateAsync(client, "mode.example.com");

        using var switched = await client.PostAsJsonAsync($"/api/v1/definitions/{id}/mode", new { operationMode = "MonitoredOnly", executionMode = "Unattended" });
        using var empty = await client.PostAsJsonAsync($"/api/v1/definitions/{id}/mode", new { });

        var fields = (await JsonAsync(switched)).GetProperty("fields");
        Assert.Equal("MonitoredOnly", fields.GetProperty("operationMode").GetString());
        Assert.Equal("Unattended", fields.GetProperty("executionMode").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Equal("mode-missing", (await JsonAsync(empty)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task List_BadSortOrMode_BadRequest()
    {
        using var client = await Server.SignInAsync("api-user");

        using var sort = await client.GetAsync("/api/v1/definitions?sort=colour");
        using var mode = await client.GetAsync("/api/v1/definitions?mode=sometimes");

        Assert.Equal(HttpStatusCode.BadRequest, sort.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, mode.StatusCode);
    }
}
