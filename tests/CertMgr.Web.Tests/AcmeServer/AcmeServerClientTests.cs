using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.Acme.Server;
using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CertMgr.Web.Tests.AcmeServer;

/// <summary>
/// Real ACME clients (Debian's certbot and lego) against CertMgr's ACME directory over HTTP-01 on loopback: obtain,
/// renew and revoke; the certificates verify against the built-in CA with openssl, land in the inventory in one
/// acme-issued definition (the renewal as its new current certificate), and revocation reaches the CA ledger.
/// </summary>
public sealed class AcmeServerClientTests : IAsyncLifetime
{
    private AcmeServerHost _server = null!;
    private string _dir = null!;

    public async Task InitializeAsync()
    {
        _server = await AcmeServerHost.StartAsync();
        _dir = Directory.CreateTempSubdirectory("certmgr-acmes-client-").FullName;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Certbot_ObtainRenewRevoke_InventoryAndLedgerFollow()
    {
        const string name = "www.acme.test";
        var env = new Dictionary<string, string> { ["REQUESTS_CA_BUNDLE"] = _server.CaBundle };
        string[] common =
        [
            "--non-interactive", "--agree-tos", "-m", "admin@acme.test", "--server", _server.DirectoryUrl,
            "--config-dir", Path.Combine(_dir, "config"), "--work-dir", Path.Combine(_dir, "work"), "--logs-dir", Path.Combine(_dir, "logs"),
        ];
        var obtain = await ClientProcess.RunAsync("/usr/bin/certbot",
            ["certonly", "--standalone", "--http-01-address", "127.0.0.1", "--http-01-port", _server.Http01Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-d", name, .. common],
            env, _server);
        ClientProcess.AssertSucceeded(obtain, "certbot certonly", _server);
        var certPath = Path.Combine(_dir, "config", "live", name, "cert.pem");
        await ClientProcess.AssertVerifiesAsync(certPath, _server);
        var first = X509Certificate2.CreateFromPem(File.ReadAllText(certPath));
        var definitionId = await AssertCurrentAsync(first, expectedCertificates: 1);

        var renew = await ClientProcess.RunAsync("/usr/bin/certbot", ["renew", "--force-renewal", "--no-random-sleep-on-renew", .. common], env, _server);
        ClientProcess.AssertSucceeded(renew, "certbot renew", _server);
        var second = X509Certificate2.CreateFromPem(File.ReadAllText(certPath));
        Assert.NotEqual(first.SerialNumber, second.SerialNumber);
        await ClientProcess.AssertVerifiesAsync(certPath, _server);
        Assert.Equal(definitionId, await AssertCurrentAsync(second, expectedCertificates: 2));

        var revoke = await ClientProcess.RunAsync("/usr/bin/certbot",
            ["revoke", "--cert-path", certPath, "--no-delete-after-revoke", "--reason", "keycompromise", .. common], env, _server);
        ClientProcess.AssertSucceeded(revoke, "certbot revoke", _server);
        await AssertRevokedAsync(second);
    }

    [Fact]
    public async Task Lego_ObtainRenewRevoke_InventoryAndLedgerFollow()
    {
        const string name = "lego.acme.test";
        var env = new Dictionary<string, string> { ["LEGO_CA_CERTIFICATES"] = _server.CaBundle };
        string[] common =
        [
            "--server", _server.DirectoryUrl, "--email", "admin@acme.test", "--accept-tos", "--path", _dir, "--domains", name,
            "--http", "--http.port", $"127.0.0.1:{_server.Http01Port}",
        ];
        var obtain = await ClientProcess.RunAsync("/usr/bin/lego", [.. common, "run"], env, _server);
        ClientProcess.AssertSucceeded(obtain, "lego run", _server);
        var certPath = Path.Combine(_dir, "certificates", name + ".crt");
        await ClientProcess.AssertVerifiesAsync(certPath, _server);
        var first = X509Certificate2.CreateFromPem(File.ReadAllText(certPath));
        var definitionId = await AssertCurrentAsync(first, expectedCertificates: 1);

        var renew = await ClientProcess.RunAsync("/usr/bin/lego", [.. common, "renew", "--days", "365", "--no-random-sleep"], env, _server);
        ClientProcess.AssertSucceeded(renew, "lego renew", _server);
        var second = X509Certificate2.CreateFromPem(File.ReadAllText(certPath));
        Assert.NotEqual(first.SerialNumber, second.SerialNumber);
        await ClientProcess.AssertVerifiesAsync(certPath, _server);
        Assert.Equal(definitionId, await AssertCurrentAsync(second, expectedCertificates: 2));

        var revoke = await ClientProcess.RunAsync("/usr/bin/lego", [.. common, "revoke"], env, _server);
        ClientProcess.AssertSucceeded(revoke, "lego revoke", _server);
        await AssertRevokedAsync(second);
    }

    private async Task<Guid> AssertCurrentAsync(X509Certificate2 issued, int expectedCertificates)
    {
        await using var scope = _server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CertMgrDbContext>();
        var sha256 = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(issued.RawData));
        var row = await db.Certificates.AsNoTracking().SingleAsync(c => c.Sha256 == sha256);
        Assert.Equal(CertificateSource.Acme, row.Source);
        var definition = await db.Definitions.AsNoTracking().Include(d => d.Certificates).SingleAsync(d => d.Id == row.DefinitionId);
        Assert.Contains(AcmeInventory.Tag, definition.Tags);
        Assert.Equal(row.Id, definition.CurrentCertificateId);
        Assert.Equal(expectedCertificates, definition.Certificates.Count);
        var order = await db.AcmeServerOrders.AsNoTracking().SingleAsync(o => o.CertificateId == row.Id);
        Assert.Equal(AcmeServerStatus.Valid, order.Status);
        return definition.Id;
    }

    private async Task AssertRevokedAsync(X509Certificate2 issued)
    {
        await using var scope = _server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CertMgrDbContext>();
        var sha256 = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(issued.RawData));
        var ledger = await db.IssuedCertificates.AsNoTracking().SingleAsync(i => i.Sha256 == sha256);
        Assert.Equal(IssuedCertificateStatus.Revoked, ledger.Status);
    }
}
