using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace CertMgr.Web.Tests.Api;

public sealed class ImportApiTests(ApiServerFixture fixture) : IClassFixture<ApiServerFixture>
{
    private ApiServer Server => fixture.Server;

    private static byte[] Pfx(string cn, string password)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={cn}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(cn);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        var now = TimeProvider.System.GetUtcNow();
        using var cert = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(90));
        return cert.Export(X509ContentType.Pkcs12, password);
    }

    private static MultipartFormDataContent Form(string? mode, string? password, params (string Name, byte[] Content)[] files)
    {
        var form = new MultipartFormDataContent();
        foreach (var (name, content) in files)
        {
            var part = new ByteArrayContent(content);
            part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(part, "files", name);
        }

        if (mode is not null)
        {
            form.Add(new StringContent(mode), "mode");
        }

        if (password is not null)
        {
            form.Add(new StringContent(password), "password");
        }

        return form;
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    [Fact]
    public async Task Import_PfxWithPassword_LifecycleManagedAndRedeployable()
    {
        using var client = await Server.SignInAsync("api-user");

        using var form = Form("managed", "pfx-secret", ("site.pfx", Pfx("pfx.import.example.com", "pfx-secret")), ("junk.txt", "junk"u8.ToArray()));
        using var response = await client.PostAsync("/api/v1/import", form);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var summary = await JsonAsync(response);
        Assert.Equal((1, 1), (summary.GetProperty("imported").GetInt32(), summary.GetProperty("failed").GetInt32()));
        var file = summary.GetProperty("files")[0];
        Assert.Equal("Imported", file.GetProperty("status").GetString());
        Assert.True(file.GetProperty("hasPrivateKey").GetBoolean());
        Assert.Equal("corrupt", summary.GetProperty("files")[1].GetProperty("code").GetString());
        var id = file.GetProperty("definitionId").GetGuid();
        using var definition = await client.GetAsync($"/api/v1/definitions/{id}");
        var body = await JsonAsync(definition);
        Assert.Equal("LifecycleManaged", body.GetProperty("fields").GetProperty("operationMode").GetString());
        Assert.True(body.GetProperty("currentCertificate").GetProperty("hasPrivateKey").GetBoolean());
        Assert.DoesNotContain("pfx-secret", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_Pkcs12WithDistinctKeyPassword_ImportedWithKeyAndCurrentExpiry()
    {
        using var client = await Server.SignInAsync("api-user");
        var work = Directory.CreateTempSubdirectory("certmgr-web-split-").FullName;
        try
        {
            File.WriteAllBytes(Path.Combine(work, "one.pfx"), Pfx("split.import.example.com", "one-pass"));
            CertMgr.Cli.Tests.JavaKeyStores.WriteSplitPkcs12(work, "one.pfx", "one-pass", "split.p12", "store-pass", "entry-pass");
            var split = File.ReadAllBytes(Path.Combine(work, "split.p12"));

            using var withoutKeyPassword = Form("monitored", "store-pass", ("split.p12", split));
            using var refused = await client.PostAsync("/api/v1/import", withoutKeyPassword);
            using var form = Form("monitored", "store-pass", ("split.p12", split));
            form.Add(new StringContent("entry-pass"), "keyPassword");
            using var response = await client.PostAsync("/api/v1/import", form);

            var refusedFile = (await JsonAsync(refused)).GetProperty("files")[0];
            Assert.Equal(("Failed", "password-required"), (refusedFile.GetProperty("status").GetString(), refusedFile.GetProperty("code").GetString()));
            Assert.Contains("key password", refusedFile.GetProperty("message").GetString(), StringComparison.Ordinal);
            var file = (await JsonAsync(response)).GetProperty("files")[0];
            Assert.Equal("Imported", file.GetProperty("status").GetString());
            Assert.True(file.GetProperty("hasPrivateKey").GetBoolean());
            using var definition = await client.GetAsync($"/api/v1/definitions/{file.GetProperty("definitionId").GetGuid()}");
            var body = await JsonAsync(definition);
            Assert.Equal(file.GetProperty("certificateId").GetGuid(), body.GetProperty("currentCertificate").GetProperty("id").GetGuid());
            Assert.DoesNotContain("entry-pass", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public async Task Import_WrongPassword_FileFailedWithReason()
    {
        using var client = await Server.SignInAsync("api-user");

        using var form = Form("monitored", "not-it", ("wrong.pfx", Pfx("wrong.import.example.com", "right")));
        using var response = await client.PostAsync("/api/v1/import", form);

        var file = (await JsonAsync(response)).GetProperty("files")[0];
        Assert.Equal(("Failed", "wrong-password"), (file.GetProperty("status").GetString(), file.GetProperty("code").GetString()));
    }

    [Fact]
    public async Task Import_BadRequests_Problems()
    {
        using var client = await Server.SignInAsync("api-user");

        using var json = await client.PostAsync("/api/v1/import", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        using var noFilesForm = Form("managed", null);
        using var noFiles = await client.PostAsync("/api/v1/import", noFilesForm);
        using var badModeForm = Form("sometimes", null, ("a.pem", "x"u8.ToArray()));
        using var badMode = await client.PostAsync("/api/v1/import", badModeForm);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, json.StatusCode);
        Assert.Equal("files-missing", (await JsonAsync(noFiles)).GetProperty("code").GetString());
        Assert.Equal("mode-invalid", (await JsonAsync(badMode)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Import_Anonymous_Unauthorized()
    {
        using var client = Server.Anonymous();

        using var form = Form("managed", "x", ("a.pfx", Pfx("anon.import.example.com", "x")));
        using var response = await client.PostAsync("/api/v1/import", form);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
