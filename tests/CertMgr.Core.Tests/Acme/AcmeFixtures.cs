using CertMgr.Core.Acme.Client;
using CertMgr.Core.Acquisition;
using CertMgr.Core.Catalog;
using CertMgr.Core.Tests.Acquisition;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CertMgr.Core.Tests.Acme;

/// <summary>One pebble + BIND testbed per test class.</summary>
public class PebbleFixture : IAsyncLifetime
{
    protected virtual bool EabRequired => false;
    protected virtual int NonceReject => 0;

    public AcmeTestbed Bed { get; private set; } = null!;

    public async Task InitializeAsync() => Bed = await AcmeTestbed.StartAsync(EabRequired, NonceReject);

    public async Task DisposeAsync() => await Bed.DisposeAsync();
}

public sealed class EabPebbleFixture : PebbleFixture
{
    protected override bool EabRequired => true;
}

public sealed class BadNoncePebbleFixture : PebbleFixture
{
    // 30 %: a request fails only after 10 rejections in a row (0.3^10, about 6 in a million); at 50 % one in
    // a thousand requests ran out of retries and the test failed in CI about once in sixty runs.
    protected override int NonceReject => 30;
}

/// <summary>CertMgr side of the ACME tests: connections to the testbed and acquisitions through them.</summary>
internal static class AcmeSteps
{
    public const string Actor = "admin";

    /// <summary>A core fixture whose clock reads the real time: pebble and BIND (TSIG) judge times by the real clock.</summary>
    public static async Task<CoreFixture> CoreAsync()
    {
        var f = await CoreFixture.CreateAsync();
        f.Time.SetUtcNow(TimeProvider.System.GetUtcNow());
        return f;
    }

    public static CaConnectionInput Http01(AcmeTestbed bed, string name = "Pebble") =>
        new(name, CaConnectionKind.Acme, bed.DirectoryUrl, "pki@example.test", TermsOfServiceAgreed: true, CaBundlePem: bed.ListenerCaPem,
            Challenge: AcmeChallengeType.Http01, Http01Address: bed.Http01Address);

    public static CaConnectionInput Dns01(AcmeTestbed bed, string name = "Pebble DNS") =>
        new(name, CaConnectionKind.Acme, bed.DirectoryUrl, "pki@example.test", TermsOfServiceAgreed: true, CaBundlePem: bed.ListenerCaPem,
            Challenge: AcmeChallengeType.Dns01, DnsServer: bed.DnsServer, DnsZone: AcmeTestbed.Zone, TsigKeyName: AcmeTestbed.TsigKeyName,
            TsigAlgorithm: "hmac-sha256", TsigSecret: bed.TsigSecret);

    public static async Task<CaConnectionView> ConnectionAsync(CoreFixture f, CaConnectionInput input)
    {
        var created = await f.WithAsync(sp => sp.GetRequiredService<CaConnectionService>().CreateAsync(input, Actor, CancellationToken.None));
        Assert.True(created.IsSuccess, created.Error?.ToString());
        return created.Value;
    }

    public static Task<Product> ProductAsync(CoreFixture f, Guid connectionId) =>
        f.DbAsync(db => db.Products.AsNoTracking().FirstAsync(p => p.CaConnectionId == connectionId));

    /// <summary>New acquisition, new key, product chosen: the CA's answer as the acquisition service returns it.</summary>
    public static async Task<(Guid RequestId, Common.Result<CertificateRequest> Outcome)> AcquireAsync(CoreFixture f, Guid productId, string cn, IEnumerable<string>? sans = null)
    {
        var definitionId = await AcquisitionTestData.AddDefinitionAsync(f, cn, sans ?? [cn]);
        return await f.WithAsync(async sp =>
        {
            var service = sp.GetRequiredService<AcquisitionService>();
            var started = await service.StartAsync(definitionId, RequestKind.New, Actor, CancellationToken.None);
            Assert.True(started.IsSuccess, started.Error?.ToString());
            var keyed = await service.SetKeyAsync(started.Value.Id, KeyChoice.New, null, Actor, CancellationToken.None);
            Assert.True(keyed.IsSuccess, keyed.Error?.ToString());
            return (started.Value.Id, await service.ChooseProductAsync(started.Value.Id, productId, Actor, CancellationToken.None));
        });
    }

    /// <summary>Verifies leaf + chain with the real openssl against pebble's root.</summary>
    public static async Task VerifyWithOpensslAsync(AcmeTestbed bed, Certificate certificate)
    {
        var dir = Path.Combine(bed.Dir, "verify-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        await File.WriteAllTextAsync(Path.Combine(dir, "root.pem"), await bed.RootPemAsync());
        await File.WriteAllTextAsync(Path.Combine(dir, "leaf.pem"), System.Security.Cryptography.PemEncoding.WriteString("CERTIFICATE", certificate.Der));
        await File.WriteAllTextAsync(Path.Combine(dir, "chain.pem"), certificate.ChainPem ?? "");
        var verified = await ExternalTool.RunAsync("openssl", "verify", "-CAfile", Path.Combine(dir, "root.pem"), "-untrusted", Path.Combine(dir, "chain.pem"), Path.Combine(dir, "leaf.pem"));
        Assert.Contains("leaf.pem: OK", verified.Stdout, StringComparison.Ordinal);
    }
}
