using CertMgr.Core.Acme.Client;
using CertMgr.Core.Acquisition;
using CertMgr.Core.Deployments.Ssh;
using CertMgr.Core.Tests.Acquisition;
using CertMgr.Core.Tests.Deployments.Ssh;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CertMgr.Core.Tests.Acme;

/// <summary>
/// HTTP-01 answered on the target server itself: the challenge file is written over SSH (real sshd) under the web root
/// a real nginx serves on the port pebble validates, and removed afterwards.
/// </summary>
public sealed class AcmeHttp01OverSshTests(PebbleFixture pebble) : IClassFixture<PebbleFixture>, IAsyncLifetime
{
    private readonly AcmeTestbed _bed = pebble.Bed;
    private SshServer _ssh = null!;
    private NginxWebRoot _nginx = null!;

    public async Task InitializeAsync()
    {
        _ssh = await SshServer.StartAsync();
        _nginx = await NginxWebRoot.StartAsync(_bed.HttpPort);
    }

    public async Task DisposeAsync()
    {
        await _nginx.DisposeAsync();
        await _ssh.DisposeAsync();
    }

    [Fact]
    public async Task ChooseProduct_WebRootOverSsh_IssuedAndTokenFileRemoved()
    {
        await using var f = await AcmeSteps.CoreAsync();
        // No responder address: every HTTP-01 answer goes onto the definition's server.
        var connection = await AcmeSteps.ConnectionAsync(f, AcmeSteps.Http01(_bed, "Pebble over SSH") with { Http01Address = null });
        var product = await AcmeSteps.ProductAsync(f, connection.Id);
        var definitionId = await AcquisitionTestData.AddDefinitionAsync(f, "web.example.test", ["web.example.test", "www.web.example.test"]);
        await SaveWebRootAsync(f, definitionId, _nginx.WebRoot);

        var (requestId, outcome) = await AcquireAsync(f, definitionId, product.Id);

        Assert.True(outcome.IsSuccess, outcome.Error?.ToString() + "\n" + _bed.Log("pebble.log"));
        Assert.Equal(RequestStatus.Received, outcome.Value.Status);
        var certificate = await f.DbAsync(db => db.Certificates.AsNoTracking().SingleAsync(c => c.RequestId == requestId));
        Assert.Contains("www.web.example.test", certificate.SubjectAlternativeNames);
        await AcmeSteps.VerifyWithOpensslAsync(_bed, certificate);
        // pebble fetched both tokens from nginx (200), CertMgr's own responder answered nothing.
        var served = _nginx.AccessLog.Split('\n').Where(l => l.Contains("GET /.well-known/acme-challenge/", StringComparison.Ordinal) && l.Contains("\" 200 ", StringComparison.Ordinal)).ToList();
        Assert.True(served.Count >= 2, _nginx.AccessLog);
        Assert.Equal(0, await f.WithAsync(sp => Task.FromResult(sp.GetRequiredService<Http01Responder>().Served)));
        // The token files and the directories CertMgr created are gone.
        Assert.Empty(Directory.EnumerateFileSystemEntries(_nginx.WebRoot));
        // The host key was pinned at this first login, as auto-install pins it.
        var settings = await f.DbAsync(db => db.SshInstallSettings.AsNoTracking().SingleAsync(s => s.DefinitionId == definitionId));
        Assert.Equal(_ssh.HostFingerprint, settings.HostKeyFingerprint);
        var submission = await f.DbAsync(db => db.CaSubmissions.AsNoTracking().SingleAsync(s => s.RequestId == requestId));
        Assert.Equal(SubmissionStatus.Issued, submission.Status);
    }

    [Fact]
    public async Task ChooseProduct_WebRootNotWritable_ClearErrorNamingPathAndStepNothingLeft()
    {
        await using var f = await AcmeSteps.CoreAsync();
        var connection = await AcmeSteps.ConnectionAsync(f, AcmeSteps.Http01(_bed, "Pebble over SSH locked") with { Http01Address = null });
        var product = await AcmeSteps.ProductAsync(f, connection.Id);
        var definitionId = await AcquisitionTestData.AddDefinitionAsync(f, "locked.example.test", ["locked.example.test"]);
        var root = Path.Combine(_nginx.WebRoot, "locked");
        Directory.CreateDirectory(root);
        await SaveWebRootAsync(f, definitionId, root);
        // The login is root: only the immutable attribute keeps it from writing there.
        await ExternalTool.RunAsync("chattr", "+i", root);
        (Guid RequestId, Common.Result<CertificateRequest> Outcome) result;
        try
        {
            result = await AcquireAsync(f, definitionId, product.Id);
        }
        finally
        {
            await ExternalTool.RunAsync("chattr", "-i", root);
        }

        var (requestId, outcome) = result;
        Assert.False(outcome.IsSuccess);
        Assert.Equal("http01-webroot-not-writable", outcome.Error!.Code);
        Assert.Contains($"{root}/.well-known/acme-challenge/", outcome.Error.Message, StringComparison.Ordinal);
        Assert.Contains("step 'place'", outcome.Error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(root));
        var request = await f.DbAsync(db => db.Requests.AsNoTracking().SingleAsync(r => r.Id == requestId));
        Assert.Equal(RequestStatus.KeyAndCsrReady, request.Status);
        // The Request to CA is on record as failed, with the order it got to and the reason.
        var submission = await f.DbAsync(db => db.CaSubmissions.AsNoTracking().SingleAsync(s => s.RequestId == requestId));
        Assert.Equal(SubmissionStatus.Failed, submission.Status);
        Assert.StartsWith($"https://127.0.0.1:{_bed.AcmePort}/", submission.ExternalId, StringComparison.Ordinal);
        Assert.Contains("step 'place'", submission.Detail, StringComparison.Ordinal);
    }

    private async Task SaveWebRootAsync(CoreFixture f, Guid definitionId, string webRoot)
    {
        var input = new AutoInstallInput
        {
            Profile = ServerSoftware.Nginx,
            Host = "127.0.0.1",
            Port = _ssh.Port,
            Username = "root",
            AuthMethod = SshAuthMethod.PrivateKey,
            PrivateKey = _ssh.ClientKey,
            Http01WebRoot = webRoot + "/",
        };
        var saved = await f.WithAsync(sp => sp.GetRequiredService<AutoInstallService>().SaveAsync(definitionId, input, AcmeSteps.Actor, CancellationToken.None));
        Assert.True(saved.IsSuccess, saved.Error?.ToString());
        Assert.Equal(webRoot, saved.Value.Http01WebRoot);
    }

    private static Task<(Guid RequestId, Common.Result<CertificateRequest> Outcome)> AcquireAsync(CoreFixture f, Guid definitionId, Guid productId) =>
        f.WithAsync(async sp =>
        {
            var service = sp.GetRequiredService<AcquisitionService>();
            var started = await service.StartAsync(definitionId, RequestKind.New, AcmeSteps.Actor, CancellationToken.None);
            Assert.True(started.IsSuccess, started.Error?.ToString());
            var keyed = await service.SetKeyAsync(started.Value.Id, KeyChoice.New, null, AcmeSteps.Actor, CancellationToken.None);
            Assert.True(keyed.IsSuccess, keyed.Error?.ToString());
            return (started.Value.Id, await service.ChooseProductAsync(started.Value.Id, productId, AcmeSteps.Actor, CancellationToken.None));
        });
}
