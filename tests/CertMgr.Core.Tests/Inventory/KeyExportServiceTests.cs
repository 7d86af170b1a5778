using System.Security.Cryptography;
using System.Text;
using CertMgr.Core.Common;
using CertMgr.Core.Inventory;
using CertMgr.Core.Pki;
using CertMgr.Core.PrivateCa;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Data.Secrets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CertMgr.Core.Tests.Inventory;

/// <summary>The one place private keys leave CertMgr: admin rule, passphrase rules, the audit record.</summary>
public sealed class KeyExportServiceTests
{
    private const string Passphrase = "Export-Passphrase-2026";
    private static readonly KeyExporter Admin = new("alice", IsAdmin: true);

    private static Task<Guid> StoredKeyAsync(CoreFixture f) =>
        f.WithAsync(async s =>
        {
            var db = s.GetRequiredService<CertMgrDbContext>();
            using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var key = SealedKeys.Seal(ec, KeySpec.EcP256, PrivateKeySource.Generated, s.GetRequiredService<SecretProtector>(), f.Time.GetUtcNow());
            db.PrivateKeys.Add(key);
            await db.SaveChangesAsync();
            return key.Id;
        });

    private static Task<Result<ExportedFileBytes>> ExportKeyAsync(CoreFixture f, Guid id, string? format, string? passphrase, KeyExporter who) =>
        f.WithAsync(async s =>
        {
            var file = await s.GetRequiredService<KeyExportService>().ExportKeyAsync(id, format, passphrase, who, CancellationToken.None);
            return file.IsSuccess ? Result<ExportedFileBytes>.Success(new ExportedFileBytes(file.Value.Bytes.ToArray(), file.Value.FileName)) : file.Error;
        });

    private sealed record ExportedFileBytes(byte[] Bytes, string FileName);

    private static Task<int> ExportEventsAsync(CoreFixture f) =>
        f.DbAsync(db => db.AuditEvents.CountAsync(e => e.Action == "export" || e.Action == KeyExportService.HistoryAction));

    [Fact]
    public async Task ExportKey_Pem_EncryptedUnderThePassphraseAndAudited()
    {
        await using var f = await CoreFixture.CreateAsync();
        var id = await StoredKeyAsync(f);

        var file = await ExportKeyAsync(f, id, "pem", Passphrase, Admin);

        Assert.True(file.IsSuccess, file.Error?.Message);
        var pem = Encoding.ASCII.GetString(file.Value.Bytes);
        Assert.Contains("BEGIN ENCRYPTED PRIVATE KEY", pem, StringComparison.Ordinal);
        using var back = ECDsa.Create();
        back.ImportFromEncryptedPem(pem, Passphrase);
        Assert.Throws<CryptographicException>(() => ECDsa.Create().ImportFromEncryptedPem(pem, "wrong-passphrase-123"));
        var audit = await f.DbAsync(db => db.AuditEvents.SingleAsync(e => e.Action == "export"));
        Assert.Equal("alice", audit.Actor);
        Assert.Equal(id.ToString(), audit.ObjectId);
        Assert.DoesNotContain(Passphrase, audit.Detail ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExportKey_NotAdmin_ForbiddenAndNothingRecorded()
    {
        await using var f = await CoreFixture.CreateAsync();
        var id = await StoredKeyAsync(f);

        var file = await ExportKeyAsync(f, id, "pem", Passphrase, new KeyExporter("bob", IsAdmin: false));

        Assert.Equal("admin-required", file.Error?.Code);
        Assert.Equal(ErrorKind.Forbidden, file.Error?.Kind);
        Assert.Equal(0, await ExportEventsAsync(f));
    }

    [Theory]
    [InlineData("pem", null, "passphrase-required")]
    [InlineData("pem", "short", "passphrase-too-short")]
    [InlineData("der", Passphrase, "format-invalid")]
    [InlineData("pfx", Passphrase, "certificate-missing")]
    public async Task ExportKey_BadRequest_RefusedWithReasonAndNothingRecorded(string format, string? passphrase, string code)
    {
        await using var f = await CoreFixture.CreateAsync();
        var id = await StoredKeyAsync(f);

        var file = await ExportKeyAsync(f, id, format, passphrase, Admin);

        Assert.Equal(code, file.Error?.Code);
        Assert.Equal(ErrorKind.Validation, file.Error?.Kind);
        Assert.Equal(0, await ExportEventsAsync(f));
    }

    [Fact]
    public async Task ExportKey_PrivateCaKey_NotFound()
    {
        await using var f = await CoreFixture.CreateAsync();
        var caKeyId = await f.DbAsync(db => db.PrivateCas.Where(c => c.IsCurrent).Select(c => c.PrivateKeyId).SingleAsync());

        var file = await ExportKeyAsync(f, caKeyId, "pem", Passphrase, Admin);

        Assert.Equal("key-not-found", file.Error?.Code);
        Assert.Equal(ErrorKind.NotFound, file.Error?.Kind);
    }

    [Fact]
    public async Task ExportCertificate_NotAdminOrUnknown_ForbiddenOrNotFound()
    {
        await using var f = await CoreFixture.CreateAsync();

        var forbidden = await f.WithAsync(s => s.GetRequiredService<KeyExportService>().ExportCertificateAsync(
            Guid.NewGuid(), "pfx", Passphrase, false, new KeyExporter("bob", IsAdmin: false), CancellationToken.None));
        var unknown = await f.WithAsync(s => s.GetRequiredService<KeyExportService>().ExportCertificateAsync(
            Guid.NewGuid(), "pfx", Passphrase, false, Admin, CancellationToken.None));

        Assert.Equal(ErrorKind.Forbidden, forbidden.Error?.Kind);
        Assert.Equal("certificate-not-found", unknown.Error?.Code);
        Assert.Equal(ErrorKind.NotFound, unknown.Error?.Kind);
    }
}
