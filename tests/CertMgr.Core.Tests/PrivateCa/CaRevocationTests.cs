using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.PrivateCa;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CertMgr.Core.Tests.PrivateCa;

public sealed class CaRevocationTests : IDisposable
{
    private readonly string _dir = CaTestData.TempDir();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Revoke_KeyCompromise_CrlVerifiesAndOpensslRejectsTheCertificate()
    {
        await using var f = await CoreFixture.CreateAsync();
        using var revoked = (await f.WithAsync(sp => sp.GetRequiredService<CaIssuance>().IssueAsync(CaTestData.Server("gone.example.test"), "t", CancellationToken.None))).Value;
        using var kept = (await f.WithAsync(sp => sp.GetRequiredService<CaIssuance>().IssueAsync(CaTestData.Server("kept.example.test"), "t", CancellationToken.None))).Value;

        var result = await f.WithAsync(sp => sp.GetRequiredService<CaRevocation>().RevokeAsync(revoked.SerialNumber.ToLowerInvariant(), X509RevocationReason.KeyCompromise, "t", CancellationToken.None));
        var crl = await f.WithAsync(sp => sp.GetRequiredService<CaRevocation>().GenerateCrlAsync("t", CancellationToken.None));

        Assert.True(result.IsSuccess, result.Error?.Message);
        File.WriteAllText(Path.Combine(_dir, "crl.pem"), CaTestData.Pem(crl.Value, "X509 CRL"));
        File.WriteAllText(Path.Combine(_dir, "revoked.pem"), CaTestData.Pem(revoked.RawData));
        File.WriteAllText(Path.Combine(_dir, "kept.pem"), CaTestData.Pem(kept.RawData));
        var ca = f.Home.CaCertificatePath;
        Assert.Contains("verify OK", Openssl.Run(_dir, "crl", "-in", "crl.pem", "-CAfile", ca, "-noout"), StringComparison.Ordinal);
        var text = Openssl.Run(_dir, "crl", "-in", "crl.pem", "-noout", "-text");
        Assert.Contains("Key Compromise", text, StringComparison.Ordinal);
        Assert.Contains(revoked.SerialNumber, text.Replace(":", "", StringComparison.Ordinal).ToUpperInvariant(), StringComparison.Ordinal);
        Assert.Contains("X509v3 CRL Number: \n                2", text, StringComparison.Ordinal);

        var (code, output, error) = Openssl.TryRun(_dir, "verify", "-crl_check", "-CRLfile", "crl.pem", "-CAfile", ca, "revoked.pem");
        Assert.NotEqual(0, code);
        Assert.Contains("certificate revoked", output + error, StringComparison.Ordinal);
        Assert.Contains("kept.pem: OK", Openssl.Run(_dir, "verify", "-crl_check", "-CRLfile", "crl.pem", "-CAfile", ca, "kept.pem"), StringComparison.Ordinal);

        var row = await f.DbAsync(db => db.IssuedCertificates.SingleAsync(i => i.SerialNumber == revoked.SerialNumber));
        Assert.Equal(IssuedCertificateStatus.Revoked, row.Status);
        Assert.Equal((int)X509RevocationReason.KeyCompromise, row.RevocationReason);
    }

    [Fact]
    public async Task GenerateCrl_Twice_NumbersIncreaseAndNextUpdateIsSevenDays()
    {
        await using var f = await CoreFixture.CreateAsync();

        var first = (await f.WithAsync(sp => sp.GetRequiredService<CaRevocation>().GenerateCrlAsync("t", CancellationToken.None))).Value;
        var second = (await f.WithAsync(sp => sp.GetRequiredService<CaRevocation>().GenerateCrlAsync("t", CancellationToken.None))).Value;

        File.WriteAllBytes(Path.Combine(_dir, "1.crl"), first);
        File.WriteAllBytes(Path.Combine(_dir, "2.crl"), second);
        Assert.Contains("crlNumber=0x01", Openssl.Run(_dir, "crl", "-inform", "DER", "-in", "1.crl", "-noout", "-crlnumber"), StringComparison.Ordinal);
        Assert.Contains("crlNumber=0x02", Openssl.Run(_dir, "crl", "-inform", "DER", "-in", "2.crl", "-noout", "-crlnumber"), StringComparison.Ordinal);
        var ca = await f.DbAsync(db => db.PrivateCas.SingleAsync(c => c.IsCurrent));
        Assert.Equal(3, ca.NextCrlNumber);
        Assert.Equal(second, ca.CrlDer);
        Assert.Equal(f.Time.GetUtcNow().AddDays(7), ca.CrlNextUpdate);
    }

    [Fact]
    public async Task Revoke_UnknownSerial_Refused()
    {
        await using var f = await CoreFixture.CreateAsync();

        var result = await f.WithAsync(sp => sp.GetRequiredService<CaRevocation>().RevokeAsync("0123ABCD", X509RevocationReason.Superseded, "t", CancellationToken.None));

        Assert.Equal("serial-not-found", result.Error?.Code);
    }

    [Theory]
    [InlineData("keyCompromise", X509RevocationReason.KeyCompromise)]
    [InlineData("cACompromise", X509RevocationReason.CACompromise)]
    [InlineData("superseded", X509RevocationReason.Superseded)]
    [InlineData("CessationOfOperation", X509RevocationReason.CessationOfOperation)]
    public void TryParseReason_Rfc5280Name_Parses(string text, X509RevocationReason expected)
    {
        Assert.True(CaRevocation.TryParseReason(text, out var reason));
        Assert.Equal(expected, reason);
    }
}
