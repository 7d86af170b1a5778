using System.Xml.Linq;
using CertMgr.Data;
using CertMgr.Data.Secrets;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CertMgr.Web.Hosting;

/// <summary>
/// Session and antiforgery keys live in the database (so every node shares them) and are sealed there by the
/// master key, like every other secret.
/// </summary>
internal static class DataProtectionSetup
{
    public const string Purpose = "dataprotection-key";

    public static IServiceCollection AddCertMgrDataProtection(this IServiceCollection services)
    {
        services.AddDataProtection()
            .SetApplicationName("CertMgr")
            .PersistKeysToDbContext<CertMgrDbContext>();
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp =>
            new ConfigureOptions<KeyManagementOptions>(o => o.XmlEncryptor = new MasterKeyXmlEncryptor(sp.GetRequiredService<SecretProtector>())));
        return services;
    }
}

internal sealed class MasterKeyXmlEncryptor(SecretProtector protector) : IXmlEncryptor
{
    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        ArgumentNullException.ThrowIfNull(plaintextElement);
        var sealedValue = protector.Protect(plaintextElement.ToString(SaveOptions.DisableFormatting), DataProtectionSetup.Purpose);
        var element = new XElement("sealedKey",
            new XComment(" Sealed with CertMgr's master key (AES-256-GCM envelope). "),
            new XElement("value", Convert.ToBase64String(sealedValue)));
        return new EncryptedXmlInfo(element, typeof(MasterKeyXmlDecryptor));
    }
}

/// <summary>Created by the data-protection system through its service-provider constructor.</summary>
internal sealed class MasterKeyXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement)
    {
        ArgumentNullException.ThrowIfNull(encryptedElement);
        var protector = services.GetRequiredService<SecretProtector>();
        var value = encryptedElement.Element("value")?.Value ?? throw new SecretUnavailableException("A data-protection key has no sealed value.");
        return XElement.Parse(protector.UnprotectString(Convert.FromBase64String(value), DataProtectionSetup.Purpose));
    }
}
