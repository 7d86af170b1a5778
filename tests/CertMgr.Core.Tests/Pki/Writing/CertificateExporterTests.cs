using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using CertMgr.Core.Common;
using CertMgr.Core.Pki.Writing;

namespace CertMgr.Core.Tests.Pki.Writing;

/// <summary>The exporter's rules, without external tools: refusals and what each format holds.</summary>
public sealed partial class CertificateExporterTests
{
    private const string Passphrase = "Test-Passphrase-1";
    private static readonly TestPki Pki = TestPki.Ec;
    private static readonly ExportOptions WithKey = new() { IncludeKey = true, Passphrase = Passphrase };

    private static Result<ExportedFile> Export(ExportFormat format, ExportOptions options, AsymmetricAlgorithm? key = null) =>
        CertificateExporter.Export(Pki.Leaf, Pki.Chain, key ?? Pki.LeafKey, format, options);

    private static void AssertRefused(Result<ExportedFile> result, string code)
    {
        Assert.False(result.IsSuccess, "expected a refusal");
        Assert.Equal(code, result.Error.Code);
        Assert.DoesNotContain(Passphrase, result.Error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", result.Error.Message, StringComparison.Ordinal);
        // No run of base64 or hex long enough to be key material.
        Assert.DoesNotMatch(LongEncodedRun(), result.Error.Message);
    }

    [GeneratedRegex("[A-Za-z0-9+/=]{32,}")]
    private static partial Regex LongEncodedRun();

    [Theory]
    [InlineData(ExportFormat.Pkcs12)]
    [InlineData(ExportFormat.JavaPkcs12Keystore)]
    [InlineData(ExportFormat.PemPrivateKey)]
    public void Export_KeyWithoutPassphrase_PassphraseRequired(ExportFormat format) =>
        AssertRefused(Export(format, WithKey with { Passphrase = null }), "passphrase-required");

    [Theory]
    [InlineData(ExportFormat.Pkcs12)]
    [InlineData(ExportFormat.JavaPkcs12Keystore)]
    [InlineData(ExportFormat.PemPrivateKey)]
    public void Export_EmptyPassphrase_RefusedSayingEmpty(ExportFormat format)
    {
        var result = Export(format, WithKey with { Passphrase = string.Empty, AllowUnencryptedKey = true });

        AssertRefused(result, "passphrase-required");
        Assert.Contains("empty passphrase", result.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Export_ShortPassphrase_PassphraseTooShort() =>
        AssertRefused(Export(ExportFormat.Pkcs12, WithKey with { Passphrase = "short" }), "passphrase-too-short");

    [Fact]
    public void Export_Pkcs12WithoutKeyOrPassphrase_StillNeedsPassphrase() =>
        AssertRefused(Export(ExportFormat.Pkcs12, new ExportOptions()), "passphrase-required");

    [Theory]
    [InlineData(ExportFormat.PemPrivateKey)]
    [InlineData(ExportFormat.JavaPkcs12Keystore)]
    [InlineData(ExportFormat.HaproxyPem)]
    public void Export_KeyFormatWithoutIncludeKey_KeyNotRequested(ExportFormat format) =>
        AssertRefused(Export(format, WithKey with { IncludeKey = false, AllowUnencryptedKey = true }), "key-not-requested");

    [Theory]
    [InlineData(ExportFormat.PemPrivateKey)]
    [InlineData(ExportFormat.Pkcs12)]
    [InlineData(ExportFormat.JavaPkcs12Keystore)]
    [InlineData(ExportFormat.HaproxyPem)]
    public void Export_KeyRequestedButNoneGiven_KeyRequired(ExportFormat format)
    {
        var result = CertificateExporter.Export(
            Pki.Leaf, Pki.Chain, null, format, WithKey with { AllowUnencryptedKey = true });

        AssertRefused(result, "key-required");
    }

    [Theory]
    [InlineData(ExportFormat.PemPrivateKey)]
    [InlineData(ExportFormat.Pkcs12)]
    [InlineData(ExportFormat.JavaPkcs12Keystore)]
    [InlineData(ExportFormat.HaproxyPem)]
    public void Export_KeyOfAnotherCertificate_KeyMismatch(ExportFormat format) =>
        AssertRefused(Export(format, WithKey with { AllowUnencryptedKey = true }, Pki.OtherKey), "key-mismatch");

    [Fact]
    public void Export_RsaKeyForEcCertificate_KeyMismatch() =>
        AssertRefused(Export(ExportFormat.Pkcs12, WithKey, TestPki.Rsa.LeafKey), "key-mismatch");

    [Fact]
    public void Export_HaproxyWithoutAllowUnencrypted_RefusedSayingWhy()
    {
        var result = Export(ExportFormat.HaproxyPem, WithKey);

        AssertRefused(result, "unencrypted-key-not-allowed");
        Assert.Contains("HAProxy cannot read an encrypted key", result.Error!.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ExportFormat.PemCertificate)]
    [InlineData(ExportFormat.PemFullChain)]
    [InlineData(ExportFormat.Der)]
    [InlineData(ExportFormat.Pkcs7Der)]
    public void Export_IncludeKeyOnCertificateOnlyFormat_KeyNotSupported(ExportFormat format) =>
        AssertRefused(Export(format, WithKey), "key-not-supported");

    [Fact]
    public void Export_ChainOutOfOrder_Refused()
    {
        var result = CertificateExporter.Export(
            Pki.Leaf, [Pki.Root, Pki.Intermediate], null, ExportFormat.PemFullChain, new ExportOptions());

        AssertRefused(result, "chain-out-of-order");
    }

    [Fact]
    public void Export_PemChainOfSelfSignedCertificate_ChainEmpty()
    {
        var result = CertificateExporter.Export(Pki.Root, [], null, ExportFormat.PemChain, new ExportOptions());

        AssertRefused(result, "chain-empty");
    }

    [Theory]
    [InlineData(1_000)]
    [InlineData(10_000_000)]
    public void Export_KdfIterationsOutOfRange_Refused(int iterations) =>
        AssertRefused(Export(ExportFormat.Pkcs12, WithKey with { KdfIterations = iterations }), "kdf-iterations-out-of-range");

    [Fact]
    public void Export_PemKeyWithPassphrase_IsEncryptedPkcs8()
    {
        var file = Export(ExportFormat.PemPrivateKey, WithKey).Value;
        var text = Encoding.ASCII.GetString(file.Bytes.Span);

        Assert.StartsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----", text, StringComparison.Ordinal);
        Assert.False(file.ContainsUnencryptedKey);
        using var back = ECDsa.Create();
        back.ImportFromEncryptedPem(text, Passphrase);
        Assert.True(back.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(Pki.Leaf.PublicKey.ExportSubjectPublicKeyInfo()));
    }

    [Fact]
    public void Export_PemKeyUnencryptedWhenAllowed_IsPlainPkcs8AndFlagged()
    {
        var file = Export(ExportFormat.PemPrivateKey, new ExportOptions { IncludeKey = true, AllowUnencryptedKey = true }).Value;

        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", Encoding.ASCII.GetString(file.Bytes.Span), StringComparison.Ordinal);
        Assert.True(file.ContainsUnencryptedKey);
    }

    [Fact]
    public void Export_Pkcs12WithoutKey_HoldsTheThreeCertificatesOnly()
    {
        var file = Export(ExportFormat.Pkcs12, new ExportOptions { Passphrase = Passphrase }).Value;

        var loaded = X509CertificateLoader.LoadPkcs12Collection(file.ToArray(), Passphrase);
        Assert.Equal(3, loaded.Count);
        Assert.DoesNotContain(loaded, c => c.HasPrivateKey);
    }

    [Fact]
    public void Export_Pkcs12WithKey_LoadsBackWithKeyOnTheLeaf()
    {
        var file = Export(ExportFormat.Pkcs12, WithKey).Value;

        using var loaded = X509CertificateLoader.LoadPkcs12(file.ToArray(), Passphrase);
        Assert.True(loaded.HasPrivateKey);
        Assert.Equal(Pki.Leaf.Thumbprint, loaded.Thumbprint);
    }

    [Theory]
    [InlineData(ExportFormat.PemCertificate, "www.example.test.crt", "application/x-pem-file")]
    [InlineData(ExportFormat.PemFullChain, "www.example.test.fullchain.pem", "application/x-pem-file")]
    [InlineData(ExportFormat.Der, "www.example.test.cer", "application/pkix-cert")]
    [InlineData(ExportFormat.Pkcs7Der, "www.example.test.p7b", "application/pkcs7-mime")]
    public void Export_CertificateFormats_SuggestNameAndType(ExportFormat format, string fileName, string contentType)
    {
        var file = Export(format, new ExportOptions()).Value;

        Assert.Equal(fileName, file.FileName);
        Assert.Equal(contentType, file.ContentType);
        Assert.False(file.ContainsUnencryptedKey);
    }

    [Fact]
    public void ExportOptions_ToString_HidesThePassphrase() =>
        Assert.DoesNotContain(Passphrase, WithKey.ToString(), StringComparison.Ordinal);

    [Fact]
    public void Export_Der_IsTheLeafItself() =>
        Assert.True(Export(ExportFormat.Der, new ExportOptions()).Value.Bytes.Span.SequenceEqual(Pki.Leaf.RawData));
}
