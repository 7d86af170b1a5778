using System.Security.Cryptography;
using System.Text;
using CertMgr.Data.Secrets;

namespace CertMgr.Data.Tests.Secrets;

public sealed class SecretProtectorTests
{
    private static readonly byte[] Plaintext = Encoding.UTF8.GetBytes("correct horse battery staple: s3cr3t");

    // Offsets into the sealed layout: version, key id, wrap nonce, wrap tag, wrapped key, data nonce, data tag, ciphertext.
    public static TheoryData<int> TamperOffsets => new() { 0, 1, 5, 17, 33, 65, 77, 92, 93, 93 + 10 };

    [Fact]
    public void Unprotect_SameKeyAndPurpose_ReturnsPlaintext()
    {
        var protector = new SecretProtector(RandomNumberGenerator.GetBytes(32));

        var sealedValue = protector.Protect(Plaintext, SecretPurposes.ProviderPassword);

        Assert.Equal(Plaintext, protector.Unprotect(sealedValue, SecretPurposes.ProviderPassword));
        Assert.Equal("p@ss wörd", protector.UnprotectString(protector.Protect("p@ss wörd", SecretPurposes.Setting), SecretPurposes.Setting));
    }

    [Fact]
    public void Unprotect_EmptyPlaintext_RoundTrips()
    {
        var protector = new SecretProtector(RandomNumberGenerator.GetBytes(32));

        Assert.Empty(protector.Unprotect(protector.Protect([], SecretPurposes.Setting), SecretPurposes.Setting));
    }

    [Fact]
    public void Protect_Plaintext_DoesNotAppearInOutput()
    {
        var protector = new SecretProtector(RandomNumberGenerator.GetBytes(32));

        var sealedValue = protector.Protect(Plaintext, SecretPurposes.Setting);

        Assert.Equal(-1, sealedValue.AsSpan().IndexOf(Plaintext.AsSpan(0, 8)));
        Assert.True(sealedValue.Length > Plaintext.Length);
    }

    [Fact]
    public void Protect_SamePlaintextTwice_GivesDifferentOutputs()
    {
        var protector = new SecretProtector(RandomNumberGenerator.GetBytes(32));

        var first = protector.Protect(Plaintext, SecretPurposes.PrivateKey);
        var second = protector.Protect(Plaintext, SecretPurposes.PrivateKey);

        Assert.NotEqual(first, second);
        // Not only the nonces: the wrapped data key and the ciphertext differ too.
        Assert.NotEqual(first[^Plaintext.Length..], second[^Plaintext.Length..]);
        Assert.Equal(protector.Unprotect(first, SecretPurposes.PrivateKey), protector.Unprotect(second, SecretPurposes.PrivateKey));
    }

    [Fact]
    public void Unprotect_WrongPurpose_ThrowsSecretUnavailable()
    {
        var protector = new SecretProtector(RandomNumberGenerator.GetBytes(32));
        var sealedValue = protector.Protect(Plaintext, SecretPurposes.PrivateKey);

        var error = Assert.Throws<SecretUnavailableException>(() => protector.Unprotect(sealedValue, SecretPurposes.ProviderPassword));

        Assert.Contains("integrity", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TamperOffsets))]
    public void Unprotect_TamperedByte_ThrowsSecretUnavailable(int offset)
    {
        var protector = new SecretProtector(RandomNumberGenerator.GetBytes(32));
        var sealedValue = protector.Protect(Plaintext, SecretPurposes.Setting);

        sealedValue[offset] ^= 0x01;

        Assert.Throws<SecretUnavailableException>(() => protector.Unprotect(sealedValue, SecretPurposes.Setting));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(92)]
    [InlineData(100)]
    public void Unprotect_TruncatedValue_ThrowsSecretUnavailable(int length)
    {
        var protector = new SecretProtector(RandomNumberGenerator.GetBytes(32));
        var sealedValue = protector.Protect(Plaintext, SecretPurposes.Setting);

        Assert.Throws<SecretUnavailableException>(() => protector.Unprotect(sealedValue.AsSpan(0, length), SecretPurposes.Setting));
    }

    [Fact]
    public void Unprotect_DifferentMasterKey_ThrowsClearSecretUnavailable()
    {
        var sealedValue = new SecretProtector(RandomNumberGenerator.GetBytes(32)).Protect(Plaintext, SecretPurposes.PrivateKey);
        var other = new SecretProtector(RandomNumberGenerator.GetBytes(32));

        var error = Assert.Throws<SecretUnavailableException>(() => other.Unprotect(sealedValue, SecretPurposes.PrivateKey));

        Assert.Equal("The stored secret was sealed under a different master key.", error.Message);
        Assert.DoesNotContain("s3cr3t", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(16)]
    [InlineData(31)]
    [InlineData(33)]
    public void Constructor_MasterKeyNot32Bytes_Throws(int length)
    {
        Assert.Throws<ArgumentException>(() => new SecretProtector(new byte[length]));
    }

    [Fact]
    public void KeyIdOf_SameKey_IsStableAndDiffersAcrossKeys()
    {
        var key = RandomNumberGenerator.GetBytes(32);

        Assert.Equal(SecretProtector.KeyIdOf(key), SecretProtector.KeyIdOf(key.ToArray()));
        Assert.NotEqual(SecretProtector.KeyIdOf(key), SecretProtector.KeyIdOf(RandomNumberGenerator.GetBytes(32)));
    }
}
