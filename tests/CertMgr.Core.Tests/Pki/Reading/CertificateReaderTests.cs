using System.Security.Cryptography;
using System.Text;
using CertMgr.Core.Common;
using CertMgr.Core.Pki;
using CertMgr.Core.Pki.Reading;
using CertMgr.Data.Model;

namespace CertMgr.Core.Tests.Pki.Reading;

public sealed class CertificateReaderTests(PkiFiles files) : IClassFixture<PkiFiles>
{
    private const string LeafCn = "C=DE, O=Example Org, CN=www.example.test";

    private CertificateBundle ReadOk(string name, ReadOptions? options = null)
    {
        var result = CertificateReader.Read(files.Bytes(name), options);
        Assert.True(result.IsSuccess, $"{name}: {result.Error}");
        return result.Value;
    }

    private Error ReadError(byte[] data, ReadOptions? options = null)
    {
        var result = CertificateReader.Read(data, options);
        Assert.False(result.IsSuccess, "expected an error");
        AssertNoKeyMaterial(result.Error.Message);
        return result.Error;
    }

    private void AssertNoKeyMaterial(string message)
    {
        Assert.DoesNotContain("PRIVATE KEY", message, StringComparison.Ordinal);
        Assert.DoesNotContain(PkiFiles.Password, message, StringComparison.Ordinal);
        var keyBase64 = Convert.ToBase64String(files.Bytes("leaf.key.der"));
        for (var i = 0; i + 16 <= keyBase64.Length; i += 16)
        {
            Assert.DoesNotContain(keyBase64.Substring(i, 16), message, StringComparison.Ordinal);
        }
    }

    private static void AssertRsaLeafWithFullChain(CertificateBundle bundle, bool hasKey)
    {
        Assert.Equal(LeafCn, bundle.Leaf.Subject);
        Assert.Equal(hasKey, bundle.PrivateKey is not null);
        Assert.Equal(KeySpec.Rsa2048, bundle.KeySpec);
        Assert.Equal(["O=CertMgr Tests, CN=CertMgr Test Intermediate", "O=CertMgr Tests, CN=CertMgr Test Root"],
            bundle.Chain.Select(c => c.Subject));
    }

    [Theory]
    [InlineData("full.pem", CertificateFormat.Pem)]
    [InlineData("reversed.pem", CertificateFormat.Pem)]
    [InlineData("bom-crlf.pem", CertificateFormat.Pem)]
    [InlineData("full.p7b", CertificateFormat.Pkcs7)]
    [InlineData("full.p7c", CertificateFormat.Pkcs7)]
    public void Read_CertificatesOnly_LeafAndChainLeafToRoot(string name, CertificateFormat format)
    {
        using var bundle = ReadOk(name);

        Assert.Equal(format, bundle.Format);
        AssertRsaLeafWithFullChain(bundle, hasKey: false);
    }

    [Fact]
    public void Read_DerCertificate_LeafWithoutChain()
    {
        using var bundle = ReadOk("leaf.der");

        Assert.Equal(CertificateFormat.Der, bundle.Format);
        Assert.Equal(LeafCn, bundle.Leaf.Subject);
        Assert.Empty(bundle.Chain);
        Assert.Null(bundle.PrivateKey);
    }

    [Fact]
    public void Read_PemWithKeyAndCertificatesInAnyOrder_KeyMatchesLeaf()
    {
        using var bundle = ReadOk("combined.pem");

        Assert.Equal(LeafCn, bundle.Leaf.Subject);
        var rsa = Assert.IsAssignableFrom<RSA>(bundle.PrivateKey);
        Assert.Equal(2048, rsa.KeySize);
        Assert.Single(bundle.Chain);
    }

    [Theory]
    [InlineData("leaf.key", null)]
    [InlineData("leaf.pkcs1.key", null)]
    [InlineData("leaf.key.der", null)]
    [InlineData("leaf.p8enc.key", PkiFiles.Password)]
    [InlineData("leaf.des3.key", PkiFiles.Password)]
    [InlineData("leaf.aes.key", PkiFiles.Password)]
    public void Read_SeparateRsaKeyFile_ApacheStyleSet(string keyFile, string? password)
    {
        using var bundle = ReadOk("leaf.pem", new ReadOptions { KeyData = files.Bytes(keyFile), ChainData = files.Bytes("chain.pem"), Password = password });

        AssertRsaLeafWithFullChain(bundle, hasKey: true);
        Assert.True(ChainAssemblerMatches(bundle));
    }

