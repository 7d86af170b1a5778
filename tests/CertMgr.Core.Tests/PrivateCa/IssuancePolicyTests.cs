using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.PrivateCa;
using CertMgr.Data.Model;

namespace CertMgr.Core.Tests.PrivateCa;

public sealed class IssuancePolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);
    private static readonly PrivateCaOptions Options = new();
    private static readonly X509Certificate2 Ca = MakeCa();

    private static X509Certificate2 MakeCa()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=Test CA", key, HashAlgorithmName.SHA256);
        return request.CreateSelfSigned(Now.AddDays(-1), Now.AddDays(1000));
    }

    [Theory]
    [InlineData("www.example.test")]
    [InlineData("*.example.test")]
    [InlineData("xn--bcher-kva.example")]
    [InlineData("a-b.c")]
    [InlineData("10.0.0.5")]
    [InlineData("::1")]
    [InlineData("2001:db8::1")]
    public void Check_WellFormedName_Plans(string name)
    {
        var plan = IssuancePolicy.Check(CaTestData.Server(name), Options, Ca, Now);

        Assert.True(plan.IsSuccess, plan.Error?.Message);
        Assert.True(plan.Value.SerialNumber.Length >= 8);
    }

    [Theory]
    [InlineData("exa mple.test")]
    [InlineData("-bad.example.test")]
    [InlineData("bad-.example.test")]
    [InlineData("under_score.test")]
    [InlineData("a..b")]
    [InlineData("*.test")]
    [InlineData("www.*.test")]
    [InlineData("1.2.3")]
    [InlineData("10.0.0.256")]
    [InlineData("")]
    [InlineData("bücher.example")]
    public void Check_MalformedName_Refused(string name)
    {
        var plan = IssuancePolicy.Check(CaTestData.Server(name), Options, Ca, Now);

        Assert.False(plan.IsSuccess);
        Assert.Equal("name-invalid", plan.Error.Code);
    }

    [Fact]
    public void Check_ServerWithoutNames_Refused()
    {
        var plan = IssuancePolicy.Check(CaTestData.Server(), Options, Ca, Now);

        Assert.Equal("names-missing", plan.Error?.Code);
    }

    [Fact]
    public void Check_Rsa1024_Refused()
    {
        using var rsa = RSA.Create(1024);

        var plan = IssuancePolicy.Check(CaTestData.Server(CaTestData.PublicKeyOf(rsa), "a.test"), Options, Ca, Now);

        Assert.Equal("key-too-small", plan.Error?.Code);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(65536)]
    [InlineData(17)]
    public void Check_RsaWeakExponent_Refused(int exponent)
    {
        var key = CaTestData.RsaPublic(CaTestData.RealModulus(2048), exponent);

        var plan = IssuancePolicy.Check(CaTestData.Server(key, "a.test"), Options, Ca, Now);

        Assert.Equal("key-weak", plan.Error?.Code);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(7919)]
    [InlineData(19997)]
    public void Check_RsaModulusWithSmallFactor_Refused(int factor)
    {
        var modulus = (BigInteger.One << 2047) / factor * factor;
        if (modulus.IsEven)
        {
            modulus += factor;
        }

        var plan = IssuancePolicy.Check(CaTestData.Server(CaTestData.RsaPublic(modulus, 65537), "a.test"), Options, Ca, Now);

        Assert.Equal("key-weak", plan.Error?.Code);
    }

    [Fact]
    public void Check_Rsa2048_Plans()
    {
        using var rsa = RSA.Create(2048);

        var plan = IssuancePolicy.Check(CaTestData.Server(CaTestData.PublicKeyOf(rsa), "a.test"), Options, Ca, Now);

        Assert.True(plan.IsSuccess, plan.Error?.Message);
    }

    [Fact]
    public void Check_EcCurveNotAllowed_Refused()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.brainpoolP256r1);

        var plan = IssuancePolicy.Check(CaTestData.Server(CaTestData.PublicKeyOf(ec), "a.test"), Options, Ca, Now);

        Assert.Equal("key-not-allowed", plan.Error?.Code);
    }

    [Theory]
    [InlineData("1.2.840.10045.3.1.7")]
    [InlineData("1.3.132.0.34")]
    [InlineData("1.3.132.0.35")]
    public void IsOnCurve_RealKeysAcceptedAndTamperedOrMalformedPointsRefused(string oid)
    {
        using var ec = ECDsa.Create(ECCurve.CreateFromValue(oid));
        var point = PublicKey.CreateFromSubjectPublicKeyInfo(ec.ExportSubjectPublicKeyInfo(), out _).EncodedKeyValue.RawData;
        var size = (point.Length - 1) / 2;
        var tamperedX = (byte[])point.Clone();
        tamperedX[size] ^= 0x01;
        var compressed = new byte[1 + size];
        compressed[0] = (byte)(0x02 | (point[^1] & 1));
        point.AsSpan(1, size).CopyTo(compressed.AsSpan(1));
        var xAbovePrime = (byte[])point.Clone();
        xAbovePrime.AsSpan(1, size).Fill(0xFF);

        Assert.True(IssuancePolicy.IsOnCurve(oid, point));
        Assert.False(IssuancePolicy.IsOnCurve(oid, tamperedX));
        Assert.False(IssuancePolicy.IsOnCurve(oid, compressed));
        Assert.False(IssuancePolicy.IsOnCurve(oid, xAbovePrime));
        Assert.False(IssuancePolicy.IsOnCurve(oid, point.AsSpan(0, point.Length - 1)));
        Assert.False(IssuancePolicy.IsOnCurve(oid, [0x00]));
    }

    [Fact]
    public void Check_EcPointNotOnCurve_Refused()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var spki = ec.ExportSubjectPublicKeyInfo();
        spki[^1] ^= 0x01; // the last byte of Y: the point leaves the curve
        var key = PublicKey.CreateFromSubjectPublicKeyInfo(spki, out _);

        var plan = IssuancePolicy.Check(CaTestData.Server(key, "a.test"), Options, Ca, Now);

        Assert.Equal("key-invalid", plan.Error?.Code);
    }

    [Fact]
    public void Check_ValidityAboveMaximum_Refused()
    {
        var request = CaTestData.Server("a.test") with { Validity = TimeSpan.FromDays(398) };

        var plan = IssuancePolicy.Check(request, Options, Ca, Now);

        Assert.Equal("validity-too-long", plan.Error?.Code);
    }

    [Fact]
    public void Check_ValidityBeyondCa_StopsAtCaExpiry()
    {
        var late = Now.AddDays(900);

        var plan = IssuancePolicy.Check(CaTestData.Server("a.test") with { Validity = TimeSpan.FromDays(397) }, Options, Ca, late);

        Assert.Equal(Ca.NotAfter.ToUniversalTime(), plan.Value.NotAfter.UtcDateTime);
    }

    [Fact]
    public void Check_CaExpired_Refused()
    {
        var plan = IssuancePolicy.Check(CaTestData.Server("a.test"), Options, Ca, Now.AddDays(1001));

        Assert.Equal("ca-not-valid", plan.Error?.Code);
    }

    [Fact]
    public void Check_ClientWithoutNames_Plans()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new IssuanceRequest(new X500DistinguishedName("CN=alice"), CaTestData.PublicKeyOf(ec), [], IssuedCertificateProfile.Client, TimeSpan.FromDays(30));

        Assert.True(IssuancePolicy.Check(request, Options, Ca, Now).IsSuccess);
    }
}
