using System.Security.Cryptography;
using System.Xml.Linq;
using CertMgr.Data.Secrets;
using CertMgr.Web.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace CertMgr.Web.Tests.Hosting;

public sealed class DataProtectionSetupTests
{
    private static readonly XElement KeyXml = XElement.Parse(
        "<descriptor><encryption algorithm='AES_256_CBC' /><masterKey><value>c2VjcmV0LWtleS1tYXRlcmlhbC0xMjM0NTY3ODkw</value></masterKey></descriptor>");

    [Fact]
    public void Encrypt_KeyXml_SealedWithoutPlaintextAndDecryptsBack()
    {
        var protector = new SecretProtector(RandomNumberGenerator.GetBytes(32));
        var services = new ServiceCollection().AddSingleton(protector).BuildServiceProvider();

        var info = new MasterKeyXmlEncryptor(protector).Encrypt(KeyXml);
        var stored = info.EncryptedElement.ToString();

        Assert.DoesNotContain("c2VjcmV0LWtleS1tYXRlcmlhbC0xMjM0NTY3ODkw", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("masterKey", stored, StringComparison.Ordinal);
        Assert.Equal(typeof(MasterKeyXmlDecryptor), info.DecryptorType);
        var back = new MasterKeyXmlDecryptor(services).Decrypt(info.EncryptedElement);
        Assert.True(XNode.DeepEquals(KeyXml, back));
    }

    [Fact]
    public void Decrypt_UnderAnotherMasterKey_Refused()
    {
        var info = new MasterKeyXmlEncryptor(new SecretProtector(RandomNumberGenerator.GetBytes(32))).Encrypt(KeyXml);
        var other = new ServiceCollection().AddSingleton(new SecretProtector(RandomNumberGenerator.GetBytes(32))).BuildServiceProvider();

        Assert.Throws<SecretUnavailableException>(() => new MasterKeyXmlDecryptor(other).Decrypt(info.EncryptedElement));
    }
}