    [Theory]
    [InlineData("ecleaf.key", null)]
    [InlineData("ecleaf.sec1.key", null)]
    [InlineData("ecleaf.sec1enc.key", PkiFiles.Password)]
    public void Read_SeparateEcKeyFile_KeyPresent(string keyFile, string? password)
    {
        using var bundle = ReadOk("ecleaf.pem", new ReadOptions { KeyData = files.Bytes(keyFile), KeyPassword = password });

        Assert.Equal("CN=ec.example.test", bundle.Leaf.Subject);
        Assert.IsAssignableFrom<ECDsa>(bundle.PrivateKey);
        Assert.Equal(KeySpec.EcP384, bundle.KeySpec);
    }

    [Fact]
    public void Read_ModernPkcs12_KeyAndChain()
    {
        using var bundle = ReadOk("modern.p12", new ReadOptions { Password = PkiFiles.Password });

        Assert.Equal(CertificateFormat.Pkcs12, bundle.Format);
        AssertRsaLeafWithFullChain(bundle, hasKey: true);
    }

    [Fact]
    public void Read_LegacyPkcs12_KeyAndChain()
    {
        using var bundle = ReadOk("legacy.pfx", new ReadOptions { Password = PkiFiles.Password });

        Assert.Equal("CN=ec.example.test", bundle.Leaf.Subject);
        Assert.IsAssignableFrom<ECDsa>(bundle.PrivateKey);
        Assert.Equal(2, bundle.Chain.Count);
    }

    [Theory]
    [InlineData("empty.p12", null)]
    [InlineData("empty.p12", "")]
    [InlineData("nopass.p12", null)]
    public void Read_Pkcs12WithoutPassword_Opens(string name, string? password)
    {
        using var bundle = ReadOk(name, new ReadOptions { Password = password });

        Assert.Equal(LeafCn, bundle.Leaf.Subject);
        Assert.NotNull(bundle.PrivateKey);
    }

    [Fact]
    public void Read_JksWithDistinctKeyPassword_KeyPresent()
    {
        using var bundle = ReadOk("store.jks", new ReadOptions { Password = PkiFiles.StorePassword, KeyPassword = PkiFiles.KeyPassword });

        Assert.Equal(CertificateFormat.Jks, bundle.Format);
        Assert.Equal("CN=jks.example.test, O=Example Org", bundle.Leaf.Subject);
        Assert.IsAssignableFrom<ECDsa>(bundle.PrivateKey);
    }

    [Fact]
    public void Read_JavaPkcs12Keystore_KeyAndChain()
    {
        using var bundle = ReadOk("java.p12", new ReadOptions { Password = PkiFiles.StorePassword });

        Assert.Equal(CertificateFormat.Pkcs12, bundle.Format);
        AssertRsaLeafWithFullChain(bundle, hasKey: true);
    }

    [Fact]
    public void Read_Pkcs12WithDistinctKeyBagPassword_KeyAndChain()
    {
        using var bundle = ReadOk("split.p12", new ReadOptions { Password = PkiFiles.StorePassword, KeyPassword = PkiFiles.KeyPassword });

        Assert.Equal(CertificateFormat.Pkcs12, bundle.Format);
        AssertRsaLeafWithFullChain(bundle, hasKey: true);
    }

