using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Security.Claims;
using System.Text;
using CertMgr.Core.PrivateCa;
using CertMgr.Core.Setup;
using CertMgr.Web.Api;
using CertMgr.Web.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CertMgr.Web.Tests.Api;

/// <summary>The PKI files over the plain-HTTP listener and the CA API's access rules, on a real in-process server.</summary>
public sealed class CaApiTests : IAsyncLifetime
{
    private readonly string _home = Directory.CreateTempSubdirectory("certmgr-web-ca-").FullName;
    private readonly int _httpsPort = TestPorts.Next();
    private readonly int _pkiPort = TestPorts.Next();
    private WebApplication _app = null!;

    public async Task InitializeAsync()
    {
        File.WriteAllText(Path.Combine(_home, "certmgr.json"),
            $$"""{ "Urls": "https://127.0.0.1:{{_httpsPort}}", "PkiHttpUrl": "http://127.0.0.1:{{_pkiPort}}" }""");
        var settings = CertMgrSettings.Resolve(_home, null, _ => null);
        _app = CertMgrWebApp.Build(settings, l => l.ClearProviders());
        await CertMgrWebApp.InitializeAsync(_app, CancellationToken.None);
        await _app.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_home, recursive: true);
    }

    [Fact]
    public async Task PkiFiles_PlainHttp_CaCertificateAndVerifiableCrl()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_pkiPort}") };

        var der = await http.GetByteArrayAsync("/pki/ca.crt");
        var pem = await http.GetStringAsync("/pki/ca.pem");
        var crl = await http.GetAsync("/pki/ca.crl");

        Assert.Equal(File.ReadAllText(Path.Combine(_home, "ca", "ca-cert.pem")), pem);
        using var cert = X509CertificateLoader.LoadCertificate(der);
        Assert.Equal(pem, PemEncoding.WriteString("CERTIFICATE", cert.RawData) + "\n");
        Assert.Equal("application/pkix-crl", crl.Content.Headers.ContentType?.MediaType);
        var crlPath = Path.Combine(_home, "test.crl");
        File.WriteAllBytes(crlPath, await crl.Content.ReadAsByteArrayAsync());
        Assert.Contains("verify OK", Openssl("crl", "-inform", "DER", "-in", crlPath, "-CAfile", Path.Combine(_home, "ca", "ca-cert.pem"), "-noout"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlainHttpListener_ConsolePath_NotServed()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_pkiPort}") };

        var login = await http.GetAsync("/account/login");
        var api = await http.GetAsync("/api/v1/ca");

        Assert.Equal(HttpStatusCode.NotFound, login.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, api.StatusCode);
    }

    [Fact]
    public async Task CaApi_Anonymous_Unauthorized()
    {
        var caPem = File.ReadAllText(Path.Combine(_home, "ca", "ca-cert.pem"));
        using var ca = X509Certificate2.CreateFromPem(caPem);
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, cert, _, _) => cert is not null && cert.Issuer == ca.Subject,
        };
        using var https = new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{_httpsPort}") };

        var info = await https.GetAsync("/api/v1/ca");
        var issue = await https.PostAsync("/api/v1/ca/issue", new StringContent("x"));
        var pki = await https.GetStringAsync("/pki/ca.pem");

        Assert.Equal(HttpStatusCode.Unauthorized, info.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, issue.StatusCode);
        Assert.Equal(caPem, pki);
    }

    [Fact]
    public async Task IssueAndRevoke_AdminHandlers_PemCertificateThenRevokedAndBadCsrIsProblem()
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=api.example.test", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("api.example.test");
        request.CertificateExtensions.Add(san.Build());
        var admin = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "admin")], "test"));
        var context = new DefaultHttpContext { RequestServices = services };
        context.Request.Body = new MemoryStream(Encoding.ASCII.GetBytes(request.CreateSigningRequestPem()));
        context.Response.Body = new MemoryStream();

        var issued = await CaApi.IssueAsync(context.Request, services.GetRequiredService<CaIssuance>(), admin, 30, CancellationToken.None);
        await issued.ExecuteAsync(context);

        Assert.Equal(StatusCodes.Status201Created, context.Response.StatusCode);
        using var cert = X509Certificate2.CreateFromPem(Encoding.ASCII.GetString(((MemoryStream)context.Response.Body).ToArray()));
        Assert.True(cert.MatchesHostname("api.example.test"));

        var revoked = await CaApi.RevokeAsync(cert.SerialNumber, new CaApi.RevokeBody("superseded"), services.GetRequiredService<CaRevocation>(), admin, CancellationToken.None);
        var info = Assert.IsType<Ok<CaApi.IssuedInfo>>(revoked).Value!;
        Assert.Equal("Revoked", info.Status);
        Assert.Equal("superseded", info.RevocationReason);
        Assert.Equal("admin", info.IssuedBy);

        var bad = new DefaultHttpContext { RequestServices = services };
        bad.Request.Body = new MemoryStream(Encoding.ASCII.GetBytes("not a csr"));
        var problem = Assert.IsType<ProblemHttpResult>(await CaApi.IssueAsync(bad.Request, services.GetRequiredService<CaIssuance>(), admin, null, CancellationToken.None));
        Assert.Equal(StatusCodes.Status400BadRequest, problem.StatusCode);
        Assert.Equal("csr-invalid", problem.ProblemDetails.Extensions["code"]);
    }

    [Fact]
    public async Task IssueBatch_MixedCsrs_IssuesGoodOnesInOrderAndReportsEachBadOne()
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var issuance = services.GetRequiredService<CaIssuance>();
        var admin = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "admin")], "test"));
        string Csr(string name)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName(name);
            request.CertificateExtensions.Add(san.Build());
            return request.CreateSigningRequestPem();
        }

        var body = new CaApi.IssueBatchBody([Csr("a.batch.test"), "garbage", Csr("b.batch.test"), Csr("bad_name!.test")], 30);
        var result = Assert.IsType<Ok<CaApi.IssueBatchResult>>(await CaApi.IssueBatchAsync(body, issuance, admin, CancellationToken.None)).Value!;

        Assert.Equal(2, result.Issued);
        Assert.Equal(2, result.Failed);
        Assert.Equal([0, 1, 2, 3], result.Items.Select(i => i.Index));
        using var a = X509Certificate2.CreateFromPem(result.Items[0].Certificate!);
        using var b = X509Certificate2.CreateFromPem(result.Items[2].Certificate!);
        Assert.True(a.MatchesHostname("a.batch.test"));
        Assert.True(b.MatchesHostname("b.batch.test"));
        Assert.Equal(a.SerialNumber, result.Items[0].SerialNumber);
        Assert.Equal("csr-invalid", result.Items[1].Error);
        Assert.NotNull(result.Items[3].Error);
        Assert.Null(result.Items[3].Certificate);
        var ledger = services.GetRequiredService<CertMgr.Data.CertMgrDbContext>().IssuedCertificates;
        Assert.Equal(CertMgr.Data.Model.IssuedCertificateStatus.Valid, ledger.Single(i => i.SerialNumber == a.SerialNumber).Status);
        Assert.DoesNotContain(ledger.ToList(), i => i.Subject.Contains("bad_name", StringComparison.Ordinal));

        var empty = Assert.IsType<ProblemHttpResult>(await CaApi.IssueBatchAsync(new CaApi.IssueBatchBody([], null), issuance, admin, CancellationToken.None));
        Assert.Equal("csrs-missing", empty.ProblemDetails.Extensions["code"]);
        var tooMany = Assert.IsType<ProblemHttpResult>(await CaApi.IssueBatchAsync(
            new CaApi.IssueBatchBody(Enumerable.Repeat("x", CaApi.MaxBatch + 1).ToList(), null), issuance, admin, CancellationToken.None));
        Assert.Equal(StatusCodes.Status413PayloadTooLarge, tooMany.StatusCode);
    }

    private static string Openssl(params string[] args)
    {
        var start = new ProcessStartInfo("openssl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(30_000), "openssl timed out");
        Assert.True(process.ExitCode == 0, $"openssl failed: {error.Result}");
        return output.Result + error.Result;
    }
}
