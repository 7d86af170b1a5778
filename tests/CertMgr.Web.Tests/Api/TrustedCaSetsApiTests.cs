using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace CertMgr.Web.Tests.Api;

/// <summary>/api/v1/trusted-ca-sets over real HTTPS with cookie sessions: every endpoint, roles and refusals.</summary>
public sealed class TrustedCaSetsApiTests(ApiServerFixture fixture) : IClassFixture<ApiServerFixture>
{
    private const string Base = "/api/v1/trusted-ca-sets";
    private const string NoSuchId = "0195b4a0-0000-7000-8000-000000000000";
    private static readonly string[] PrivateCaOnly = ["certmgr-private-ca.pem"];
    private static readonly string[] BothFiles = ["public-roots.pem", "certmgr-private-ca.pem"];
    private static readonly string[] UnknownFile = ["nope.pem"];
    private static readonly string[] Traversal = ["../../master.key"];

    private static X509Certificate2 Certificate(string name, bool isCa)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(name, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(isCa, false, 0, true));
        var now = TimeProvider.System.GetUtcNow();
        return request.CreateSelfSigned(now.AddDays(-1), now.AddYears(5));
    }

    private static MultipartFormDataContent Upload(byte[] data, string fileName = "ca.pem")
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(data);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "file", fileName);
        return form;
    }

    private static byte[] Pem(X509Certificate2 c) => Encoding.ASCII.GetBytes(PemEncoding.WriteString("CERTIFICATE", c.RawData));

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{response.StatusCode}: {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<string> ProblemCodeAsync(HttpResponseMessage response, HttpStatusCode expected) =>
        (await JsonAsync(response, expected)).GetProperty("code").GetString()!;

    private async Task<(HttpClient Admin, string Id)> NewSetAsync(string name)
    {
        var admin = await fixture.Server.SignInAsync("api-admin");
        var created = await JsonAsync(await admin.PostAsJsonAsync(Base, new { name, systemFiles = PrivateCaOnly }), HttpStatusCode.Created);
        return (admin, created.GetProperty("id").GetString()!);
    }

    [Theory]
    [InlineData("GET", Base)]
    [InlineData("GET", Base + "/system-files")]
    [InlineData("GET", Base + "/" + NoSuchId)]
    [InlineData("POST", Base)]
    [InlineData("PATCH", Base + "/" + NoSuchId)]
    [InlineData("DELETE", Base + "/" + NoSuchId)]
    [InlineData("POST", Base + "/" + NoSuchId + "/merge")]
    public async Task Endpoints_Anonymous_Unauthorized(string method, string path)
    {
        using var client = fixture.Server.Anonymous();
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "GET" ? null : JsonContent.Create(new { name = "x" }) };

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("POST", Base)]
    [InlineData("PATCH", Base + "/" + NoSuchId)]
    [InlineData("DELETE", Base + "/" + NoSuchId)]
    [InlineData("PUT", Base + "/" + NoSuchId + "/system-files")]
    [InlineData("POST", Base + "/" + NoSuchId + "/certificates")]
    [InlineData("DELETE", Base + "/" + NoSuchId + "/certificates/" + NoSuchId)]
    [InlineData("POST", Base + "/" + NoSuchId + "/merge")]
    [InlineData("POST", Base + "/" + NoSuchId + "/default")]
    public async Task ChangeEndpoints_PlainUser_Forbidden(string method, string path)
    {
        using var user = await fixture.Server.SignInAsync("api-user");
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "DELETE" ? null : JsonContent.Create(new { name = "x", files = Array.Empty<string>() }) };

        var response = await user.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task ListAndSystemFiles_PlainUser_ReadsThem()
    {
        using var user = await fixture.Server.SignInAsync("api-user");

        var list = await JsonAsync(await user.GetAsync(Base), HttpStatusCode.OK);
        var files = await JsonAsync(await user.GetAsync(Base + "/system-files"), HttpStatusCode.OK);
        var roots = await JsonAsync(await user.GetAsync(Base + "/system-files/public-roots.pem"), HttpStatusCode.OK);
        var missing = await ProblemCodeAsync(await user.GetAsync(Base + "/system-files/nope.pem"), HttpStatusCode.NotFound);

        Assert.Contains(list.EnumerateArray(), s => s.GetProperty("isDefault").GetBoolean() && s.GetProperty("systemFileCount").GetInt32() == 2);
        var publicRoots = files.EnumerateArray().Single(f => f.GetProperty("name").GetString() == "public-roots.pem");
        Assert.True(publicRoots.GetProperty("certificateCount").GetInt32() > 100);
        Assert.Equal(publicRoots.GetProperty("certificateCount").GetInt32(), roots.GetArrayLength());
        Assert.Contains(roots.EnumerateArray(), c => c.GetProperty("subject").GetString()!.Contains("ISRG Root X1", StringComparison.Ordinal));
        Assert.Equal("file-unknown", missing);
    }

    [Fact]
    public async Task CreateRenameGetDelete_Admin_RoundTrip()
    {
        var (admin, id) = await NewSetAsync("Api round trip");

        var renamed = await JsonAsync(await admin.PatchAsJsonAsync($"{Base}/{id}", new { name = "Api renamed" }), HttpStatusCode.OK);
        var got = await JsonAsync(await admin.GetAsync($"{Base}/{id}"), HttpStatusCode.OK);
        var deleted = await JsonAsync(await admin.DeleteAsync($"{Base}/{id}"), HttpStatusCode.OK);
        var gone = await ProblemCodeAsync(await admin.GetAsync($"{Base}/{id}"), HttpStatusCode.NotFound);

        Assert.Equal("Api renamed", renamed.GetProperty("name").GetString());
        Assert.Equal(["certmgr-private-ca.pem"], got.GetProperty("systemFiles").EnumerateArray().Select(f => f.GetString()));
        Assert.False(got.GetProperty("hasUnmergedChanges").GetBoolean());
        Assert.Equal(1, got.GetProperty("effectiveCertificateCount").GetInt32());
        Assert.Equal(0, deleted.GetProperty("definitionsMovedToDefault").GetInt32());
        Assert.Equal("set-not-found", gone);
    }

    [Fact]
    public async Task Create_BadInput_ProblemsWithCodes()
    {
        using var admin = await fixture.Server.SignInAsync("api-admin");

        var duplicate = await ProblemCodeAsync(await admin.PostAsJsonAsync(Base, new { name = "Default" }), HttpStatusCode.Conflict);
        var noName = await ProblemCodeAsync(await admin.PostAsJsonAsync(Base, new { systemFiles = Array.Empty<string>() }), HttpStatusCode.BadRequest);
        var badFile = await ProblemCodeAsync(await admin.PostAsJsonAsync(Base, new { name = "Bad file", systemFiles = Traversal }), HttpStatusCode.BadRequest);
        var rename = await ProblemCodeAsync(await admin.PatchAsJsonAsync($"{Base}/{NoSuchId}", new { name = "Z" }), HttpStatusCode.NotFound);

        Assert.Equal("name-taken", duplicate);
        Assert.Equal("name-missing", noName);
        Assert.Equal("file-unknown", badFile);
        Assert.Equal("set-not-found", rename);
    }

    [Fact]
    public async Task UploadMergeRemove_CaCertificate_PendingUntilMerged()
    {
        var (admin, id) = await NewSetAsync("Api uploads");
        using var ca = Certificate("CN=Api Upload Root", isCa: true);

        var uploaded = await JsonAsync(await admin.PostAsync($"{Base}/{id}/certificates", Upload(Pem(ca))), HttpStatusCode.OK);
        var again = await JsonAsync(await admin.PostAsync($"{Base}/{id}/certificates", Upload(ca.RawData, "ca.cer")), HttpStatusCode.OK);
        var pending = await JsonAsync(await admin.GetAsync($"{Base}/{id}"), HttpStatusCode.OK);
        var merged = await JsonAsync(await admin.PostAsync($"{Base}/{id}/merge", null), HttpStatusCode.OK);
        var certId = uploaded.GetProperty("added")[0].GetProperty("id").GetString();
        var removed = await admin.DeleteAsync($"{Base}/{id}/certificates/{certId}");
        var removedAgain = await ProblemCodeAsync(await admin.DeleteAsync($"{Base}/{id}/certificates/{certId}"), HttpStatusCode.NotFound);
        var afterRemove = await JsonAsync(await admin.GetAsync($"{Base}/{id}"), HttpStatusCode.OK);

        Assert.Equal("CN=Api Upload Root", uploaded.GetProperty("added")[0].GetProperty("subject").GetString());
        Assert.True(uploaded.GetProperty("hasUnmergedChanges").GetBoolean());
        Assert.Equal(0, again.GetProperty("added").GetArrayLength());
        Assert.Equal(1, again.GetProperty("duplicates").GetInt32());
        Assert.Contains("1 user CA certificate to add", pending.GetProperty("pendingChanges")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(1, pending.GetProperty("effectiveCertificateCount").GetInt32());
        Assert.False(merged.GetProperty("hasUnmergedChanges").GetBoolean());
        Assert.Equal(2, merged.GetProperty("effectiveCertificateCount").GetInt32());
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        Assert.Equal("certificate-not-found", removedAgain);
        Assert.True(afterRemove.GetProperty("hasUnmergedChanges").GetBoolean());
        Assert.Equal(0, afterRemove.GetProperty("certificates").GetArrayLength());
    }

    [Fact]
    public async Task Upload_BadInput_RefusedWithReason()
    {
        var (admin, id) = await NewSetAsync("Api bad uploads");
        using var leaf = Certificate("CN=www.api.example", isCa: false);

        var garbage = await ProblemCodeAsync(await admin.PostAsync($"{Base}/{id}/certificates", Upload("this is not a certificate"u8.ToArray())), HttpStatusCode.BadRequest);
        var endEntity = await JsonAsync(await admin.PostAsync($"{Base}/{id}/certificates", Upload(Pem(leaf))), HttpStatusCode.BadRequest);
        var notMultipart = await ProblemCodeAsync(await admin.PostAsJsonAsync($"{Base}/{id}/certificates", new { pem = "x" }), HttpStatusCode.UnsupportedMediaType);
        var noSet = await ProblemCodeAsync(await admin.PostAsync($"{Base}/{NoSuchId}/certificates", Upload(Pem(leaf))), HttpStatusCode.NotFound);
        var got = await JsonAsync(await admin.GetAsync($"{Base}/{id}"), HttpStatusCode.OK);

        Assert.Equal("upload-unreadable", garbage);
        Assert.Equal("not-a-ca", endEntity.GetProperty("code").GetString());
        Assert.Contains("CN=www.api.example", endEntity.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Equal("multipart-required", notMultipart);
        Assert.Equal("set-not-found", noSet);
        Assert.Equal(0, got.GetProperty("certificates").GetArrayLength());
    }

    [Fact]
    public async Task PutSystemFiles_KnownAndUnknown()
    {
        var (admin, id) = await NewSetAsync("Api files");

        var chosen = await JsonAsync(await admin.PutAsJsonAsync($"{Base}/{id}/system-files", new { files = BothFiles }), HttpStatusCode.OK);
        var unknown = await ProblemCodeAsync(await admin.PutAsJsonAsync($"{Base}/{id}/system-files", new { files = UnknownFile }), HttpStatusCode.BadRequest);
        var missing = await ProblemCodeAsync(await admin.PutAsJsonAsync($"{Base}/{id}/system-files", new { }), HttpStatusCode.BadRequest);

        Assert.Equal(2, chosen.GetProperty("systemFiles").GetArrayLength());
        Assert.True(chosen.GetProperty("hasUnmergedChanges").GetBoolean());
        Assert.Contains("public-roots.pem", chosen.GetProperty("pendingChanges")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal("file-unknown", unknown);
        Assert.Equal("files-missing", missing);
    }

    [Fact]
    public async Task DefaultAndDelete_DefaultRefusedUntilAnotherIsDefault()
    {
        var (admin, id) = await NewSetAsync("Api next default");
        var list = await JsonAsync(await admin.GetAsync(Base), HttpStatusCode.OK);
        var oldDefault = list.EnumerateArray().Single(s => s.GetProperty("isDefault").GetBoolean()).GetProperty("id").GetString();

        var refused = await ProblemCodeAsync(await admin.DeleteAsync($"{Base}/{oldDefault}"), HttpStatusCode.Conflict);
        var made = await JsonAsync(await admin.PostAsync($"{Base}/{id}/default", null), HttpStatusCode.OK);
        var refusedNew = await ProblemCodeAsync(await admin.DeleteAsync($"{Base}/{id}"), HttpStatusCode.Conflict);
        var back = await JsonAsync(await admin.PostAsync($"{Base}/{oldDefault}/default", null), HttpStatusCode.OK);
        var deleted = await admin.DeleteAsync($"{Base}/{id}");
        var unknown = await ProblemCodeAsync(await admin.PostAsync($"{Base}/{NoSuchId}/default", null), HttpStatusCode.NotFound);

        Assert.Equal("set-is-default", refused);
        Assert.True(made.GetProperty("isDefault").GetBoolean());
        Assert.Equal("set-is-default", refusedNew);
        Assert.True(back.GetProperty("isDefault").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal("set-not-found", unknown);
    }

    [Fact]
    public async Task OpenApi_ListsTheTrustedCaSetEndpoints()
    {
        using var client = fixture.Server.Anonymous();

        using var doc = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));

        var paths = doc.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains(Base, paths);
        Assert.Contains(Base + "/system-files", paths);
        Assert.Contains(Base + "/{id}/certificates", paths);
        Assert.Contains(Base + "/{id}/certificates/{certificateId}", paths);
        Assert.Contains(Base + "/{id}/merge", paths);
        Assert.Contains(Base + "/{id}/default", paths);
    }
}