    [Theory]
    [InlineData(null, null, ReadErrors.PasswordRequired, "no password")]
    [InlineData("wrong", PkiFiles.KeyPassword, ReadErrors.WrongPassword, "password for the PKCS#12 file is wrong")]
    [InlineData(PkiFiles.StorePassword, null, ReadErrors.PasswordRequired, "key password")]
    [InlineData(PkiFiles.StorePassword, "wrong", ReadErrors.WrongPassword, "key password for the private key in the PKCS#12 file is wrong")]
    [InlineData(PkiFiles.KeyPassword, PkiFiles.KeyPassword, ReadErrors.WrongPassword, "password for the PKCS#12 file is wrong")]
    public void Read_Pkcs12WithDistinctKeyBagPasswordBadPasswords_NamesWhichPasswordIsWrong(
        string? password, string? keyPassword, string kind, string says)
    {
        var error = ReadError(files.Bytes("split.p12"), new ReadOptions { Password = password, KeyPassword = keyPassword });

        Assert.Equal(kind, error.Code);
        Assert.Contains(says, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(PkiFiles.StorePassword, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(PkiFiles.KeyPassword, error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string?, string?, string> PasswordCases => new()
    {
        { "modern.p12", null, null, ReadErrors.PasswordRequired },
        { "modern.p12", "wrong", null, ReadErrors.WrongPassword },
        { "legacy.pfx", null, null, ReadErrors.PasswordRequired },
        { "legacy.pfx", "wrong", null, ReadErrors.WrongPassword },
        { "store.jks", null, null, ReadErrors.PasswordRequired },
        { "store.jks", "wrong", null, ReadErrors.WrongPassword },
        { "store.jks", PkiFiles.StorePassword, null, ReadErrors.WrongPassword },
        { "store.jks", PkiFiles.StorePassword, "wrong", ReadErrors.WrongPassword },
        { "java.p12", "wrong", null, ReadErrors.WrongPassword },
    };

    [Theory]
    [MemberData(nameof(PasswordCases))]
    public void Read_EncryptedFileBadPassword_SpecificKind(string name, string? password, string? keyPassword, string kind)
    {
        var error = ReadError(files.Bytes(name), new ReadOptions { Password = password, KeyPassword = keyPassword });

        Assert.Equal(kind, error.Code);
    }

    [Theory]
    [InlineData("leaf.p8enc.key", null, ReadErrors.PasswordRequired)]
    [InlineData("leaf.p8enc.key", "wrong", ReadErrors.WrongPassword)]
    [InlineData("leaf.des3.key", null, ReadErrors.PasswordRequired)]
    [InlineData("leaf.des3.key", "wrong", ReadErrors.WrongPassword)]
    [InlineData("leaf.aes.key", null, ReadErrors.PasswordRequired)]
    [InlineData("leaf.aes.key", "wrong", ReadErrors.WrongPassword)]
    public void Read_EncryptedKeyFileBadPassword_SpecificKind(string keyFile, string? password, string kind)
    {
        var error = ReadError(files.Bytes("leaf.pem"), new ReadOptions { KeyData = files.Bytes(keyFile), Password = password });

        Assert.Equal(kind, error.Code);
    }

    [Fact]
    public void Read_KeyOfAnotherCertificate_KeyMismatch()
    {
        var error = ReadError(files.Bytes("leaf.pem"), new ReadOptions { KeyData = files.Bytes("ecleaf.key") });

        Assert.Equal(ReadErrors.KeyMismatch, error.Code);
        Assert.Contains("www.example.test", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("leaf.csr")]
    [InlineData("leaf.key")]
    [InlineData("leaf.key.der")]
    public void Read_NoCertificate_NoCertificate(string name)
    {
        Assert.Equal(ReadErrors.NoCertificate, ReadError(files.Bytes(name)).Code);
    }

    [Theory]
    [InlineData("ed25519.pem", null)]
    [InlineData("ed25519.pem", "ed25519.key")]
    public void Read_Ed25519_Unsupported(string name, string? keyFile)
    {
        var options = new ReadOptions { KeyData = keyFile is null ? null : files.Bytes(keyFile) };

        var error = ReadError(files.Bytes(name), options);

        Assert.True(error.Code == ReadErrors.Unsupported, error.ToString());
        Assert.Contains("Ed25519", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_Pkcs12WithHugeIterationCount_RefusedBeforeDerivingKeys()
    {
        var error = ReadError(files.Bytes("hostile.p12"), new ReadOptions { Password = PkiFiles.Password });

        Assert.Equal(ReadErrors.Unsupported, error.Code);
        Assert.Contains("iterations", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_OverSizeLimit_TooLarge()
    {
        var data = files.Bytes("full.pem");

        var error = ReadError(data, new ReadOptions { MaxBytes = data.Length - 1 });

        Assert.Equal(ReadErrors.TooLarge, error.Code);
    }

    [Fact]
    public void Read_TooManyCertificates_TooLarge()
    {
        var error = ReadError(files.Bytes("full.pem"), new ReadOptions { MaxCertificates = 2 });

        Assert.Equal(ReadErrors.TooLarge, error.Code);
    }

    public static TheoryData<string, string> CorruptCases => new()
    {
        { "empty", "" },
        { "whitespace", " \r\n" },
        { "truncated DER", "leaf.der:half" },
        { "truncated PEM", "full.pem:half" },
        { "truncated PKCS#12", "modern.p12:half" },
        { "truncated PKCS#7", "full.p7c:half" },
        { "truncated JKS", "store.jks:half" },
        { "random", "random" },
        { "bad base64", "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n" },
    };

    [Theory]
    [MemberData(nameof(CorruptCases))]
    public void Read_BadData_Corrupt(string what, string input)
    {
        byte[] data = input switch
        {
            "random" => RandomBytes(),
            _ when input.EndsWith(":half", StringComparison.Ordinal) => Half(files.Bytes(input[..^5])),
            _ => Encoding.UTF8.GetBytes(input),
        };

        var error = ReadError(data, new ReadOptions { Password = PkiFiles.StorePassword });

        Assert.True(error.Code == ReadErrors.Corrupt, $"{what}: {error}");
    }

    [Fact]
    public void Read_TruncatedPkcs12_Corrupt_EvenWithPassword()
    {
        var error = ReadError(Half(files.Bytes("modern.p12")), new ReadOptions { Password = PkiFiles.Password });

        Assert.Equal(ReadErrors.Corrupt, error.Code);
    }

    [Fact]
    public void Read_EveryErrorKind_IsOneOfTheDocumentedKinds()
    {
        Assert.Equal(7, ReadErrors.All.Distinct().Count());
    }

    private static bool ChainAssemblerMatches(CertificateBundle bundle) =>
        bundle.PrivateKey!.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(bundle.Leaf.PublicKey.ExportSubjectPublicKeyInfo());

    private static byte[] Half(byte[] data) => data[..(data.Length / 2)];

    private static byte[] RandomBytes()
    {
        var data = new byte[4096];
        new Random(42).NextBytes(data);
        data[0] = 0x17;
        return data;
    }

    [Fact]
    public void Read_RandomDerLookalike_Corrupt()
    {
        var data = new byte[512];
        new Random(7).NextBytes(data);
        data[0] = 0x30;

        Assert.Equal(ReadErrors.Corrupt, ReadError(data).Code);
    }

    [Fact]
    public void Read_KeySpecOfEcLeaf_UsesDataModelAlgorithm()
    {
        using var bundle = ReadOk("ecleaf.pem");

        Assert.Equal(KeyAlgorithm.Ecdsa, bundle.KeySpec.Algorithm);
    }
}

public sealed class CertificateReaderFuzzTests(PkiFiles files) : IClassFixture<PkiFiles>
{
    [Theory]
    [InlineData("leaf.der")]
    [InlineData("full.pem")]
    [InlineData("full.p7c")]
    [InlineData("modern.p12")]
    [InlineData("legacy.pfx")]
    [InlineData("store.jks")]
    [InlineData("leaf.des3.key")]
    public void Read_MutatedInput_ReturnsResultNeverThrows(string name)
    {
        var original = files.Bytes(name);
        var random = new Random(name.Length);
        for (var round = 0; round < 60; round++)
        {
            var data = (byte[])original.Clone();
            for (var flips = 0; flips < 1 + round % 4; flips++)
            {
                data[random.Next(data.Length)] = (byte)random.Next(256);
            }

            var cut = round % 5 == 0 ? data[..random.Next(1, data.Length)] : data;
            var options = new ReadOptions { Password = round % 2 == 0 ? PkiFiles.Password : PkiFiles.StorePassword, KeyPassword = PkiFiles.KeyPassword };
            var keyOptions = options with { KeyData = cut };

            var result = name.EndsWith(".key", StringComparison.Ordinal)
                ? CertificateReader.Read(files.Bytes("leaf.pem"), keyOptions)
                : CertificateReader.Read(cut, options);

            if (result.IsSuccess)
            {
                result.Value.Dispose();
            }
            else
            {
                Assert.Contains(result.Error.Code, ReadErrors.All);
            }
        }
    }
}
